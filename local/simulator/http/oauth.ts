/**
 * `POST /oauth2/v0/token`, the refresh_token grant and the password grant with a company request token
 * (`credtype=authtoken`), answered like Concur: JSON with expires_in as a string, the app's scope, token_type
 * Bearer, the refresh token (the same one unless rotation is on), refresh_expires_in (epoch seconds, moved on by a refresh unless the simulator is told otherwise), the geolocation to call the APIs at
 * (the simulator itself) and an id_token. Errors are Concur's documented
 * `{ code, error, error_description, geolocation }`. A request that reaches the simulator under another host name
 * than its own is refused like a call to the wrong geolocation (code 16, "user lives elsewhere"), naming the
 * right one. The GLZ base URI (`/glz`) is global: it answers any host, with the geolocation the company lives at.
 */
import type { TokenRegistry } from '../tokens';
import { jsonAnswer } from './answers';
import type { HttpAnswer } from './answers';

export function handleTokenRequest(
  tokens: TokenRegistry,
  baseUrl: string,
  now: Date,
  request: { contentType: string | undefined; host: string | undefined; body: string; glz?: boolean },
): HttpAnswer {
  const refuse = (status: number, code: number, error: string, description: string) =>
    jsonAnswer({ code, error, error_description: description, geolocation: baseUrl }, status);
  if (
    !request.glz &&
    request.host !== undefined &&
    request.host.toLowerCase() !== new URL(baseUrl).host.toLowerCase()
  ) {
    return refuse(400, 16, 'invalid_request', 'user lives elsewhere');
  }
  if (!/^application\/x-www-form-urlencoded\b/i.test(request.contentType ?? '')) {
    return refuse(400, 135, 'invalid_request', 'unsupported request format');
  }
  const result = tokens.grant(new URLSearchParams(request.body));
  if ('error' in result) return refuse(result.status, result.code, result.error, result.description);
  const issuedAt = Math.floor(now.getTime() / 1000);
  return jsonAnswer({
    expires_in: String(result.expiresIn),
    // What Concur granted the app (Identity's searches check it).
    scope: result.principal.scopes.join(' '),
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
