/**
 * Concur's OAuth2 refresh-token grant: `POST {geolocation}/oauth2/v0/token`. One attempt only: the refresh token
 * may rotate, so after a lost answer the old one may already be spent, and only the token provider (which stores
 * the tokens and keeps the previous one) decides whether to send it again.
 */
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
  /** Where the company's APIs now live; store it too. */
  geolocation?: string;
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
  let response: Response;
  let text: string;
  try {
    response = await deps.fetch(`${input.baseUrl.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(body.byteLength),
        accept: 'application/json',
      },
      body,
      signal,
    });
    text = await response.text();
  } catch {
    const kind = timeout.aborted || input.signal?.aborted ? 'timed-out' : 'unavailable';
    deps.logger?.warn('concur token refresh failed', { method: 'POST', path, failure: kind });
    // Not the cause: nothing from the request (its form carries the secrets) may reach an error or a log.
    throw new ConcurApiError(kind, `token refresh got no answer (${kind})`, { attempts: 1 });
  }
  const correlationId = response.headers.get(CORRELATION_HEADER) ?? undefined;
  deps.logger?.debug('concur token refresh answered', {
    method: 'POST',
    path,
    status: response.status,
    correlationId,
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
    throw new ConcurApiError(kind, `token refresh refused (${response.status}${code ? ` ${code}` : ''})`, {
      status: response.status,
      concurMessage: description,
      correlationId,
      attempts: 1,
    });
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
    ...(typeof json.geolocation === 'string' && json.geolocation ? { geolocation: json.geolocation } : {}),
  };
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
