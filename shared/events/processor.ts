/**
 * Applies one queue message: an operation the gateway queued (`{"operationId"}`) or an EventBridge event whose
 * `source` is configured for a supplier. Idempotent by operation: a final operation is not applied again.
 * Transient failures keep the message and postpone it (growing delays, Concur's Retry-After respected); on the
 * last allowed receive the operation is parked instead. Throws to report the record as a batch item failure.
 */
import type { SQSRecord } from 'aws-lambda';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ChangeActor, Supplier } from '../gateway/ports';
import type { GatewayError } from '../gateway/errors';
import { dispositionOf, runCommand } from './commands';
import type { UseCases } from './commands';
import { commandOf, parseEnvelope } from './envelope';
import { operationIdOf } from './ingress';
import type { DynamoOperations, FinalStatus, OperationRecord } from './operations';
import type { EventQueue } from './queue';
import { noMetrics } from '../observability/counter';
import { withSourceMappedStack } from '../observability/source-mapped-stack';
import type { GatewayMetrics } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';

export interface RetryPolicy {
  /** The first delay; each later receive doubles it. */
  baseSeconds: number;
  maxSeconds: number;
  /** On this receive a transient failure parks the operation instead of retrying. */
  maxReceives: number;
  /** An attempt still `processing` after this long is taken as dead: its worker stopped. */
  attemptTimeoutSeconds: number;
}

/**
 * Seconds at first (a passing fault), about 5 minutes by the seventh receive (Concur asks to wait 5 minutes
 * after a 503), then growing to half an hour: the retries span more than 2 hours however the jitter falls, so
 * Concur's weekly maintenance window or an outage of that length parks nothing (docs/events.md computes the
 * span from these numbers).
 */
export const DEFAULT_EVENT_RETRY: RetryPolicy = {
  baseSeconds: 5,
  maxSeconds: 1_800,
  maxReceives: 17,
  attemptTimeoutSeconds: 120,
};

export interface ProcessorDependencies {
  operations: DynamoOperations;
  queue: EventQueue;
  useCases: UseCases;
  supplierOf(supplierId: string): Promise<Supplier | undefined>;
  /** EventBridge `source` → supplier id. */
  eventSources: Readonly<Record<string, string>>;
  retry: RetryPolicy;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  random?: () => number;
  metrics?: GatewayMetrics;
  /** Tells the supplier how an operation ended (its webhook endpoints); at least once per ending. */
  announce?: (operation: OperationRecord) => Promise<void>;
}

/** How operations end (and how often they wait for another attempt): one metric each, without dimensions. */
const EVENT_METRICS: Record<FinalStatus | 'retried', string> = {
  succeeded: GATEWAY_METRICS.eventsApplied,
  skipped: GATEWAY_METRICS.eventsSkipped,
  failed: GATEWAY_METRICS.eventsFailed,
  parked: GATEWAY_METRICS.eventsParked,
  retried: GATEWAY_METRICS.eventsRetried,
};

/** The message will be received again; Powertools batch reports it as an item failure. */
export class RetryLaterError extends Error {
  constructor(operationId: string, delaySeconds: number) {
    super(`operation ${operationId} retries in ${delaySeconds} s`);
    this.name = 'RetryLaterError';
  }
}

interface EventBridgeEvent {
  id: string;
  source: string;
  'detail-type': string;
  detail: unknown;
}

const isEventBridgeEvent = (value: unknown): value is EventBridgeEvent =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as EventBridgeEvent).id === 'string' &&
  typeof (value as EventBridgeEvent).source === 'string' &&
  'detail' in value;

/** How often SQS has handed the message over, this time included. */
const receiveCountOf = (record: SQSRecord): number => Number(record.attributes.ApproximateReceiveCount ?? 1);

/** The delay before receive `receiveCount + 1`: doubling, capped, jittered in its upper half, ≥ Retry-After. */
export function retryDelaySeconds(
  policy: RetryPolicy,
  receiveCount: number,
  retryAfterSeconds = 0,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxSeconds, policy.baseSeconds * 2 ** Math.max(0, receiveCount - 1));
  const jittered = Math.ceil(ceiling / 2 + (random() * ceiling) / 2);
  return Math.min(43_200, Math.max(jittered, Math.ceil(retryAfterSeconds)));
}

export class EventProcessor {
  private readonly metrics: GatewayMetrics;

  constructor(private readonly deps: ProcessorDependencies) {
    this.metrics = deps.metrics ?? noMetrics;
  }

  /** Ends the operation, counts it and tells its supplier, unless another attempt ended it first. */
  private async finish(
    id: string,
    status: FinalStatus,
    outcome: Parameters<DynamoOperations['finish']>[2],
  ): Promise<void> {
    const ended = await this.deps.operations.finish(id, status, outcome);
    if (!ended) return;
    this.metrics.count(EVENT_METRICS[status]);
    await this.deps.announce?.(ended);
  }

  async process(record: SQSRecord): Promise<void> {
    const operationId = await this.operationOf(record);
    if (!operationId) return;
    try {
      await this.attempt(operationId, record);
    } catch (error) {
      // A planned retry is logged where it is planned. Anything else failed the gateway's own bookkeeping (the
      // operations table, the queue): Powertools batch reports the record without a word, and the message
      // comes back only after its visibility timeout.
      if (!(error instanceof RetryLaterError))
        this.deps.logger.error('operation attempt failed', {
          operationId,
          receiveCount: receiveCountOf(record),
          error: withSourceMappedStack(error as Error),
        });
      throw error;
    }
  }

