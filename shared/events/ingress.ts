/**
 * Accepting an event or an asynchronous request: one operation record per (supplier, trigger, event id), then
 * one queue message. A duplicate finds the operation already there and queues nothing again, unless the first
 * delivery stopped between the two writes (then `queuedAt` is missing and the message is sent now).
 */
import { createHash } from 'node:crypto';
import type { Command } from './envelope';
import type { DynamoOperations, OperationRecord, Trigger } from './operations';
import type { EventQueue } from './queue';

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

export class EventIngress {
  constructor(private readonly deps: { operations: DynamoOperations; queue: EventQueue }) {}

  async accept(event: AcceptedEvent): Promise<{ operation: OperationRecord; duplicate: boolean }> {
    const id = operationIdOf(event.supplierId, event.trigger, event.eventId);
    const { record, created } = await this.deps.operations.create({ id, status: 'accepted', ...event });
    if (created || record.queuedAt === undefined) {
      await this.deps.queue.send({ operationId: id });
      await this.deps.operations.markQueued(id);
    }
    return { operation: record, duplicate: !created };
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
