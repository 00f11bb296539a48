/**
 * Concur's OAuth2 refresh-token grant: `POST {geolocation}/oauth2/v0/token`. One attempt only: the refresh token
 * may rotate, so after a lost answer the old one may already be spent, and only the token provider (which stores
 * the tokens and keeps the previous one) decides whether to send it again. The one exception is an error that
 * names another geolocation (code 16, "user lives elsewhere"): Concur refused there without looking at the
 * token, so it is sent once to the named geolocation, which the result then reports so that it is stored.
 */
import { randomUUID } from 'node:crypto';
import { ConcurApiError } from './errors';
import { CORRELATION_HEADER } from './http-attempt';
import type { ClientLogger } from './transport';

export interface TokenRefreshRequest {
  /** The company's geolocation (base URL), e.g. https://us2.api.concursolutions.com. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  signal?: AbortSignal;
}

export interface TokenRefreshResult {
  accessToken: string;
  /** Store it, overwriting the old one: Concur may rotate it. */
  refreshToken: string;
  expiresInSeconds: number;
  /**
   * When the refresh token stops working (Concur's `refresh_expires_in`, epoch seconds), as an ISO instant.
   * A refresh mostly moves it on; where it does not, the company must be connected again before it.
   */
  refreshExpiresAt?: string;
  /** Where the company's APIs now live; store it too. */
  geolocation?: string;
  /** The scopes granted (Concur's `scope`, space-separated); store it: it says which APIs the token may call. */
  scope?: string;
}

export interface TokenRefreshDeps {
  fetch: typeof fetch;
  timeoutMs: number;
  logger?: ClientLogger;
}

export async function refreshAccessToken(
  deps: TokenRefreshDeps,
  input: TokenRefreshRequest,
): Promise<TokenRefreshResult> {
  const answer = await refreshAt(deps, input);
  if ('movedTo' in answer) {
    deps.logger?.warn('concur token refresh: the company lives at another geolocation', {
      geolocation: answer.movedTo,
    });
    const moved = await refreshAt(deps, { ...input, baseUrl: answer.movedTo });
    if ('movedTo' in moved) throw moved.error;
    return { ...moved, geolocation: moved.geolocation ?? answer.movedTo };
  }
  return answer;
}

/** One token request; an error naming another geolocation comes back as `movedTo` instead of thrown. */
async function refreshAt(
  deps: TokenRefreshDeps,
  input: TokenRefreshRequest,
): Promise<TokenRefreshResult | { movedTo: string; error: ConcurApiError }> {
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  const body = Buffer.from(
    new URLSearchParams({
      client_id: input.clientId,
      client_secret: input.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: input.refreshToken,
    }).toString(),
    'utf8',
  );
  const path = '/oauth2/v0/token';
  const sentCorrelationId = randomUUID();
  let response: Response;
  let text: string;
  try {
    response = await deps.fetch(`${input.baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(body.byteLength),
        accept: 'application/json',
        [CORRELATION_HEADER]: sentCorrelationId,
      },
      body,
      signal,
    });
    text = await response.text();
  } catch {
    const kind = timeout.aborted || input.signal?.aborted ? 'timed-out' : 'unavailable';
    deps.logger?.warn('concur token refresh failed', {
      method: 'POST',
      path,
      failure: kind,
      sentCorrelationId,
    });
    // Not the cause: nothing from the request (its form carries the secrets) may reach an error or a log.
    throw new ConcurApiError(kind, `token refresh got no answer (${kind})`, { attempts: 1 });
  }
  const correlationId = response.headers.get(CORRELATION_HEADER) ?? undefined;
  deps.logger?.debug('concur token refresh answered', {
    method: 'POST',
    path,
    status: response.status,
    correlationId,
    sentCorrelationId,
  });

  const json = parseJsonObject(text);
  if (!response.ok) {
    const code = typeof json?.error === 'string' ? json.error : undefined;
    const kind =
      code === 'invalid_grant'
        ? 'refresh-rejected'
        : response.status === 429
          ? 'rate-limited'
          : response.status >= 500
            ? 'unavailable'
            : 'rejected';
    const description = typeof json?.error_description === 'string' ? json.error_description : code;
    const error = new ConcurApiError(
      kind,
      `token refresh refused (${response.status}${code ? ` ${code}` : ''}${typeof json?.code === 'number' ? `, code ${json.code}` : ''})`,
      { status: response.status, concurMessage: description, correlationId, attempts: 1 },
    );
    const movedTo = otherGeolocation(json?.geolocation, input.baseUrl);
    if (response.status >= 400 && response.status < 500 && movedTo !== undefined) return { movedTo, error };
    throw error;
  }
  const expiresIn = Number(json?.expires_in);
  if (
    json === undefined ||
    typeof json.access_token !== 'string' ||
    !json.access_token ||
    !Number.isFinite(expiresIn)
  ) {
    throw new ConcurApiError('malformed-response', 'the token answer lacks access_token or expires_in', {
      status: response.status,
      correlationId,
      attempts: 1,
    });
  }
  return {
    accessToken: json.access_token,
    // Concur sends the refresh token back (rotated or not); should it ever not, the old one still stands.
    refreshToken:
      typeof json.refresh_token === 'string' && json.refresh_token ? json.refresh_token : input.refreshToken,
    expiresInSeconds: expiresIn,
    ...refreshExpiry(json.refresh_expires_in),
    ...(typeof json.geolocation === 'string' && json.geolocation ? { geolocation: json.geolocation } : {}),
    ...(typeof json.scope === 'string' ? { scope: json.scope } : {}),
  };
}

/** `refresh_expires_in` is epoch seconds (a number or a numeric string); anything else is left out. */
function refreshExpiry(value: unknown): { refreshExpiresAt?: string } {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) return {};
  const instant = new Date(seconds * 1000);
  return Number.isNaN(instant.getTime()) ? {} : { refreshExpiresAt: instant.toISOString() };
}

const CONCUR_HOST = /\.(concursolutions\.com|concurcdc\.cn)$/i;
const LOOPBACK_HOST = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/i;

/**
 * The geolocation an OAuth error names, when it is another origin the client secret may be sent to: an https
 * Concur host, or (for a local Concur) a loopback host when a loopback host was called.
 */
function otherGeolocation(value: unknown, calledBaseUrl: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  let named: URL;
  try {
    named = new URL(value);
  } catch {
    return undefined;
  }
  const called = new URL(calledBaseUrl);
  if (named.origin === called.origin) return undefined;
  const concur = named.protocol === 'https:' && CONCUR_HOST.test(named.hostname);
  const local = LOOPBACK_HOST.test(named.hostname) && LOOPBACK_HOST.test(called.hostname);
  return concur || local ? named.origin : undefined;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
