/**
 * The events flow under the conditions partners create: 1,000 webhook deliveries for 100 bookings (6 versions
 * each) with duplicates (the same webhook-id again, and the same content under new ids), in shuffled order,
 * while the simulator answers 30% of booking posts with 503 and refuses 2% outright (and the first three, so
 * that some are refused however the arrival order falls). Everything real: the local server, dynalite, the
 * local SQS with its poller, the processor, the simulator over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { administration } from '../../shared/composition/administration';
import { eventServices } from '../../shared/composition/events';
import { bookingService } from '../../shared/composition/concur';
import type { OperationRecord } from '../../shared/events/operations';
import { carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { postWebhook } from './support';

const SECRET = `whsec_${Buffer.from('secret-of-the-flow-test-supplier').toString('base64')}`;
const BOOKINGS = 100;
const VERSIONS = 6;
const SAME_ID_AGAIN = 200;
const SAME_CONTENT_NEW_ID = 200;

let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway({
    events: { retryBaseSeconds: 1, maxReceives: 5, workers: 8 },
    // The limiter is measured on its own (limiter.test.ts); here it must not be the bottleneck.
    concurRatePerMinute: 600_000,
  });
  await administration().configureWebhookSecrets('demo-supplier', [SECRET]);
}, 60_000);
afterAll(() => gateway?.close());

/** A small seeded generator: the same shuffle on every run. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const confirmationOf = (booking: number) => `FLOW${String(booking).padStart(4, '0')}`;
const modifiedOf = (version: number) => `2027-01-0${version}T10:00:00`;
const rateOf = (version: number) => 100 + version;

function event(booking: number, version: number) {
  const confirmationNumber = confirmationOf(booking);
  return {
    type: 'booking.upserted',
    timestamp: `2027-01-0${version}T10:00:00Z`,
    data: {
      companyId: COMPANY,
      confirmationNumber,
      booking: carBooking(
        { dateModifiedUtc: modifiedOf(version) },
        { confirmationNumber, dailyRate: rateOf(version) },
      ),
      traveler: { loginId: TRAVELER },
    },
  };
}

interface Delivery {
  id: string;
  payload: ReturnType<typeof event>;
}

async function deliverAll(deliveries: Delivery[], concurrency: number): Promise<string[]> {
  const operationIds: string[] = new Array(deliveries.length);
  let next = 0;
  const worker = async () => {
    while (next < deliveries.length) {
      const index = next++;
      const { id, payload } = deliveries[index]!;
      const answer = await postWebhook(gateway, 'demo-supplier', payload, { id, secrets: [SECRET] });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      operationIds[index] = answer.body.operation.id;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return operationIds;
}

const FINAL = new Set(['succeeded', 'skipped', 'failed', 'parked']);

async function awaitFinal(ids: readonly string[], timeoutMs: number): Promise<OperationRecord[]> {
  const { operations } = eventServices();
  const until = Date.now() + timeoutMs;
  for (;;) {
    // In slices: a thousand reads at once queue behind the SDK's 50 sockets, and it warns of that.
    const records: (OperationRecord | undefined)[] = [];
    for (let start = 0; start < ids.length; start += 50)
      records.push(...(await Promise.all(ids.slice(start, start + 50).map((id) => operations.get(id)))));
    if (records.every((r) => r && FINAL.has(r.status)) || Date.now() > until)
      return records as OperationRecord[];
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every booking the simulator holds for the confirmation number, across all trips. */
function concurBookings(confirmationNumber: string) {
  return gateway
    .simulator!.state.trips(COMPANY)
    .flatMap((trip) => trip.bookings)
    .filter((stored) => stored.booking.recordLocator === confirmationNumber);
}

function dailyRateAtConcur(confirmationNumber: string): unknown {
  const [stored] = concurBookings(confirmationNumber);
  const segment = (stored?.booking.segments as { dailyRate?: unknown }[] | undefined)?.[0];
  return segment?.dailyRate;
}

