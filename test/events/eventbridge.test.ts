/**
 * Events from the partner bus: the EventBridge rule delivers the whole EventBridge event into the events queue;
 * the processor finds the supplier from the configured source, records the operation and applies it.
 */
import { randomUUID } from 'node:crypto';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationIdOf } from '../../shared/events/ingress';
import { api, bookingPath, carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation } from './support';

const SOURCE = 'com.example.reservations';
let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let sqs: SQSClient;

beforeAll(async () => {
  process.env.EVENT_SOURCES = JSON.stringify({ [SOURCE]: 'demo-supplier' });
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1 } });
  sqs = new SQSClient({
    endpoint: gateway.queues.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 60_000);
afterAll(async () => {
  delete process.env.EVENT_SOURCES;
  sqs?.destroy();
  await gateway?.close();
});

/** Puts an event on the queue as the rule does, and waits for its operation to end. */
async function deliver(detail: Record<string, unknown>, detailType = 'booking.upserted') {
  const eventId = randomUUID();
  const event = {
    version: '0',
    id: eventId,
    'detail-type': detailType,
    source: SOURCE,
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  };
  await sqs.send(
    new SendMessageCommand({ QueueUrl: gateway.queues.eventsQueueUrl, MessageBody: JSON.stringify(event) }),
  );
  const href = `${gateway.url}/v1/operations/${operationIdOf('demo-supplier', 'eventbridge', eventId)}`;
  const until = Date.now() + 30_000;
  for (;;) {
    const answer = await awaitOperation(gateway, gateway.apiKey, href);
    // The operation exists only once the processor has read the message.
    if (answer.status !== 404 || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('events from the partner bus', () => {
  it('applies a booking event from a configured source for that source’s supplier', async () => {
    const answer = await deliver({
      type: 'booking.upserted',
      timestamp: new Date().toISOString(),
      data: {
        companyId: COMPANY,
        confirmationNumber: 'EB1',
        booking: carBooking({}, { confirmationNumber: 'EB1' }),
        traveler: { loginId: TRAVELER },
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.operation).toMatchObject({ status: 'succeeded' });
    const mapping = await api(gateway, gateway.apiKey).get(bookingPath('EB1'));
    expect(mapping.status).toBe(200);
    expect(mapping.body.booking).toMatchObject({ bookingSource: 'DemoSupplier', status: 'active' });
    const trip = gateway.simulator!.state.trip(mapping.body.booking.tripId);
    expect(trip?.bookings.map((stored) => stored.booking.recordLocator)).toContain('EB1');
  });

  it('parks an event whose booking is invalid, with the problem and its path, and sends nothing to Concur', async () => {
    gateway.simulator!.requests.clear();
    const answer = await deliver({
      type: 'booking.upserted',
      timestamp: new Date().toISOString(),
      data: {
        companyId: COMPANY,
        confirmationNumber: 'EB2',
        booking: carBooking({}, { confirmationNumber: 'EB2', startDateLocal: 'not a date' }),
        traveler: { loginId: TRAVELER },
      },
    });
    expect(answer.body.operation).toMatchObject({
      status: 'parked',
      problem: {
        status: 400,
        errors: [expect.objectContaining({ path: expect.stringContaining('startDateLocal') })],
      },
    });
    expect(gateway.simulator!.requests.of('bookingPost')).toHaveLength(0);
  });

  it('parks an event that is no envelope, with the paths of what is wrong', async () => {
    const answer = await deliver({ type: 'booking.upserted', data: { companyId: COMPANY } });
    expect(answer.body.operation.status).toBe('parked');
    expect(answer.body.operation.problem.errors.length).toBeGreaterThan(0);
  });
});