  private async attempt(operationId: string, record: SQSRecord): Promise<void> {
    const operation = await this.deps.operations.startAttempt(
      operationId,
      this.deps.retry.attemptTimeoutSeconds * 1000,
    );
    // Already final: a redelivered message, or a duplicate event. Nothing to apply; the supplier is told again,
    // which sends nothing twice, in case the attempt that ended it stopped before telling.
    if (operation === 'final') {
      const ended = this.deps.announce ? await this.deps.operations.get(operationId) : undefined;
      if (ended) await this.deps.announce!(ended);
      return;
    }
    if (operation === 'busy') {
      // Another worker is still on it (its message became visible again): look again later.
      const delay = this.deps.retry.baseSeconds;
      await this.deps.queue.retryLater(record.receiptHandle, delay);
      throw new RetryLaterError(operationId, delay);
    }
    await this.apply(operation, record);
  }

  private async apply(operation: OperationRecord, record: SQSRecord): Promise<void> {
    const { operations, logger } = this.deps;
    const supplier = await this.deps.supplierOf(operation.supplierId);
    if (!supplier) {
      await this.finish(operation.id, 'parked', {
        problem: {
          type: 'urn:concur-gateway:problem:unknown-supplier',
          title: 'Unknown supplier',
          status: 403,
          detail: `supplier ${operation.supplierId} is not registered`,
          instance: `/v1/operations/${operation.id}`,
        },
      });
      return;
    }
    let result: Awaited<ReturnType<typeof runCommand>>;
    try {
      const actor: ChangeActor = {
        kind: 'operation',
        operationId: operation.id,
        trigger: operation.trigger,
        eventId: operation.eventId,
      };
      result = await runCommand(this.deps.useCases, { ...supplier, actor }, operation.command!);
    } catch (error) {
      const disposition = dispositionOf(error, operation.id);
      const receiveCount = receiveCountOf(record);
      // An error the gateway has no answer for (a bug, an AWS failure): its stack is the only clue.
      if (disposition.problem.status === 500)
        logger.error('operation failed', {
          operationId: operation.id,
          receiveCount,
          error: withSourceMappedStack(error as Error),
        });
      if (disposition.outcome !== 'retry') {
        await this.finish(operation.id, disposition.outcome, { problem: disposition.problem });
        logger.info('operation ended', { operationId: operation.id, status: disposition.outcome });
        return;
      }
      if (receiveCount >= this.deps.retry.maxReceives) {
        await this.finish(operation.id, 'parked', {
          problem: {
            ...disposition.problem,
            detail: `gave up after ${receiveCount} attempts: ${disposition.problem.detail ?? disposition.problem.title}`,
          },
        });
        logger.warn('operation parked after retries', { operationId: operation.id, receiveCount });
        return;
      }
      const delay = retryDelaySeconds(
        this.deps.retry,
        receiveCount,
        disposition.retryAfterSeconds,
        this.deps.random,
      );
      await operations.retryLater(operation.id, disposition.problem, new Date(Date.now() + delay * 1000));
      await this.deps.queue.retryLater(record.receiptHandle, delay);
      this.metrics.count(EVENT_METRICS.retried);
      logger.info('operation retries later', {
        operationId: operation.id,
        receiveCount,
        delaySeconds: delay,
        problem: disposition.problem.type,
      });
      throw new RetryLaterError(operation.id, delay);
    }
    // Outside the use case's try: a failure to record or announce the result is the gateway's own, not the
    // command's (the message comes back and finds the operation final, or still to be ended).
    await this.finish(operation.id, 'succeeded', { result });
  }

  /** The operation a message is about, created first for an EventBridge event. */
  private async operationOf(record: SQSRecord): Promise<string | undefined> {
    let body: unknown;
    try {
      body = JSON.parse(record.body);
    } catch {
      body = undefined;
    }
    if (
      typeof body === 'object' &&
      body !== null &&
      typeof (body as { operationId?: unknown }).operationId === 'string'
    )
      return (body as { operationId: string }).operationId;
    if (!isEventBridgeEvent(body)) {
      // Not something the gateway or its EventBridge rule sends: it ends in the dead-letter queue for a look.
      this.deps.logger.error('unrecognised message', { messageId: record.messageId });
      throw new Error(`message ${record.messageId} is neither an operation nor an EventBridge event`);
    }
    const supplierId = this.deps.eventSources[body.source];
    if (!supplierId) {
      this.deps.logger.error('event from a source no supplier is configured for', { source: body.source });
      throw new Error(`no supplier is configured for the EventBridge source ${body.source}`);
    }
    const detail = body.detail as { id?: unknown } | undefined;
    const eventId = typeof detail?.id === 'string' && detail.id !== '' ? detail.id : body.id;
    const id = operationIdOf(supplierId, 'eventbridge', eventId);
    const { id: _ignored, ...envelope } = (
      typeof detail === 'object' && detail !== null ? detail : {}
    ) as Record<string, unknown>;
    try {
      const parsed = parseEnvelope(envelope);
      await this.deps.operations.create({
        id,
        supplierId,
        trigger: 'eventbridge',
        eventId,
        type: parsed.type,
        command: commandOf(parsed),
        status: 'accepted',
      });
    } catch (error) {
      if ((error as GatewayError).name !== 'GatewayError') throw error;
      const { created } = await this.deps.operations.create({
        id,
        supplierId,
        trigger: 'eventbridge',
        eventId,
        type: String(body['detail-type']).slice(0, 64),
        status: 'accepted',
      });
      if (created) await this.finish(id, 'parked', { problem: dispositionOf(error, id).problem });
      return undefined;
    }
    return id;
  }
}
