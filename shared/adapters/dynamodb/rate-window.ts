/**
 * The outbound rate limit shared by every function and worker: one-second windows of slots per Concur base URL
 * (slot-windows.ts, `pk = RATE#{key}`), a tenth of a window's allowance taken per write. A request waits for
 * the next window when this one is full, up to `maxWaitMs`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OUTBOUND_RATE_LIMITED_CODE } from '../../concur-client/http-attempt';
import type { Clock } from '../../gateway/ports';
import { noMetrics } from '../../observability/counter';
import type { GatewayMetrics } from '../../observability/counter';
import { GATEWAY_METRICS } from '../../observability/metric-names';
import { batchOf, SlotWindows } from './slot-windows';
import type { WindowLimit } from './slot-windows';

export interface RateLimiterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Requests per minute per key; each one-second window allows a sixtieth of it (at least 1). */
  ratePerMinute: number;
  /** How long a request waits for a free slot before OutboundRateLimitedError. */
  maxWaitMs: number;
  /** Slots taken per write (default: a tenth of a window's allowance, at least 1). */
  slotsPerTake?: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  metrics?: GatewayMetrics;
}

/**
 * No slot came free in time. Thrown from inside `fetch` with a code the Concur client knows as "never sent", so
 * it is retried like a refused connection and ends as Concur `unavailable` (an event goes back to the queue).
 */
export class OutboundRateLimitedError extends Error {
  readonly code = OUTBOUND_RATE_LIMITED_CODE;
  constructor(key: string) {
    super(`the gateway's own rate limit for ${key} is reached; try again shortly`);
    this.name = 'OutboundRateLimitedError';
  }
}

export interface OutboundLimiter {
  /** Resolves when a request to `key` may go out now. */
  acquire(key: string): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DynamoRateLimiter implements OutboundLimiter {
  private readonly windows: SlotWindows;
  private readonly limit: WindowLimit;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly metrics: GatewayMetrics;

  constructor(private readonly options: RateLimiterOptions) {
    this.clock = options.clock ?? { now: () => Date.now() };
    this.windows = new SlotWindows({
      client: options.client,
      tableName: options.tableName,
      partitionPrefix: 'RATE#',
      clock: this.clock,
    });
    const perSecond = Math.max(1, Math.floor(options.ratePerMinute / 60));
    this.limit = { perSecond, batch: batchOf(perSecond, options.slotsPerTake) };
    this.sleep = options.sleep ?? defaultSleep;
    this.metrics = options.metrics ?? noMetrics;
  }

  async acquire(key: string): Promise<void> {
    const startedAt = this.clock.now();
    const giveUpAt = startedAt + this.options.maxWaitMs;
    let waited = false;
    for (;;) {
      const now = this.clock.now();
      if (await this.windows.trySpend(key, this.limit)) {
        if (waited) {
          this.metrics.count(GATEWAY_METRICS.limiterWaits);
          this.metrics.time(GATEWAY_METRICS.limiterWaitTime, now - startedAt);
        }
        return;
      }
      const nextWindow = (Math.floor(now / 1000) + 1) * 1000;
      if (nextWindow >= giveUpAt) {
        this.metrics.count(GATEWAY_METRICS.limiterRejections);
        throw new OutboundRateLimitedError(key);
      }
      // A little jitter keeps the waiters from all arriving in the same millisecond.
      await this.sleep(nextWindow - now + Math.random() * 20);
      waited = true;
    }
  }
}

/** `fetch` that takes a slot of the request's origin (a Concur base URL) before every request. */
export function rateLimitedFetch(limiter: OutboundLimiter, inner: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    await limiter.acquire(new URL(url).origin);
    return inner(input, init);
  };
}
