/**
 * An event whose use case fails in a way the gateway has no answer for (a bug, an AWS failure) is retried like
 * any transient failure, and logged with its error: its stack is the only clue an operator gets. Refusals the
 * gateway knows are not logged as failures.
 */
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../shared/gateway/errors';
import type { Supplier } from '../../shared/gateway/ports';
import { DynamoOperations } from '../../shared/events/operations';
import { DEFAULT_EVENT_RETRY, EventProcessor, RetryLaterError } from '../../shared/events/processor';
import type { UseCases } from '../../shared/events/commands';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  ({ state: tableName } = await createTestTables(dynamo, 'processor-errors'));
});
afterAll(() => dynamo.close());

const supplier = { id: 'demo-supplier' } as Supplier;

/** A processor whose booking use case fails with `failure`, with what it logged and what it put back. */
async function processFailing(
  operationId: string,
  failure: Error,
  queueRetryLater: (seconds: number) => Promise<void> = async () => undefined,
) {
  const operations = new DynamoOperations({ client: dynamo.client, tableName });
  await operations.create({
    id: operationId,
    supplierId: supplier.id,
    trigger: 'webhook',
    eventId: `msg_${operationId}`,
    type: 'booking.upserted',
    status: 'accepted',
    command: { kind: 'putBooking', companyId: 'co-1', confirmationNumber: 'C1', body: {} },
  });
  const logged: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const log =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logged.push({ level, message, fields });
  const retried: number[] = [];
  const processor = new EventProcessor({
    operations,
    queue: {
      send: async () => undefined,
      retryLater: async (_handle, seconds) => {
        retried.push(seconds);
        await queueRetryLater(seconds);
      },
    },
    useCases: {
      bookings: {
        put: () => Promise.reject(failure),
      },
    } as unknown as UseCases,
    supplierOf: async (id) => (id === supplier.id ? supplier : undefined),
    eventSources: {},
    retry: DEFAULT_EVENT_RETRY,
    logger: { info: log('info'), warn: log('warn'), error: log('error') } as never,
    random: () => 0,
  });
  const record = {
    messageId: `m-${operationId}`,
    receiptHandle: `r-${operationId}`,
    body: JSON.stringify({ operationId }),
    attributes: { ApproximateReceiveCount: '1' },
  } as unknown as SQSRecord;
  const outcome = await processor.process(record).catch((error: unknown) => error);
  return { outcome, logged, retried, operation: await operations.get(operationId) };
}

describe('the events processor, when a use case fails', () => {
  it('logs an unexpected error with its stack and the operation, and tries again later', async () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'segments')");
    const { outcome, logged, retried, operation } = await processFailing('op_bug', bug);
    expect(outcome).toBeInstanceOf(RetryLaterError);
    expect(retried).toHaveLength(1);
    expect(operation?.status).toBe('accepted');
    const failed = logged.filter((line) => line.message === 'operation failed');
    expect(failed).toEqual([
      {
        level: 'error',
        message: 'operation failed',
        fields: { operationId: 'op_bug', receiveCount: 1, error: bug },
      },
    ]);
    expect((failed[0]!.fields.error as Error).stack).toContain('processor-errors.test.ts');
  });

  it('logs a failure of its own bookkeeping, here the queue refusing the delay, and reports the record', async () => {
    const busy = new GatewayError('busy', 'another change of the booking is in progress');
    const queueDown = new Error('The message referred to is not in flight.');
    const { outcome, logged, operation } = await processFailing('op_queue_down', busy, () =>
      Promise.reject(queueDown),
    );
    expect(outcome).toBe(queueDown);
    // Still not final: the message comes back and tries again.
    expect(operation?.status).toBe('accepted');
    expect(logged.filter((line) => line.message === 'operation attempt failed')).toEqual([
      {
        level: 'error',
        message: 'operation attempt failed',
        fields: { operationId: 'op_queue_down', receiveCount: 1, error: queueDown },
      },
    ]);
  });

  it('does not log a refusal it knows as a failure', async () => {
    const refusal = new GatewayError('validation', 'the booking is not valid');
    const { outcome, logged, operation } = await processFailing('op_refused', refusal);
    expect(outcome).toBeUndefined();
    expect(operation?.status).toBe('parked');
    expect(logged.map((line) => line.message)).not.toContain('operation failed');
    expect(logged.map((line) => line.message)).not.toContain('operation attempt failed');
  });
});
