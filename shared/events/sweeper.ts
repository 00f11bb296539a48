/**
 * The sweeper: finds operations left behind and queues them again. An operation is open (`accepted` or
 * `processing`) until it ends; each step sets when it is overdue (`sweepAt`: its send, its first receive, its
 * next attempt or the end of its attempt, plus `sweepAfterMs`). One that is still open after that has lost its
 * message (recorded but never sent, a queue that lost it, a worker that died and a message that went to the
 * dead-letter queue), and nothing else would ever run it. Queueing it again is safe whatever happened: an
 * attempt runs only from `accepted` (or a stale `processing`), an ended operation is never applied again, and
 * every booking change is ordered by its lease and its version.
 *
 * Runs on a schedule (a Lambda function on AWS, a timer in `npm start`); a redelivery of a stuck operation's
 * event and an operator's replay use `requeueIfStuck` for one operation.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { noMetrics } from '../observability/counter';
import type { GatewayMetrics } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import type { DynamoOperations } from './operations';
import type { EventQueue } from './queue';

export interface SweeperDependencies {
  operations: DynamoOperations;
  queue: Pick<EventQueue, 'send'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  metrics?: GatewayMetrics;
  clock?: { now(): number };
}

export interface SweepResult {
  /** Operations queued again. */
  requeued: string[];
  /** Index items removed: their operation had ended (or was never created). */
  cleared: number;
}

const FINAL = new Set(['succeeded', 'skipped', 'failed', 'parked']);

export class OperationSweeper {
  private readonly metrics: GatewayMetrics;
  private readonly now: () => number;

  constructor(private readonly deps: SweeperDependencies) {
    this.metrics = deps.metrics ?? noMetrics;
    this.now = () => (deps.clock ?? Date).now();
  }

  /** Queues the operation again when it is stuck (open and overdue); answers whether it did. */
  async requeueIfStuck(operationId: string): Promise<boolean> {
    const { operations, queue, logger } = this.deps;
    const claimed = await operations.claimStuck(operationId);
    if (!claimed) return false;
    await queue.send({ operationId });
    await operations.markQueued(operationId);
    this.metrics.count(GATEWAY_METRICS.eventsRequeued);
    logger.warn('stuck operation queued again', {
      operationId,
      status: claimed.status,
      attempts: claimed.attempts,
    });
    return true;
  }

  /** One pass over the open operations. */
  async sweep(): Promise<SweepResult> {
    const { operations } = this.deps;
    const result: SweepResult = { requeued: [], cleared: 0 };
    // An index item without its operation is written just before the operation: only an old one is an orphan.
    const orphanBefore = new Date(this.now() - operations.sweepAfterMs).toISOString();
    const nowIso = new Date(this.now()).toISOString();
    let cursor: string | undefined;
    do {
      const page = await operations.listOpen({ limit: 100, ...(cursor ? { cursor } : {}) });
      await Promise.all(
        page.items.map(async ({ operationId, indexedAt }) => {
          const record = await operations.get(operationId);
          if ((record && FINAL.has(record.status)) || (!record && indexedAt < orphanBefore)) {
            await operations.deleteOpenIndex(operationId);
            result.cleared += 1;
          } else if (record?.sweepAt && record.sweepAt <= nowIso) {
            if (await this.requeueIfStuck(operationId)) result.requeued.push(operationId);
          }
        }),
      );
      cursor = page.nextCursor;
    } while (cursor);
    if (result.requeued.length > 0 || result.cleared > 0)
      this.deps.logger.info('operations swept', { ...result, requeued: result.requeued.length });
    return result;
  }
}
