/**
 * Accepting an event or an asynchronous request: one operation record per (supplier, trigger, event id), then
 * one queue message. A duplicate finds the operation already there and queues nothing again, unless the first
 * delivery stopped between the two writes (then `queuedAt` is missing and the message is sent now) or the
 * operation is stuck (open and overdue: its message was lost), when it is queued again. The same event id with
 * other content is not a duplicate: it is answered as such, and changes nothing.
 */
import { createHash } from 'node:crypto';
import type { Command } from './envelope';
import { contentDigestOf } from './operations';
import type { DynamoOperations, OperationRecord, Trigger } from './operations';
import type { EventQueue } from './queue';
import type { OperationSweeper } from './sweeper';

export function operationIdOf(supplierId: string, trigger: Trigger, eventId: string): string {
  const digest = createHash('sha256').update(`${supplierId}\n${trigger}\n${eventId}`).digest('hex');
  return `op_${digest.slice(0, 26)}`;
}

export interface AcceptedEvent {
  supplierId: string;
  trigger: Trigger;
  eventId: string;
  type: string;
  command: Command;
}

export interface Acceptance {
  operation: OperationRecord;
  /** `created`; `duplicate` (the event id's operation, with the same content); `reused` (other content). */
  outcome: 'created' | 'duplicate' | 'reused';
}

export class EventIngress {
  constructor(
    private readonly deps: {
      operations: DynamoOperations;
      queue: Pick<EventQueue, 'send'>;
      sweeper: Pick<OperationSweeper, 'requeueIfStuck'>;
    },
  ) {}

  async accept(event: AcceptedEvent): Promise<Acceptance> {
    const { operations, queue, sweeper } = this.deps;
    const id = operationIdOf(event.supplierId, event.trigger, event.eventId);
    const { record, created } = await operations.create({ id, status: 'accepted', ...event });
    if (!created && record.contentDigest !== undefined && record.contentDigest !== contentDigestOf(event))
      return { operation: record, outcome: 'reused' };
    if (created || record.queuedAt === undefined) {
      await queue.send({ operationId: id });
      await operations.markQueued(id);
    } else if (await sweeper.requeueIfStuck(id)) {
      return { operation: (await operations.get(id)) ?? record, outcome: 'duplicate' };
    }
    return { operation: record, outcome: created ? 'created' : 'duplicate' };
  }
}

/** How an operation is shown to its supplier: what it did, never the event's own data. */
export function operationView(record: OperationRecord, origin: string) {
  return {
    id: record.id,
    status: record.status,
    type: record.type,
    href: `${origin}/v1/operations/${record.id}`,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    attempts: record.attempts,
    ...(record.nextAttemptAt ? { nextAttemptAt: record.nextAttemptAt } : {}),
    ...(record.result ? { result: record.result } : {}),
    ...(record.problem ? { problem: record.problem } : {}),
  };
}
