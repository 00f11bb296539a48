/**
 * How often the change poller runs: `CHANGE_POLL_INTERVAL` (`10m`, `30s`, `1h`, `500ms`), ten minutes by default.
 * Concur's polling rule forbids less than ten minutes against Concur; only the local simulator allows shorter.
 */
import { CONCUR_MIN_POLL_INTERVAL_MS } from './ports';

export const DEFAULT_POLL_INTERVAL_MS = CONCUR_MIN_POLL_INTERVAL_MS;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** The interval in ms; throws naming the value when it is no duration or shorter than `minimumMs`. */
export function pollIntervalFromEnv(
  value: string | undefined,
  minimumMs: number = CONCUR_MIN_POLL_INTERVAL_MS,
): number {
  if (value === undefined || value.trim() === '') return Math.max(DEFAULT_POLL_INTERVAL_MS, minimumMs);
  const match = /^\s*(\d+)\s*(ms|s|m|h)\s*$/.exec(value);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2]!]! : NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0)
    throw new Error(`CHANGE_POLL_INTERVAL: "${value}" is not a duration like 10m, 30s or 1h`);
  if (ms < minimumMs)
    throw new Error(
      `CHANGE_POLL_INTERVAL: ${value} is shorter than ${minimumMs / 60_000} minutes, which Concur's polling rule forbids`,
    );
  return ms;
}
