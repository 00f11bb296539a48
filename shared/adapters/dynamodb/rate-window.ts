/**
 * The outbound rate limit shared by every function and worker: a fixed one-second window counter per key in
 * the state table (`pk = RATE#{key}`, `sk = {epoch second}`), taken with one conditional `UpdateItem`.
 *
 * A container takes its slots in small batches (a tenth of a window's allowance) and spends them locally
 * within that second, so a warm container does not pay a DynamoDB write for every Concur call. Slots a
 * container took but did not use lapse with their second; the window's total never exceeds the limit.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OUTBOUND_RATE_LIMITED_CODE } from '../../concur-client/http-attempt';
import type { Clock } from '../../gateway/ports';
import { noMetrics } from '../../observability/counter';
import type { GatewayMetrics } from '../../observability/counter';
import { GATEWAY_METRICS } from '../../observability/metric-names';
import { documentClient, isConditionalCheckFailed } from './document-client';

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

/** Slots this container holds for a key: usable only within their second. */
interface HeldSlots {
  second: number;
  remaining: number;
  /** The window was found full: wait for the next one without asking again. */
  full: boolean;
}

export class DynamoRateLimiter implements OutboundLimiter {
  private readonly documents: DynamoDBDocumentClient;
  private readonly perSecond: number;
  private readonly batch: number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly held = new Map<string, HeldSlots>();
  /** One write at a time per key: concurrent callers wait for it rather than each taking a batch. */
  private readonly taking = new Map<string, Promise<void>>();
  private readonly metrics: GatewayMetrics;

  constructor(private readonly options: RateLimiterOptions) {
    this.documents = documentClient(options.client);
    this.perSecond = Math.max(1, Math.floor(options.ratePerMinute / 60));
    this.batch = Math.min(
      this.perSecond,
      Math.max(1, options.slotsPerTake ?? Math.floor(this.perSecond / 10)),
    );
    this.clock = options.clock ?? { now: () => Date.now() };
    this.sleep = options.sleep ?? defaultSleep;
    this.metrics = options.metrics ?? noMetrics;
  }

  async acquire(key: string): Promise<void> {
    const startedAt = this.clock.now();
    const giveUpAt = startedAt + this.options.maxWaitMs;
    let waited = false;
    for (;;) {
      const now = this.clock.now();
      const second = Math.floor(now / 1000);
      const slots = this.held.get(key);
      if (slots?.second === second && slots.remaining > 0) {
        slots.remaining--;
        if (waited) {
          this.metrics.count(GATEWAY_METRICS.limiterWaits);
          this.metrics.time(GATEWAY_METRICS.limiterWaitTime, now - startedAt);
        }
        return;
      }
      if (slots?.second !== second || !slots.full) {
        const pending = this.taking.get(key);
        if (pending) {
          await pending;
          continue;
        }
        const take = this.take(key, second).finally(() => this.taking.delete(key));
        this.taking.set(
          key,
          take.then(
            () => undefined,
            () => undefined,
          ),
        );
        await take;
        continue;
      }
      const nextWindow = (second + 1) * 1000;
      if (nextWindow >= giveUpAt) {
        this.metrics.count(GATEWAY_METRICS.limiterRejections);
        throw new OutboundRateLimitedError(key);
      }
      // A little jitter keeps the waiters from all arriving in the same millisecond.
      await this.sleep(nextWindow - now + Math.random() * 20);
      waited = true;
    }
  }

  /** Takes a batch of the second's slots, or a single one when a batch no longer fits, or finds it full. */
  private async take(key: string, second: number): Promise<void> {
    for (const count of this.batch > 1 ? [this.batch, 1] : [1]) {
      if (await this.takeSlots(key, second, count)) {
        this.held.set(key, { second, remaining: count, full: false });
        return;
      }
    }
    this.held.set(key, { second, remaining: 0, full: true });
  }

  private async takeSlots(key: string, second: number, count: number): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: `RATE#${key}`, sk: String(second) },
          UpdateExpression: 'ADD used :count SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeValues: {
            ':count': count,
            ':room': this.perSecond - count,
            ':expiresAt': second + 60,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
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
