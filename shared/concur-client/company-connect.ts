/**
 * Connecting a company: Concur's password grant with a company request token (`credtype=authtoken`), the one
 * documented way to obtain a company's first tokens. It is sent to the GLZ base URI (the auth reference: "Password
 * (credtype = authtoken) → Use the GLZ base URI"), and the answer names the company's geolocation, where every
 * later call goes. A geolocation that is not the company's answers code 16, "user lives elsewhere", naming the
 * right one: the grant is sent there instead. A request token may be exchanged again within its 24 hours after a
 * network failure (Concur's company auth page), so an answer that is lost, or a 5xx, is asked for again with the
 * same request token.
 */
import { ConcurApiError } from './errors';
import { CORRELATION_HEADER } from './http-attempt';
import { parseJsonObject } from './token-refresh';
import { keepAliveFetch } from '../adapters/http/keep-alive-fetch';

/** Concur's global base URI for the grants that do not know the company's geolocation yet. */
export const CONCUR_GLZ_URL = 'https://glz.api.concursolutions.com';

export interface CompanyConnectRequest {
  /** Where to exchange the token: Concur's GLZ base URI, unless an operator names a geolocation. */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** The company's UUID at Concur (the `id` App Center hands over). */
  companyUuid: string;
  /** The company request token (24 hours; a few exchanges, for lost answers). */
  requestToken: string;
  timeoutMs?: number;
  /** Exchanges tried when the answer is lost or a 5xx (3). */
  maxAttempts?: number;
  /** The wait before the second exchange, doubled after (1 s). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
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
  /** Exchanges sent, the one answered included. */
  attempts: number;
}

/** Concur's code for a grant sent to a geolocation other than the company's. */
const LIVES_ELSEWHERE = '16';

export async function connectCompany(input: CompanyConnectRequest): Promise<CompanyConnectResult> {
  const body = new URLSearchParams({
    client_id: input.clientId,
    client_secret: input.clientSecret,
    grant_type: 'password',
    username: input.companyUuid,
    password: input.requestToken,
    credtype: 'authtoken',
  }).toString();
  const maxAttempts = input.maxAttempts ?? 3;
  const sleep = input.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let base = input.baseUrl.replace(/\/+$/, '');
  let followed = false;
  let response!: Response;
  let text = '';
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      response = await (input.fetch ?? keepAliveFetch)(`${base}/oauth2/v0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(input.timeoutMs ?? 30_000),
      });
      text = await response.text();
    } catch {
      // Lost: the token may have been exchanged or not; the same request token may be sent again.
      if (attempts < maxAttempts) {
        await sleep((input.retryDelayMs ?? 1_000) * 2 ** (attempts - 1));
        continue;
      }
      // Not the cause: the request's form carries the client secret and the request token.
      throw new ConcurApiError('unavailable', `no answer from ${base}/oauth2/v0/token`, { attempts });
    }
    if (response.status >= 500 && attempts < maxAttempts) {
      await sleep((input.retryDelayMs ?? 1_000) * 2 ** (attempts - 1));
      continue;
    }
    const answered = parseJsonObject(text);
    const home = typeof answered?.geolocation === 'string' ? geolocationUrl(answered.geolocation) : undefined;
    if (!response.ok && String(answered?.code) === LIVES_ELSEWHERE && home !== undefined && !followed) {
      base = home;
      followed = true;
      attempts -= 1;
      continue;
    }
    break;
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
      { status: response.status, concurMessage: description, correlationId, attempts },
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
        attempts,
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
    geolocation:
      (typeof json.geolocation === 'string' ? geolocationUrl(json.geolocation) : undefined) ?? base,
    ...(typeof json.scope === 'string' ? { scope: json.scope } : {}),
    ...(correlationId ? { correlationId } : {}),
    attempts,
  };
}

/** A geolocation Concur named, as a base URL; undefined when it is no http(s) URL. */
function geolocationUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? value.replace(/\/+$/, '') : undefined;
  } catch {
    return undefined;
  }
}
