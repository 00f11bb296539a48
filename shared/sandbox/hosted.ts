/**
 * The hosted sandbox (a function of the stack serving the Concur simulator) as the gateway reaches it: each
 * sandbox company lives under `{sandboxUrl}/companies/{companyId}`, and its connection is not stored but follows
 * from the stack's sandbox URL, so every supplier's test keys work from its first request without a connect.
 * Its tokens are fixed and known: only principals the stack lets sign requests to the sandbox (the gateway's
 * functions) reach it at all, so the tokens guard nothing the signature does not.
 */
import type { AppCredentials, CompanyTokens } from '../tokens/company-credentials';
import { IDENTITY_ENTERPRISE_SCOPE, IDENTITY_SEARCH_SCOPES, ITINERARY_SCOPE } from '../tokens/scopes';

/** The sandbox app's client at the hosted sandbox. */
export const HOSTED_SANDBOX_CLIENT: AppCredentials = {
  clientId: 'sandbox-client',
  clientSecret: 'sandbox-client-secret',
};

/** What the hosted sandbox grants every sandbox company: itineraries and Identity's searches by email and id. */
export const HOSTED_SANDBOX_SCOPES: readonly string[] = [
  'openid',
  ITINERARY_SCOPE,
  ...IDENTITY_SEARCH_SCOPES,
  IDENTITY_ENTERPRISE_SCOPE,
];

export const hostedSandboxAccessToken = (companyId: string): string => `sandbox-access.${companyId}`;
export const hostedSandboxRefreshToken = (companyId: string): string => `sandbox-refresh.${companyId}`;

/** Where a sandbox company lives at the hosted sandbox: its Concur base URL (geolocation). */
export const hostedSandboxBaseUrl = (sandboxUrl: string, companyId: string): string =>
  `${sandboxUrl.replace(/\/+$/, '')}/companies/${encodeURIComponent(companyId)}`;

/** The sandbox app's connection to a sandbox company, as the stack's sandbox URL gives it. */
export function hostedSandboxConnection(sandboxUrl: string, companyId: string, now: Date): CompanyTokens {
  return {
    baseUrl: hostedSandboxBaseUrl(sandboxUrl, companyId),
    accessToken: hostedSandboxAccessToken(companyId),
    refreshToken: hostedSandboxRefreshToken(companyId),
    // The access token is static at the sandbox: it never needs a refresh before its use.
    expiresAt: new Date(now.getTime() + 24 * 3600_000).toISOString(),
    refreshedAt: now.toISOString(),
    scope: HOSTED_SANDBOX_SCOPES.join(' '),
  };
}
