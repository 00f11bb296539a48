/**
 * Which answers are worth another attempt, and how long to wait first: exponential backoff with full jitter,
 * unless Concur says when to come back (Retry-After).
 */
import type { ConcurErrorKind } from './errors';

export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000 };

// Concur answers 400 for some passing troubles (its HTTP status code reference): these are worth retrying.
const RATE_LIMIT_400 = /request limit exceeded/i;
const TRANSIENT_400 = /request limit exceeded|deadlock|resend shortly/i;

/** Whether an HTTP answer is a passing trouble, and what it is called if it persists. */
export function transientKindOf(status: number, message: string | undefined): ConcurErrorKind | undefined {
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'unavailable';
  if (status === 400 && message !== undefined && TRANSIENT_400.test(message)) {
    return RATE_LIMIT_400.test(message) ? 'rate-limited' : 'unavailable';
  }
  return undefined;
}

/** Full jitter: a random wait between 0 and the exponential cap for this attempt (1-based). */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const cap = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * cap);
}

/** Retry-After as seconds or an HTTP date, in ms from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
