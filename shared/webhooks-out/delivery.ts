/**
 * Delivers one queued message to its endpoint: signs it (Standard Webhooks, with every secret the endpoint has
 * while one is being retired), sends it, keeps the attempt, and decides what comes next. A 2xx ends it
 * delivered; any other 4xx (and a 3xx: redirects are not followed) ends it failed; no answer, a timeout, 429 or
 * 5xx waits for the next step of the schedule, on the same queue message, so every attempt carries the same
 * `webhook-id`. An endpoint whose attempts have all failed for 5 days is disabled. Throws to keep the message
 * on the queue (its next receive is already set).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { Webhook } from 'standardwebhooks';
import type { OutboundLimiter } from '../adapters/dynamodb/rate-window';
import type { EventQueue } from '../events/queue';
import type { WebhookSecrets } from '../events/webhooks';
import type { Clock } from '../gateway/ports';
import { noMetrics } from '../observability/counter';
import type { GatewayMetrics } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import type { DynamoWebhookEndpoints, WebhookEndpoint } from './endpoints';
import type { SendOutcome, WebhookSender } from './http-sender';
import type { DynamoWebhookMessages, WebhookMessage } from './messages';
import type { DeliveryMessage } from './publisher';
import { retryDelaySeconds } from './retry-schedule';

/** An endpoint whose attempts have all failed for this long is disabled. */
export const DISABLE_AFTER_MS = 5 * 24 * 3600 * 1000;
/**
 * The deliveries queue's visibility timeout: longer than a batch can take (10 s a send, the rate limit's wait,
 * the records), so a message is received again only when its worker died.
 */
export const DELIVERIES_VISIBILITY_TIMEOUT_SECONDS = 60;
/**
 * Receives after which a message moves to the dead-letter queue: far more than the schedule's 8 attempts, since a
 * message postponed by its endpoint's rate limit is received again too; only one no worker can handle ends there.
 */
export const DELIVERIES_MAX_RECEIVES = 100;
/** Deliveries per second to one endpoint, from all workers together. */
export const DEFAULT_ENDPOINT_RATE_PER_SECOND = 20;

export interface DeliveryWorkerDependencies {
  endpoints: DynamoWebhookEndpoints;
  messages: DynamoWebhookMessages;
  /** The endpoints' signing secrets, by `{supplierId}/{endpointId}`. */
  secrets: WebhookSecrets;
  sender: WebhookSender;
  queue: EventQueue<DeliveryMessage>;
  /** The per-endpoint rate limit; throws when no slot comes free soon. */
  limiter: OutboundLimiter;
  retryDelaysSeconds: readonly number[];
  disableAfterMs?: number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics?: GatewayMetrics;
  clock?: Clock;
}

/** The message will be received again, when its next attempt is due. */
export class DeliveryLaterError extends Error {
  constructor(messageId: string, delaySeconds: number) {
    super(`message ${messageId} is tried again in ${delaySeconds} s`);
    this.name = 'DeliveryLaterError';
  }
}

/** The key of an endpoint's secrets. */
export const endpointSecretKey = (supplierId: string, endpointId: string) => `${supplierId}/${endpointId}`;

/** The rate limiter's key of an endpoint. */
export const endpointRateKey = (endpointId: string) => `webhook-endpoint:${endpointId}`;

/** Standard Webhooks' headers for `body`, one `v1,` signature per secret. */
export function signedHeaders(id: string, body: string, secrets: readonly string[], at: Date) {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(' '),
  };
}

const retryable = (outcome: SendOutcome) =>
  outcome.status === undefined || outcome.status === 429 || outcome.status >= 500;

