/**
 * What a connection's granted scopes (Concur's `scope` of its token answers) allow. Production itinerary apps are
 * granted `openid ITINER`; a traveler lookup by email or employee id searches Identity v4.1, which needs Identity's
 * read scopes (the employee number is in its enterprise extension). Knowing them saves a call Concur would refuse.
 */
export const ITINERARY_SCOPE = 'ITINER';
export const IDENTITY_SEARCH_SCOPES = ['identity.user.ids.read', 'identity.user.core.read'] as const;
export const IDENTITY_ENTERPRISE_SCOPE = 'identity.user.enterprise.read';

export type TravelerLookupKind = 'email' | 'employeeId';

const granted = (scope: string) => new Set(scope.split(/\s+/).filter(Boolean));

/** The scopes a lookup by `kind` needs that `scope` lacks (empty: it may search). */
export function missingLookupScopes(scope: string, kind: TravelerLookupKind): string[] {
  const have = granted(scope);
  const needed = [...IDENTITY_SEARCH_SCOPES, ...(kind === 'employeeId' ? [IDENTITY_ENTERPRISE_SCOPE] : [])];
  return needed.filter((name) => !have.has(name));
}

/** The gateway's features the scopes allow, for people: what a connection can be used for. */
export function featuresOf(scope: string): string[] {
  const features: string[] = [];
  if (granted(scope).has(ITINERARY_SCOPE)) features.push('bookings and trips (ITINER)');
  if (missingLookupScopes(scope, 'email').length === 0) features.push('travelers named by email');
  if (missingLookupScopes(scope, 'employeeId').length === 0) features.push('travelers named by employee id');
  return features;
}
