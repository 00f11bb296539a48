/**
 * `POST /oauth2/v0/token`, the refresh_token grant and the password grant with a company request token
 * (`credtype=authtoken`), answered like Concur: JSON with expires_in as a string,
 * token_type Bearer, a rotated refresh token, the geolocation to call the APIs at (the simulator itself) and an
 * id_token. Errors are `{ error, error_description[, code] }`.
 */
import type { TokenRegistry } from '../tokens';
import { jsonAnswer } from './answers';
import type { HttpAnswer } from './answers';

export function handleTokenRequest(
  tokens: TokenRegistry,
  baseUrl: string,
  now: Date,
  contentType: string | undefined,
  body: string,
): HttpAnswer {
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType ?? '')) {
    return jsonAnswer(
      { error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' },
      400,
    );
  }
  const result = tokens.grant(new URLSearchParams(body));
  if ('error' in result) {
    return jsonAnswer(
      {
        error: result.error,
        error_description: result.description,
        ...(result.code !== undefined ? { code: result.code } : {}),
      },
      result.status,
    );
  }
  const issuedAt = Math.floor(now.getTime() / 1000);
  return jsonAnswer({
    expires_in: String(result.expiresIn),
    scope: 'ITINER openid',
    token_type: 'Bearer',
    access_token: result.accessToken,
    refresh_token: result.refreshToken,
    refresh_expires_in: result.refreshExpiresAt,
    geolocation: baseUrl,
    id_token: unsignedJwt({
      iss: baseUrl,
      sub: result.principal.user,
      aud: result.principal.clientId,
      'concur.company': result.principal.companyId,
      iat: issuedAt,
      exp: issuedAt + result.expiresIn,
    }),
  });
}

/** A JWT-shaped id_token; unsigned, as nothing should trust a simulator's identity claims. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
