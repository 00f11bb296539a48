/**
 * The outbound rate limit shared by every function and worker: a fixed one-second window counter per key in
 * the state table (`pk = RATE#{key}`, `sk = {epoch second}`), taken with one conditional `UpdateItem`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { OUTBOUND_RATE_LIMITED_CODE } from '../../concur-client/http-attempt';
import type { Clock } from '../../gateway/ports';
import { documentClient, isConditionalCheckFailed } from './document-client';

export interface RateLimiterOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Requests per minute per key; each one-second window allows a sixtieth of it (at least 1). */
  ratePerMinute: number;
  /** How long a request waits for a free slot before OutboundRateLimitedError. */
  maxWaitMs: number;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
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
  private readonly documents: DynamoDBDocumentClient;
  private readonly perSecond: number;
  private readonly clock: Clock;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: RateLimiterOptions) {
    this.documents = documentClient(options.client);
    this.perSecond = Math.max(1, Math.floor(options.ratePerMinute / 60));
    this.clock = options.clock ?? { now: () => Date.now() };
    this.sleep = options.sleep ?? defaultSleep;
  }

  async acquire(key: string): Promise<void> {
    const giveUpAt = this.clock.now() + this.options.maxWaitMs;
    for (;;) {
      const now = this.clock.now();
      const second = Math.floor(now / 1000);
      if (await this.take(key, second)) return;
      const nextWindow = (second + 1) * 1000;
      if (nextWindow >= giveUpAt) throw new OutboundRateLimitedError(key);
      // A little jitter keeps the waiters from all arriving in the same millisecond.
      await this.sleep(nextWindow - now + Math.random() * 20);
    }
  }

  private async take(key: string, second: number): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: `RATE#${key}`, sk: String(second) },
          UpdateExpression: 'ADD used :one SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(used) OR used < :limit',
          ExpressionAttributeValues: { ':one': 1, ':limit': this.perSecond, ':expiresAt': second + 60 },
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
