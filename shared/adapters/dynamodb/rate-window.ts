/**
 * The outbound rate limit shared by every function and worker, per key: the Concur calls of one Concur app, or
 * the deliveries to one webhook endpoint's origin. Two limits, both counted in the state table (slot-windows.ts):
 *
 * - **a minute's**, as one-second windows of a sixtieth of it each (`pk = RATE#{key}`), a tenth of a window's
 *   allowance taken per write: the calls never bunch up within the minute;
 * - **an hour's** (clock hours, `pk = RATE-HOUR#{key}`), counted only when the seconds could add up past it, so
 *   when the minute's limit × 60 is above the hour's. With the Concur defaults (3,000 a minute, 200,000 an hour)
 *   the seconds allow at most 180,000 an hour: the hour is then enforced by the seconds alone and costs no write.
 *   When it is counted, a container takes the hour's slots in batches growing from one to a 400th of the hour
 *   and spends them from memory for the rest of the hour, so the common path stays the second's write, amortized
 *   over its batch, plus at most one write per batch of the hour (a 500th of a write per call at 200,000). Slots a
 *   container holds at the end of the hour lapse unused: the hour's total can fall short of its limit by what the
 *   warm containers hold (a 400th of the hour each, at most), never pass it.
 *
 * A request waits for the next window when this one is full, up to `maxWaitMs`; one that cannot go out within it
 * (an hour used up, minutes before the next) is refused at once.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OUTBOUND_RATE_LIMITED_CODE } from '../../concur-client/http-attempt';
import type { Clock } from '../../gateway/ports';
import { noMetrics } from '../../observability/counter';
import type { GatewayMetrics } from '../../observability/counter';
import { GATEWAY_METRICS } from '../../observability/metric-names';
import { batchOf, SlotWindows } from './slot-windows';
import type { WindowLimit } from './slot-windows';

/** A key's limits. */
export interface RateLimits {
  /** Requests a minute; each one-second window allows a sixtieth of it (at least 1). */
  perMinute: number;
  /** Requests a clock hour; absent: none beyond what the minute's limit allows. */
  perHour?: number;
}

export interface RateLimiterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** A key's limits; asked on every request, so it answers from memory (a cache) after the first. */
  limitsOf: (key: string) => RateLimits | Promise<RateLimits>;
  /** How long a request waits for a free slot before OutboundRateLimitedError. */
  maxWaitMs: number;
  /** Slots of a second taken per write (default: a tenth of a window's allowance, at least 1). */
  slotsPerTake?: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  metrics?: GatewayMetrics;
}

/** The largest batch of an hour's slots a container takes, as a part of the hour's limit. */
const HOUR_BATCH_DIVISOR = 400;

/**
 * No slot came free in time, or the limit could not be counted. Thrown from inside `fetch` with a code the Concur
 * client knows as "never sent", so it is retried like a refused connection and ends as Concur `unavailable` (an
 * event goes back to the queue).
 */
export class OutboundRateLimitedError extends Error {
  readonly code = OUTBOUND_RATE_LIMITED_CODE;
  constructor(key: string, options?: { cause: unknown }) {
    super(
      options
        ? `the gateway's own rate limit for ${key} could not be counted; try again shortly`
        : `the gateway's own rate limit for ${key} is reached; try again shortly`,
      options,
    );
    this.name = 'OutboundRateLimitedError';
  }
}

export interface OutboundLimiter {
  /** Resolves when a request counted under `key` may go out now. */
  acquire(key: string): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The windows a key's limits are counted in: the second's always, the hour's when the seconds do not imply it. */
export function windowLimitsOf(
  limits: RateLimits,
  slotsPerTake?: number,
): { second: WindowLimit; hour?: WindowLimit } {
  const perSecond = Math.max(1, Math.floor(limits.perMinute / 60));
  const second = { perWindow: perSecond, batch: batchOf(perSecond, slotsPerTake) };
  if (limits.perHour === undefined || perSecond * 3_600 <= limits.perHour) return { second };
  const hourBatch = Math.max(1, Math.floor(limits.perHour / HOUR_BATCH_DIVISOR));
  return { second, hour: { perWindow: limits.perHour, batch: hourBatch, growing: true } };
}

export class DynamoRateLimiter implements OutboundLimiter {
  private readonly seconds: SlotWindows;
  private readonly hours: SlotWindows;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly metrics: GatewayMetrics;

  constructor(private readonly options: RateLimiterOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    const windows = (partitionPrefix: string, windowSeconds: number) =>
      new SlotWindows({
        client: options.client,
        tableName: options.tableName,
        partitionPrefix,
        windowSeconds,
        clock: this.clock,
      });
    this.seconds = windows('RATE#', 1);
    this.hours = windows('RATE-HOUR#', 3_600);
    this.sleep = options.sleep ?? defaultSleep;
    this.metrics = options.metrics ?? noMetrics;
  }

  async acquire(key: string): Promise<void> {
    const startedAt = this.clock.now();
    const giveUpAt = startedAt + this.options.maxWaitMs;
    const { second, hour } = windowLimitsOf(await this.options.limitsOf(key), this.options.slotsPerTake);
    let waited = false;
    const waitFor = async (windows: SlotWindows, limit: WindowLimit) => {
      for (;;) {
        const now = this.clock.now();
        if (await windows.trySpend(key, limit)) return;
        const next = windows.nextWindowAfter(now);
        if (next >= giveUpAt) {
          this.metrics.count(GATEWAY_METRICS.limiterRejections);
          throw new OutboundRateLimitedError(key);
        }
        // A little jitter keeps the waiters from all arriving in the same millisecond.
        await this.sleep(next - now + Math.random() * 20);
        waited = true;
      }
    };
    if (hour) await waitFor(this.hours, hour);
    await waitFor(this.seconds, second);
    if (waited) {
      this.metrics.count(GATEWAY_METRICS.limiterWaits);
      this.metrics.time(GATEWAY_METRICS.limiterWaitTime, this.clock.now() - startedAt);
    }
  }
}

/**
 * `fetch` that takes a slot under `key` before every request. A limit that cannot be counted (its table or its
 * limits unreadable) holds the request back as never sent, rather than letting it out uncounted or leaving its
 * outcome unknown.
 */
export function rateLimitedFetch(limiter: OutboundLimiter, key: string, inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    try {
      await limiter.acquire(key);
    } catch (error) {
      if (error instanceof OutboundRateLimitedError) throw error;
      throw new OutboundRateLimitedError(key, { cause: error });
    }
    return inner(input, init);
  };
}
