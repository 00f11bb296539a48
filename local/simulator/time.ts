/**
 * Time for the simulator: an injectable clock (token expiry and list defaults can be tested without waiting),
 * Concur's `YYYY-MM-DDThh:mm:ss` format, and the dates the trip list accepts in its query string.
 */

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that only moves when told to: `advance(ms)` and `set(date)`. */
export interface ManualClock extends Clock {
  advance(milliseconds: number): void;
  set(date: Date | string): void;
}

export function createManualClock(start: Date | string = '2013-12-01T00:00:00Z'): ManualClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advance: (milliseconds) => {
      current += milliseconds;
    },
    set: (date) => {
      current = new Date(date).getTime();
    },
  };
}

/** Concur's dateTime: UTC, no offset, no fraction. */
export function concurDateTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}

export function addDays(date: Date, days: number): Date {
  const out = new Date(date.getTime());
  out.setUTCDate(out.getUTCDate() + days);
  return out;
}

export function addMonths(date: Date, months: number): Date {
  const out = new Date(date.getTime());
  out.setUTCMonth(out.getUTCMonth() + months);
  return out;
}

const QUERY_DATE = /^(\d{4})[-/](\d{2})[-/](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?Z?)?$/;

/**
 * Reads a list filter date: `YYYY-MM-DD`, `YYYY/MM/DD` (the seeds send it URL-encoded, `2012%2F02%2F01`), or a
 * date and time (lastModifiedDate accepts both). A date alone means the start or the end of that day.
 * Returns undefined when the text is not such a date.
 */
export function parseQueryDate(text: string, edge: 'start' | 'end'): string | undefined {
  const match = QUERY_DATE.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match as unknown as [
    string,
    string,
    string,
    string,
    string?,
    string?,
    string?,
  ];
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  if (date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) return undefined;
  if (hour === undefined) return `${year}-${month}-${day}T${edge === 'start' ? '00:00:00' : '23:59:59'}`;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second ?? 0) > 59) return undefined;
  return `${year}-${month}-${day}T${hour}:${minute}:${second ?? '00'}`;
}
