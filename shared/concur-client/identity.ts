/**
 * Concur's Identity v4.1 user search (`POST /profile/identity/v4.1/Users/.search`), as its search guide
 * describes it: a SCIM SearchRequest whose filter names the user by work email or employee number, answered as
 * a SCIM ListResponse. It needs a company-level token with the scopes `identity.user.ids.read` and
 * `identity.user.core.read`, and `identity.user.enterprise.read` to search by employee number.
 */

export const IDENTITY_SEARCH_PATH = '/profile/identity/v4.1/Users/.search';
const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest';
const EMPLOYEE_NUMBER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber';

/** How a supplier knows a traveler when it does not know the Concur login. */
export type UserLookup = { email: string } | { employeeId: string };

/** A user the search found: its Concur id and its login (`userName`, Itinerary v1.1's `userid_value`). */
export interface FoundUser {
  id: string;
  userName: string;
}

export interface UserSearchResult {
  /** How many active users match; more than `users` holds when there are more than were asked for. */
  totalResults: number;
  users: FoundUser[];
}

/**
 * Two users are enough to tell one match from several: the gateway never asks for more of the company's users
 * than it needs. Only active users: an inactive login cannot travel.
 */
const WANTED = 2;

/** The SearchRequest body. Values are quoted as JSON strings, the filter grammar's own quoting (RFC 7644). */
export function userSearchRequest(lookup: UserLookup): string {
  const condition =
    'email' in lookup
      ? `emails.value eq ${JSON.stringify(lookup.email)}`
      : `${EMPLOYEE_NUMBER} eq ${JSON.stringify(lookup.employeeId)}`;
  return JSON.stringify({
    schemas: [SEARCH_REQUEST_SCHEMA],
    filter: `active eq true and ${condition}`,
    attributes: ['userName'],
    count: WANTED,
  });
}

/** Reads a ListResponse leniently (other attributes are ignored); undefined when it is not one. */
export function readUserSearch(text: string): UserSearchResult | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { totalResults, Resources } = answer as { totalResults?: unknown; Resources?: unknown };
  const resources = Resources === undefined ? [] : Resources;
  if (!Array.isArray(resources)) return undefined;
  const users: FoundUser[] = [];
  for (const resource of resources) {
    const { id, userName } = (resource ?? {}) as { id?: unknown; userName?: unknown };
    if (typeof id !== 'string' || typeof userName !== 'string' || userName === '') return undefined;
    users.push({ id, userName });
  }
  const total = typeof totalResults === 'number' ? totalResults : Number(totalResults ?? users.length);
  if (!Number.isInteger(total) || total < users.length) return undefined;
  return { totalResults: total, users };
}
