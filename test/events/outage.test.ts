/**
 * Waiting Concur out. An outage of 2 hours (Concur answering 503 to everything, with Concur's own advice to come
 * back in 5 minutes) parks no operation of the async path: the default retry policy spans more than that. The
 * local queue's seconds are shortened (1 s lasts 2 ms), so the 2 hours last 14.4 s. The synchronous path answers
 * Concur's 503 with 503 and `Retry-After: 300`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_RETRY } from '../../shared/events/processor';
import { api, bookingPath, carBooking, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation } from './support';

/** 1 s of the queue (its delays and visibility timeouts) lasts SCALE s. */
const SCALE = 0.002;
const OUTAGE_SECONDS = 2 * 3600;

let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway({
    events: {
      secondsScale: SCALE,
      // An attempt takes real milliseconds: its visibility timeout (scaled too) must outlast it, or another
      // worker would take the message while the attempt still runs.
      attemptTimeoutSeconds: 20_000,
    },
  });
}, 60_000);
afterAll(() => gateway?.close());

describe('a Concur outage', () => {
  it('of 2 hours parks nothing: every operation accepted during it is applied after it', async () => {
    expect(DEFAULT_EVENT_RETRY.maxReceives, 'the default policy, not a test’s').toBe(17);
    const simulator = gateway.simulator!;
    const client = api(gateway, gateway.apiKey);
    simulator.faults.setErrorRate({ route: '*', status: 503, rate: 1, retryAfter: 300 });
    const outageStarted = Date.now();
    const numbers = ['OUTAGE-1', 'OUTAGE-2', 'OUTAGE-3', 'OUTAGE-4'];
    const accepted = await Promise.all(
      numbers.map((confirmationNumber) =>
        client.put(
          bookingPath(confirmationNumber),
          { booking: carBooking({}, { confirmationNumber }), traveler: { loginId: TRAVELER } },
          { prefer: 'respond-async' },
        ),
      ),
    );
    for (const answer of accepted) expect(answer.status, JSON.stringify(answer.body)).toBe(202);

    const outageEnds = outageStarted + OUTAGE_SECONDS * SCALE * 1000;
    for (;;) {
      const operations = await Promise.all(
        accepted.map(async (answer) => (await client.get(new URL(answer.body.operation.href).pathname)).body),
      );
      // Nothing ends while Concur is down: not parked, not failed.
      for (const { operation } of operations) expect(operation.status).toMatch(/^(accepted|processing)$/);
      if (Date.now() >= outageEnds) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    simulator.faults.clear();
    const posts = simulator.requests.of('bookingPost');
    // The operations kept trying through the outage, to its end.
    const lastRefused = Math.max(
      ...posts.filter((entry) => entry.status === 503).map((entry) => Date.parse(entry.receivedAt)),
    );
    expect(lastRefused).toBeGreaterThan(outageStarted + 0.75 * (outageEnds - outageStarted));

    for (const answer of accepted) {
      const done = await awaitOperation(gateway, gateway.apiKey, answer.body.operation.href, 60_000);
      expect(done.body.operation, JSON.stringify(done.body)).toMatchObject({
        status: 'succeeded',
        result: { status: 201 },
      });
    }
  }, 120_000);
});

describe('the synchronous path when Concur answers 503', () => {
  it('answers 503 with Retry-After: 300, as Concur asks, or Concur’s own Retry-After', async () => {
    const simulator = gateway.simulator!;
    const client = api(gateway, gateway.apiKey);
    const put = (confirmationNumber: string) =>
      client.put(bookingPath(confirmationNumber), {
        booking: carBooking({}, { confirmationNumber }),
        traveler: { loginId: TRAVELER },
      });

    simulator.faults.setErrorRate({ route: 'bookingPost', status: 503, rate: 1 });
    const down = await put('SYNC-503-1');
    expect(down.status, JSON.stringify(down.body)).toBe(503);
    expect(down.body).toMatchObject({
      type: expect.stringContaining('concur-unavailable'),
      concur: { status: 503 },
    });
    expect(down.headers.get('retry-after')).toBe('300');

    simulator.faults.clear();
    simulator.faults.setErrorRate({ route: 'bookingPost', status: 503, rate: 1, retryAfter: 60 });
    const told = await put('SYNC-503-2');
    expect(told.status).toBe(503);
    expect(told.headers.get('retry-after')).toBe('60');

    // Another 5xx is no maintenance: a try sooner is worth it.
    simulator.faults.clear();
    simulator.faults.setErrorRate({ route: 'bookingPost', status: 502, rate: 1 });
    const failing = await put('SYNC-502');
    expect(failing.status).toBe(503);
    expect(failing.headers.get('retry-after')).toBe('30');
    simulator.faults.clear();
  }, 120_000);
});
