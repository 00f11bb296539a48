/**
 * Every API call the simulator received, for tests to read (in process, or `GET /_sim/requests`): what came in,
 * what went out, and which fault was applied. Credentials are redacted to their last 4 characters: the
 * Authorization header keeps its scheme (`Bearer ****wxyz`), the token endpoint's form keeps its field names.
 */
import type { ApiRoute } from '../../shared/sandbox/fault-rules';

export type RequestOutcome = 'pending' | 'answered' | 'hung' | 'destroyed';

export interface RequestLogEntry {
  /** 1, 2, 3… in arrival order. */
  seq: number;
  /** When the request arrived, by the simulator's clock. */
  receivedAt: string;
  method: string;
  /** The path as sent (not decoded), e.g. `/api/travel/trip/v1.1/ab%24cd`. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased names; authorization redacted. */
  headers: Record<string, string>;
  body: string;
  route?: ApiRoute;
  /** The status sent; null while pending and when no response was ever sent. */
  status: number | null;
  outcome: RequestOutcome;
  correlationId: string;
  /** The fault applied, e.g. `next:status 503`, `error-rate:503`, `next:hang`. */
  fault?: string;
  /** Injected latency, in milliseconds. */
  delayMs?: number;
}

const SECRET_FORM_FIELDS = ['client_secret', 'refresh_token', 'password', 'code'];

export function redactSecret(secret: string): string {
  return `****${secret.slice(-4)}`;
}

/** `Bearer abc…wxyz` → `Bearer ****wxyz`: the scheme and the last 4 characters. */
export function redactAuthorization(value: string): string {
  const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(value);
  return match ? `${match[1]} ${redactSecret(match[2]!)}` : redactSecret(value.trim());
}

/** Redacts the secrets of a form-encoded token request body. */
export function redactTokenForm(body: string): string {
  const form = new URLSearchParams(body);
  for (const field of SECRET_FORM_FIELDS) {
    const value = form.get(field);
    if (value !== null) form.set(field, redactSecret(value));
  }
  return form.toString();
}

export class RequestLog {
  private readonly list: RequestLogEntry[] = [];
  private seq = 0;

  /** The live array, oldest first. */
  get entries(): readonly RequestLogEntry[] {
    return this.list;
  }

  add(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const logged = { seq: ++this.seq, ...entry };
    this.list.push(logged);
    return logged;
  }

  /** The entries of one route. */
  of(route: ApiRoute): RequestLogEntry[] {
    return this.list.filter((e) => e.route === route);
  }

  last(): RequestLogEntry | undefined {
    return this.list[this.list.length - 1];
  }

  clear(): void {
    this.list.length = 0;
  }
}
