/**
 * The outbound rate limit, measured where it matters: at the simulator's request log. A burst of 80 events for
 * 80 bookings, processed by 4 workers of 10 records each, must reach Concur at the configured 10 requests a
 * second, never in a rush that would earn 429s.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { administration } from '../../shared/composition/administration';
import { retryDelaySeconds, DEFAULT_EVENT_RETRY } from '../../shared/events/processor';
import { carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation, bookingEvent, postWebhook } from './support';

const SECRET = `whsec_${Buffer.from('secret-of-the-limiter-test-supplier').toString('base64')}`;
const PER_MINUTE = 600;
const PER_SECOND = PER_MINUTE / 60;
const EVENTS = 80;

let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway({
    events: { retryBaseSeconds: 1, workers: 4 },
    concurRatePerMinute: PER_MINUTE,
  });
  await administration().configureWebhookSecrets('demo-supplier', [SECRET]);
}, 60_000);
afterAll(() => gateway?.close());

describe('outbound rate limit', () => {
  it('holds the calls to Concur at the configured rate under a burst', async () => {
    gateway.simulator!.requests.clear();
    const answers = await Promise.all(
      Array.from({ length: EVENTS }, (_, n) => {
        const confirmationNumber = `RATE${n}`;
        return postWebhook(
          gateway,
          'demo-supplier',
          bookingEvent(confirmationNumber, {
            companyId: COMPANY,
            booking: carBooking({}, { confirmationNumber }),
            traveler: { loginId: TRAVELER },
          }),
          { secrets: [SECRET] },
        );
      }),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(EVENTS).fill(202));
    for (const answer of answers) {
      const done = await awaitOperation(gateway, gateway.apiKey, answer.body.operation.href, 60_000);
      expect(done.body.operation.status).toBe('succeeded');
    }

    const sent = gateway
      .simulator!.requests.entries.filter((entry) => entry.route !== undefined)
      .map((entry) => Date.parse(entry.receivedAt))
      .sort((a, b) => a - b);
    expect(sent.length).toBeGreaterThanOrEqual(EVENTS);
    expect(gateway.simulator!.requests.entries.filter((entry) => entry.status === 429)).toEqual([]);
    // Fixed one-second windows: at most the limit in each, so at most twice the limit in any second (plus two
    // for requests taken at the end of a window that reach the simulator a few milliseconds later).
    let busiest = 0;
    for (let i = 0, j = 0; i < sent.length; i++) {
      while (sent[i]! - sent[j]! >= 1000) j++;
      busiest = Math.max(busiest, i - j + 1);
    }
    expect(busiest).toBeLessThanOrEqual(2 * PER_SECOND + 2);
    // Over the burst, the configured rate: n requests need at least (n - limit) / limit seconds.
    const seconds = (sent.at(-1)! - sent[0]!) / 1000;
    expect(seconds).toBeGreaterThanOrEqual((sent.length - PER_SECOND) / PER_SECOND - 1);
    expect((sent.length - PER_SECOND) / seconds).toBeLessThanOrEqual(PER_SECOND * 1.25);
  }, 120_000);
});

describe('retry delays of the events processor', () => {
  it('grow from seconds to minutes, capped, never below Retry-After', () => {
    const upper = (receive: number) => retryDelaySeconds(DEFAULT_EVENT_RETRY, receive, 0, () => 1);
    const lower = (receive: number) => retryDelaySeconds(DEFAULT_EVENT_RETRY, receive, 0, () => 0);
    expect([1, 2, 3, 4, 5, 6, 7].map(upper)).toEqual([5, 10, 20, 40, 80, 160, 320]);
    expect(lower(7)).toBe(160);
    expect(upper(20)).toBe(DEFAULT_EVENT_RETRY.maxSeconds);
    expect(retryDelaySeconds(DEFAULT_EVENT_RETRY, 1, 120, () => 0)).toBe(120);
  });
});