describe('1,000 partner events with duplicates, reordering and Concur failures', () => {
  it('ends every booking in its newest state, once, and every accepted event applied, skipped or parked', async () => {
    const random = seeded(42);
    const originals: Delivery[] = [];
    for (let booking = 0; booking < BOOKINGS; booking++) {
      for (let version = 1; version <= VERSIONS; version++) {
        originals.push({ id: `msg_flow_${booking}_${version}`, payload: event(booking, version) });
      }
    }
    const pick = () => originals[Math.floor(random() * originals.length)]!;
    const deliveries = [
      ...originals,
      ...Array.from({ length: SAME_ID_AGAIN }, () => pick()),
      ...Array.from({ length: SAME_CONTENT_NEW_ID }, (_, n) => ({ ...pick(), id: `msg_flow_again_${n}` })),
    ];
    expect(deliveries).toHaveLength(1_000);
    // Fisher–Yates: the versions of a booking arrive in any order.
    for (let i = deliveries.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
    }

    const { faults } = gateway.simulator!;
    faults.setErrorRate({ route: 'bookingPost', status: 503, rate: 0.3 });
    faults.setErrorRate({ route: 'bookingPost', status: 400, rate: 0.02 });
    // The rate alone draws no refusal at all in a few runs out of a hundred: how many posts there are, and so
    // how many draws, depends on the arrival order.
    faults.failNext('bookingPost', { kind: 'status', status: 400 }, 3);

    const operationIds = await deliverAll(deliveries, 16);
    const accepted = [...new Set(operationIds)];
    // One operation per distinct webhook-id: the same id again found the first one.
    expect(accepted).toHaveLength(originals.length + SAME_CONTENT_NEW_ID);

    const records = await awaitFinal(accepted, 240_000);
    const count = (status: string) => records.filter((r) => r.status === status).length;
    expect(records.filter((r) => !FINAL.has(r.status)).map((r) => `${r.id} ${r.status}`)).toEqual([]);
    expect(count('failed')).toBe(0);
    expect(count('succeeded') + count('skipped') + count('parked')).toBe(accepted.length);
    expect(count('skipped')).toBeGreaterThan(0);
    // Concur's refusals (400) are parked at once with Concur's problem, never retried.
    const parked = records.filter((r) => r.status === 'parked');
    expect(parked.length).toBeGreaterThan(0);
    for (const record of parked)
      expect(record.problem?.type).toBe('urn:concur-gateway:problem:concur-rejected');
    const refusals = gateway.simulator!.requests.entries.filter(
      (e) => e.fault === 'error-rate:400' || e.fault === 'next:status 400',
    ).length;
    expect(refusals).toBeGreaterThanOrEqual(3);
    expect(refusals).toBe(parked.length);
    // About 30% of the booking posts met a 503 (how many posts there were depends on how many events were
    // skipped as older than what was already applied, which the arrival order decides).
    const posts = gateway.simulator!.requests.of('bookingPost');
    const unavailable = posts.filter((e) => e.fault === 'error-rate:503').length;
    expect(unavailable).toBeGreaterThan(posts.length * 0.15);

    // The fault is gone: the parked events replay to success (or to skipped, when a newer one was applied).
    faults.clear();
    const { parked: operator } = eventServices();
    const listed = await operator.list({ limit: 1_000 });
    expect(listed.operations.map((r) => r.id).sort()).toEqual(parked.map((r) => r.id).sort());
    const { replayed } = await operator.replayAll();
    expect(replayed.sort()).toEqual(parked.map((r) => r.id).sort());
    const replays = await awaitFinal(replayed, 60_000);
    for (const record of replays) expect(['succeeded', 'skipped'], record.id).toContain(record.status);
    expect((await operator.list()).operations).toEqual([]);

    // An outage that outlasts the client's own retries: the event comes back from the queue until Concur answers.
    faults.setErrorRate({ route: 'bookingPost', status: 503, rate: 1 });
    const outage = await postWebhook(gateway, 'demo-supplier', event(BOOKINGS, 1), {
      id: 'msg_flow_outage',
      secrets: [SECRET],
    });
    expect(outage.status).toBe(202);
    const outageId = outage.body.operation.id as string;
    for (const until = Date.now() + 60_000; Date.now() < until;) {
      if (((await eventServices().operations.get(outageId))?.attempts ?? 0) >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    faults.clear();
    const [afterOutage] = await awaitFinal([outageId], 60_000);
    expect(afterOutage).toMatchObject({ status: 'succeeded' });
    expect(afterOutage!.attempts).toBeGreaterThan(1);

    for (let booking = 0; booking < BOOKINGS; booking++) {
      const confirmationNumber = confirmationOf(booking);
      expect(concurBookings(confirmationNumber), confirmationNumber).toHaveLength(1);
      expect(dailyRateAtConcur(confirmationNumber), confirmationNumber).toBe(rateOf(VERSIONS));
      const mapping = await bookingService().get(
        (await eventServices().supplierOf('demo-supplier'))!,
        COMPANY,
        confirmationNumber,
      );
      expect(mapping.sourceModifiedUtc).toBe(modifiedOf(VERSIONS));
    }
  }, 420_000);
});
