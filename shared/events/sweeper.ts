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
}

export interface SweepResult {
  /** Operations queued again. */
  requeued: string[];
}

export class OperationSweeper {
  private readonly metrics: GatewayMetrics;

  constructor(private readonly deps: SweeperDependencies) {
    this.metrics = deps.metrics ?? noMetrics;
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

  /** One pass over the overdue operations of the open-operations index. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { requeued: [] };
    for await (const ids of this.deps.operations.listOverdue()) {
      await Promise.all(
        ids.map(async (operationId) => {
          if (await this.requeueIfStuck(operationId)) result.requeued.push(operationId);
        }),
      );
    }
    if (result.requeued.length > 0)
      this.deps.logger.info('operations swept', { requeued: result.requeued.length });
    return result;
  }
}