function parseDeliveryMessage(body: string): DeliveryMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<DeliveryMessage>;
    return typeof value.supplierId === 'string' &&
      typeof value.endpointId === 'string' &&
      typeof value.messageId === 'string'
      ? (value as DeliveryMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

export class DeliveryWorker {
  private readonly metrics: GatewayMetrics;
  private readonly clock: Clock;

  constructor(private readonly deps: DeliveryWorkerDependencies) {
    this.metrics = deps.metrics ?? noMetrics;
    this.clock = deps.clock ?? { now: () => Date.now() };
  }

  async process(record: SQSRecord): Promise<void> {
    const queued = parseDeliveryMessage(record.body);
    if (!queued) {
      // Not something the gateway sends: it ends in the dead-letter queue for a look.
      this.deps.logger.error('unrecognised delivery message', { messageId: record.messageId });
      throw new Error(`message ${record.messageId} is not a webhook delivery`);
    }
    const { supplierId, endpointId, messageId } = queued;
    const message = await this.deps.messages.get(endpointId, messageId);
    // Delivered or failed already (a redelivered queue message), or expired.
    if (message?.status !== 'pending') return;
    const endpoint = await this.deps.endpoints.get(supplierId, endpointId);
    if (endpoint?.status !== 'enabled') {
      // Deleted, or disabled: the message fails now; `recover` sends it again once the endpoint is enabled.
      await this.deps.messages.fail(endpointId, messageId);
      this.metrics.count(GATEWAY_METRICS.webhooksFailed);
      this.deps.logger.info('webhook not sent: endpoint not enabled', {
        endpointId,
        messageId,
        endpointStatus: endpoint?.status ?? 'deleted',
      });
      return;
    }
    try {
      await this.deps.limiter.acquire(endpointRateKey(endpointId));
    } catch (error) {
      if ((error as Error).name !== 'OutboundRateLimitedError') throw error;
      // The endpoint's rate is used up for now: not an attempt, just later (spread over a few seconds).
      const delay = 1 + Math.floor(Math.random() * 4);
      await this.deps.queue.retryLater(record.receiptHandle, delay);
      throw new DeliveryLaterError(messageId, delay);
    }
    const attempt = await this.deps.messages.startAttempt(endpointId, messageId);
    if (!attempt) return;
    await this.attempt(attempt, endpoint, record);
  }

  private async attempt(
    message: WebhookMessage,
    endpoint: WebhookEndpoint,
    record: SQSRecord,
  ): Promise<void> {
    const { endpointId, supplierId, id } = message;
    const secrets = await this.deps.secrets.secretsOf(endpointSecretKey(supplierId, endpointId));
    const attemptedAt = new Date(this.clock.now());
    const outcome: SendOutcome =
      secrets.length === 0
        ? { error: 'the endpoint has no signing secret', latencyMs: 0 }
        : await this.deps.sender.send({
            url: endpoint.url,
            body: message.body,
            headers: signedHeaders(id, message.body, secrets, attemptedAt),
          });
    await this.deps.messages.recordAttempt(endpointId, {
      messageId: id,
      eventType: message.type,
      attemptedAt: attemptedAt.toISOString(),
      attempt: message.attempts,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      latencyMs: outcome.latencyMs,
      ...(outcome.answer !== undefined ? { answer: outcome.answer } : {}),
    });
    if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
      await this.deps.messages.succeed(endpointId, id);
      // A write only when the endpoint was failing: a healthy endpoint's deliveries cost it nothing.
      if (endpoint.failingSince !== undefined)
        await this.deps.endpoints.recordSuccess(supplierId, endpointId);
      this.metrics.count(GATEWAY_METRICS.webhooksDelivered);
      return;
    }
    this.metrics.count(GATEWAY_METRICS.webhookAttemptsFailed);
    const disabled = await this.deps.endpoints.recordFailure(
      supplierId,
      endpointId,
      this.deps.disableAfterMs ?? DISABLE_AFTER_MS,
    );
    if (disabled) {
      this.metrics.count(GATEWAY_METRICS.webhookEndpointsDisabled);
      this.deps.logger.warn('webhook endpoint disabled: every attempt failed for 5 days', {
        supplierId,
        endpointId,
      });
    }
    const delay =
      retryable(outcome) && !disabled
        ? retryDelaySeconds(this.deps.retryDelaysSeconds, message.attempts, outcome.retryAfterSeconds)
        : undefined;
    if (delay === undefined) {
      await this.deps.messages.fail(endpointId, id);
      this.metrics.count(GATEWAY_METRICS.webhooksFailed);
      this.deps.logger.info('webhook failed', {
        endpointId,
        messageId: id,
        attempts: message.attempts,
        status: outcome.status,
      });
      return;
    }
    await this.deps.messages.retryAt(endpointId, id, new Date(this.clock.now() + delay * 1000));
    await this.deps.queue.retryLater(record.receiptHandle, delay);
    throw new DeliveryLaterError(id, delay);
  }
}
