/**
 * Trips by the supplier's key: `trip.upserted` without a trip id names its trip by `tripKey`, so that repeated
 * upserts of one key, whatever their webhook-ids and however many arrive at once, update one trip at Concur.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { administration } from '../../shared/composition/administration';
import { COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation, postWebhook } from './support';

const SECRET = `whsec_${Buffer.from('secret-of-the-trip-keys-test').toString('base64')}`;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1, workers: 4 } });
  await administration().configureWebhookSecrets('demo-supplier', [SECRET]);
}, 60_000);
afterAll(() => gateway?.close());

function tripEvent(data: Record<string, unknown>, tripName: string, recordLocator: string) {
  return {
    type: 'trip.upserted',
    timestamp: new Date().toISOString(),
    data: {
      companyId: COMPANY,
      ...data,
      itinerary: {
        tripName,
        startDateLocal: '2027-05-01T08:00:00',
        endDateLocal: '2027-05-04T20:00:00',
        bookings: [
          {
            recordLocator,
            segments: [
              {
                kind: 'car',
                vendor: 'ZE',
                confirmationNumber: recordLocator,
                startDateLocal: '2027-05-01T12:00:00',
                endDateLocal: '2027-05-03T12:00:00',
                startCityCode: 'SEA',
                endCityCode: 'SEA',
              },
            ],
            passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
          },
        ],
      },
      traveler: { loginId: TRAVELER },
    },
  };
}

/** The trips the simulator holds with a booking of this record locator. */
const tripsHolding = (recordLocator: string) =>
  gateway
    .simulator!.state.trips(COMPANY)
    .filter((trip) => trip.bookings.some((stored) => stored.booking.recordLocator === recordLocator));

async function deliverAll(events: unknown[]) {
  const answers = await Promise.all(
    events.map((event) => postWebhook(gateway, 'demo-supplier', event, { secrets: [SECRET] })),
  );
  for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  return Promise.all(
    answers.map(async (answer) => {
      const done = await awaitOperation(gateway, gateway.apiKey, answer.body.operation.href, 60_000);
      return done.body.operation;
    }),
  );
}

describe('trip.upserted with a tripKey', () => {
  it('creates one trip for 12 upserts of one key sent at once under new webhook-ids, and updates it', async () => {
    const creates = () => gateway.simulator!.requests.of('tripCreate').length;
    const before = creates();
    const operations = await deliverAll(
      Array.from({ length: 12 }, () => tripEvent({ tripKey: 'SUP-TRIP-1' }, 'Seattle', 'KEYED-1')),
    );
    expect(operations.map((operation) => operation.status)).toEqual(Array(12).fill('succeeded'));
    expect(creates() - before).toBe(1);
    expect(operations.filter((operation) => operation.result.status === 201)).toHaveLength(1);
    const [trip] = tripsHolding('KEYED-1');
    expect(tripsHolding('KEYED-1')).toHaveLength(1);
    expect(new Set(operations.map((operation) => operation.result.body.tripId))).toEqual(new Set([trip!.id]));

    // A later upsert of the key replaces that trip.
    const [renamed] = await deliverAll([tripEvent({ tripKey: 'SUP-TRIP-1' }, 'Seattle, longer', 'KEYED-1')]);
    expect(renamed).toMatchObject({
      status: 'succeeded',
      result: { status: 200, body: { tripId: trip!.id } },
    });
    expect(creates() - before).toBe(1);
    expect(tripsHolding('KEYED-1').map((t) => t.header.tripName)).toEqual(['Seattle, longer']);

    // Another key is another trip.
    const [other] = await deliverAll([tripEvent({ tripKey: 'SUP-TRIP-2' }, 'Portland', 'KEYED-2')]);
    expect(other).toMatchObject({ status: 'succeeded', result: { status: 201 } });
    expect(other.result.body.tripId).not.toBe(trip!.id);
  }, 120_000);

  it('refuses a trip.upserted naming both tripId and tripKey (400, the path)', async () => {
    const answer = await postWebhook(
      gateway,
      'demo-supplier',
      tripEvent({ tripKey: 'SUP-TRIP-3', tripId: 'T-1' }, 'Both', 'KEYED-3'),
      { secrets: [SECRET] },
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors.map((problem: { path: string }) => problem.path)).toContain('data.tripKey');
  });
});
