/**
 * The processor function's handler answers each SQS batch with that batch's failures. Lambda runs one batch
 * at a time per container, but the local default's queue workers run several at once through the same
 * handler: a failure reported in another batch's answer would be deleted from the queue as done, and its
 * operation never applied.
 */
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler } from '../../functions/events/processor';
import { eventServices } from '../../shared/composition/events';
import type { OperationRecord } from '../../shared/events/operations';
import { carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway();
}, 60_000);
afterAll(() => gateway?.close());

/** An operation (a booking PUT) in the given state, and a queue message about it as Lambda hands it over. */
async function messageAbout(id: string, status: OperationRecord['status']): Promise<SQSRecord> {
  const confirmationNumber = id.toUpperCase().replace(/_/g, '');
  await eventServices().operations.create({
    id,
    supplierId: 'demo-supplier',
    trigger: 'api',
    eventId: id,
    type: 'putBooking',
    status,
    command: {
      kind: 'putBooking',
      companyId: COMPANY,
      confirmationNumber,
      body: { booking: carBooking({}, { confirmationNumber }), traveler: { loginId: TRAVELER } },
    },
  });
  return {
    messageId: `message-${id}`,
    receiptHandle: `handle-${id}`,
    body: JSON.stringify({ operationId: id }),
    attributes: { ApproximateReceiveCount: '1' },
  } as unknown as SQSRecord;
}

const context = { functionName: 'processor', awsRequestId: 'test' } as Context;

describe('the processor function', () => {
  it('answers each of two batches run at once with its own failures', async () => {
    // The first batch: an operation another attempt is still running (it must come back later: a failure),
    // and one applied at Concur, slowly. The second batch, run meanwhile, holds operations that ended already:
    // their messages are done.
    const busy = await messageAbout('op_handler_busy', 'processing');
    const firstBatch: SQSEvent = { Records: [busy, await messageAbout('op_handler_slow', 'accepted')] };
    const secondBatch: SQSEvent = {
      Records: [
        await messageAbout('op_handler_done_1', 'succeeded'),
        await messageAbout('op_handler_done_2', 'skipped'),
      ],
    };
    gateway.simulator!.faults.setLatency({ route: 'bookingPost', ms: 1_500 });
    try {
      const first = handler(firstBatch, context);
      // The busy operation has failed by now; the slow one waits for Concur.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const second = await handler(secondBatch, context);
      expect(second.batchItemFailures).toEqual([]);
      expect((await first).batchItemFailures).toEqual([{ itemIdentifier: busy.messageId }]);
    } finally {
      gateway.simulator!.faults.clear();
    }
    expect((await eventServices().operations.get('op_handler_slow'))?.status).toBe('succeeded');
  });
});
