/**
 * The port through which any part of the gateway tells a supplier something: `publish(supplierId, {type,
 * data})`. The message goes to each of the supplier's enabled endpoints that takes its type, never to another
 * supplier's. Each endpoint's message is recorded first, then queued for the delivery worker; publishing the
 * same message id again (a retried caller) records and queues nothing twice, unless the first call stopped
 * between its two writes.
 */
import type { EventQueue } from '../events/queue';
import type { Clock } from '../gateway/ports';
import type { DynamoWebhookEndpoints, WebhookEndpoint } from './endpoints';
import type { SupplierEvent, SupplierEventBody } from './event-types';
import type { DynamoWebhookMessages } from './messages';
import { newMessageId } from './message-ids';
import { liveSupplierIdOf } from '../sandbox';

/** A queued delivery: which endpoint's message; the message record holds the rest. */
export interface DeliveryMessage {
  supplierId: string;
  endpointId: string;
  messageId: string;
}

export interface PublishOptions {
  /** The message's id (`webhook-id`); the same id makes publishing idempotent. A new one by default. */
  messageId?: string;
  /** When the event happened; now by default. */
  occurredAt?: Date;
}

export interface SupplierEventPublisher {
  /** Answers how many endpoints the message was queued for. */
  publish(supplierId: string, event: SupplierEvent, options?: PublishOptions): Promise<number>;
}

export interface WebhookPublisherDependencies {
  endpoints: DynamoWebhookEndpoints;
  messages: DynamoWebhookMessages;
  queue: EventQueue<DeliveryMessage>;
  clock?: Clock;
}

const takes = (endpoint: WebhookEndpoint, event: SupplierEvent) =>
  endpoint.status === 'enabled' &&
  event.type !== 'ping' &&
  (endpoint.eventTypes.length === 0 || endpoint.eventTypes.includes(event.type));

export class WebhookPublisher implements SupplierEventPublisher {
  constructor(private readonly deps: WebhookPublisherDependencies) {}

  async publish(supplierId: string, event: SupplierEvent, options: PublishOptions = {}): Promise<number> {
    const targets = (await this.deps.endpoints.listOf(supplierId)).filter((endpoint) =>
      takes(endpoint, event),
    );
    if (targets.length > 0) await this.record(supplierId, targets, event, options);
    return targets.length;
  }

  /** To this endpoint only, whatever types it takes (the test ping). */
  async publishTo(endpoint: WebhookEndpoint, event: SupplierEvent): Promise<{ messageId: string }> {
    return { messageId: await this.record(endpoint.supplierId, [endpoint], event, {}) };
  }

  private async record(
    supplierId: string,
    targets: WebhookEndpoint[],
    event: SupplierEvent,
    options: PublishOptions,
  ): Promise<string> {
    const id = options.messageId ?? newMessageId();
    const occurredAt = options.occurredAt ?? new Date((this.deps.clock ?? Date).now());
    const body: SupplierEventBody = {
      type: event.type,
      timestamp: occurredAt.toISOString(),
      // A test key's events are its sandbox principal's, whose endpoints are its own.
      livemode: liveSupplierIdOf(supplierId) === undefined,
      data: event.data,
    };
    const text = JSON.stringify(body);
    for (const endpoint of targets) {
      const { message, created } = await this.deps.messages.create({
        id,
        endpointId: endpoint.id,
        supplierId,
        type: event.type,
        body: text,
      });
      if (created || message.queuedAt === undefined) await this.queue(message);
    }
    return id;
  }

  /** Queues a recorded message (again: a recovered one). */
  async queue(message: { supplierId: string; endpointId: string; id: string }): Promise<void> {
    await this.deps.queue.send({
      supplierId: message.supplierId,
      endpointId: message.endpointId,
      messageId: message.id,
    });
    await this.deps.messages.markQueued(message.endpointId, message.id);
  }
}
