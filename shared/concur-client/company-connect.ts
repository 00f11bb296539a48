/**
 * Connecting a company: Concur's password grant with a company request token (`credtype=authtoken`), the one
 * documented way to obtain a company's first tokens. `POST {geolocation}/oauth2/v0/token`, once: the request
 * token is good for one exchange, so a lost answer means asking the company for a new one.
 */
import { ConcurApiError } from './errors';
import { CORRELATION_HEADER } from './http-attempt';
import { parseJsonObject } from './token-refresh';

export interface CompanyConnectRequest {
  /** Where to ask: `https://us.api.concursolutions.com` unless the company is known to live elsewhere. */
  geolocation: string;
  clientId: string;
  clientSecret: string;
  /** The company's UUID at Concur (the `id` App Center hands over). */
  companyUuid: string;
  /** The company request token (24 hours, one use). */
  requestToken: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CompanyConnectResult {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  /** Epoch seconds at which the refresh token stops working (Concur's `refresh_expires_in`), when sent. */
  refreshExpiresAtSeconds?: number;
  /** Where the company's APIs live. */
  geolocation: string;
  /** The scopes granted (Concur's `scope`, space-separated). */
  scope?: string;
  correlationId?: string;
}

export async function connectCompany(input: CompanyConnectRequest): Promise<CompanyConnectResult> {
  const body = new URLSearchParams({
    client_id: input.clientId,
    client_secret: input.clientSecret,
    grant_type: 'password',
    username: input.companyUuid,
    password: input.requestToken,
    credtype: 'authtoken',
  }).toString();
  const base = input.geolocation.replace(/\/+$/, '');
  let response: Response;
  let text: string;
  try {
    response = await (input.fetch ?? fetch)(`${base}/oauth2/v0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      signal: AbortSignal.timeout(input.timeoutMs ?? 30_000),
    });
    text = await response.text();
  } catch {
    // Not the cause: the request's form carries the client secret and the request token.
    throw new ConcurApiError('unavailable', `no answer from ${base}/oauth2/v0/token`, { attempts: 1 });
  }
  const correlationId = response.headers.get(CORRELATION_HEADER) ?? undefined;
  const json = parseJsonObject(text);
  if (!response.ok) {
    const error = typeof json?.error === 'string' ? json.error : undefined;
    const description = typeof json?.error_description === 'string' ? json.error_description : undefined;
    const code = json?.code === undefined ? undefined : String(json.code);
    throw new ConcurApiError(
      response.status >= 500 ? 'unavailable' : 'rejected',
      `Concur refused the company request token (${response.status}${error ? ` ${error}` : ''}${code ? `, code ${code}` : ''}${description ? `: ${description}` : ''})`,
      { status: response.status, concurMessage: description, correlationId, attempts: 1 },
    );
  }
  const expiresIn = Number(json?.expires_in);
  if (
    typeof json?.access_token !== 'string' ||
    typeof json.refresh_token !== 'string' ||
    !json.access_token ||
    !json.refresh_token ||
    !Number.isFinite(expiresIn)
  ) {
    throw new ConcurApiError(
      'malformed-response',
      'the token answer lacks access_token, refresh_token or expires_in',
      {
        status: response.status,
        correlationId,
        attempts: 1,
      },
    );
  }
  const refreshExpiresAt = Number(json.refresh_expires_in);
  return {
    accessToken: json.access_token,
    refreshToken: json.refresh_token,
    expiresInSeconds: expiresIn,
    ...(Number.isFinite(refreshExpiresAt) && refreshExpiresAt > 0
      ? { refreshExpiresAtSeconds: refreshExpiresAt }
      : {}),
    geolocation: typeof json.geolocation === 'string' && json.geolocation ? json.geolocation : base,
    ...(typeof json.scope === 'string' ? { scope: json.scope } : {}),
    ...(correlationId ? { correlationId } : {}),
  };
}
