/**
 * When a message is tried again after a retryable failure (no answer, a timeout, 429, 5xx): the first attempt
 * goes at once, the retries after the delays of the schedule, then the message has failed. `WEBHOOK_RETRY_SCHEDULE`
 * (e.g. `1s,2s,4s`) replaces the retries' delays, for tests and local runs.
 */

/** Delays of the retries, in seconds: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (8 attempts in about 27.6 h). */
export const DEFAULT_RETRY_DELAYS_SECONDS: readonly number[] = [
  5,
  5 * 60,
  30 * 60,
  2 * 3600,
  5 * 3600,
  10 * 3600,
  10 * 3600,
];

/** A delay SQS can give a received message: at most 12 hours. */
const MAX_DELAY_SECONDS = 12 * 3600;
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

/** `1s,2s,4s` → [1, 2, 4]; throws naming the part it cannot read. */
export function parseRetrySchedule(text: string): number[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)\s*([smh])\s*$/.exec(part);
    const seconds = match ? Number(match[1]) * UNIT_SECONDS[match[2]!]! : NaN;
    if (!Number.isInteger(seconds) || seconds > MAX_DELAY_SECONDS)
      throw new Error(
        `WEBHOOK_RETRY_SCHEDULE: "${part.trim()}" is not a duration of at most 12h like 5s, 5m or 2h`,
      );
    return seconds;
  });
}

export function retryDelaysFromEnv(value: string | undefined): readonly number[] {
  return value ? parseRetrySchedule(value) : DEFAULT_RETRY_DELAYS_SECONDS;
}

/**
 * The delay before the attempt after attempt `attempt` (1-based) failed retryably, or undefined when that was
 * the last. Retry-After is honoured up to the step after this one: a receiver may slow the schedule down, not
 * stop it.
 */
export function retryDelaySeconds(
  delays: readonly number[],
  attempt: number,
  retryAfterSeconds?: number,
): number | undefined {
  const step = delays[attempt - 1];
  if (step === undefined) return undefined;
  if (retryAfterSeconds === undefined || retryAfterSeconds <= step) return step;
  const ceiling = delays[attempt] ?? step;
  return Math.min(Math.max(retryAfterSeconds, step), Math.max(ceiling, step), MAX_DELAY_SECONDS);
}
