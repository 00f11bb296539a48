/**
 * Parked operations, for the operator command line: list them, look at one (its event and its problem),
 * replay one or all. A replay puts the operation back to `accepted` and queues it again; it then runs like a new
 * event (an update older than the stored booking ends `skipped`). `failed` operations may be replayed by id too,
 * and so may one whose replay failed to queue it (it is `accepted` and was never queued), and a stuck one (open
 * and overdue, as the sweeper would find it).
 */
import type { DynamoOperations, OperationRecord } from './operations';
import type { EventQueue } from './queue';
import type { OperationSweeper } from './sweeper';

export interface ParkedOperations {
  list(options?: {
    limit?: number;
    cursor?: string;
  }): Promise<{ operations: OperationRecord[]; nextCursor?: string }>;
  get(operationId: string): Promise<OperationRecord | undefined>;
  replay(operationId: string): Promise<{ operationId: string; replayed: boolean }>;
  replayAll(): Promise<{ replayed: string[] }>;
}

export function parkedOperations(deps: {
  operations: DynamoOperations;
  queue: Pick<EventQueue, 'send'>;
  sweeper: Pick<OperationSweeper, 'requeueIfStuck'>;
}): ParkedOperations {
  const { operations, queue, sweeper } = deps;
  const replay = async (operationId: string) => {
    const before = await operations.reopen(operationId);
    if (!before) return { operationId, replayed: await sweeper.requeueIfStuck(operationId) };
    await queue.send({ operationId });
    await operations.markQueued(operationId);
    if (before.parkedAt) await operations.deleteParkedIndex(before.parkedAt, operationId);
    return { operationId, replayed: true };
  };
  return {
    list: (options) => operations.listParked(options),
    get: (operationId) => operations.get(operationId),
    replay,
    replayAll: async () => {
      const replayed: string[] = [];
      const tried = new Set<string>();
      // Replayed operations leave the index, so the first page is always the next one.
      for (;;) {
        const { operations: page } = await operations.listParked({ limit: 100 });
        const fresh = page.filter((operation) => !tried.has(operation.id));
        if (fresh.length === 0) return { replayed };
        for (const operation of fresh) {
          tried.add(operation.id);
          if ((await replay(operation.id)).replayed) replayed.push(operation.id);
        }
      }
    },
  };
}
