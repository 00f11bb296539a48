/**
 * Concur's Identity v4.1 user search, for each company's users: `POST /profile/identity/v4.1/Users/.search` with
 * a SCIM SearchRequest (RFC 7644 § 3.4.3), answered as a SCIM ListResponse. Filters are parsed as Concur's
 * search guide describes them (attribute operators, `and`/`or`/`not`, parentheses); complex groupings
 * (`emails[…]`) are refused as not supported by the simulator. Errors are SCIM error bodies.
 */
import { createHash } from 'node:crypto';
import * as z from '../../shared/zod';
import type { HttpAnswer } from './http/answers';
import { jsonAnswer } from './http/answers';

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** What a token must carry to search users, and to read or filter on the enterprise extension (employeeNumber). */
export const IDENTITY_SCOPES = {
  ids: 'identity.user.ids.read',
  core: 'identity.user.core.read',
  enterprise: 'identity.user.enterprise.read',
} as const;

/** A user of a company, as the options, the seed and the admin API give it. */
export const userOptionsSchema = z.strictObject({
  /** The Concur login (SCIM `userName`): what Itinerary v1.1 takes as `userid_value`. */
  loginId: z.string().check(z.minLength(1)),
  /** The work email; several users may share one (which the gateway must refuse to guess between). */
  email: z.optional(z.email()),
  /** The company's employee number (enterprise extension `employeeNumber`). */
  employeeId: z.optional(z.string().check(z.minLength(1))),
  /** Default true. */
  active: z.optional(z.boolean()),
  givenName: z.optional(z.string()),
  familyName: z.optional(z.string()),
});
export type UserOptions = z.infer<typeof userOptionsSchema>;

/** A user as Identity v4.1 shows it. */
export interface IdentityUser {
  id: string;
  userName: string;
  active: boolean;
  displayName: string;
  name: { givenName: string; familyName: string };
  emails: { value: string; type: 'work'; verified: boolean; notifications: boolean }[];
  [ENTERPRISE_USER]: { companyId: string; employeeNumber?: string };
}

/** The users of the default company when the options name none: the seeds' traveler, known by email and number. */
export const DEFAULT_USERS: readonly UserOptions[] = [
  {
    loginId: 'cm@example.com',
    email: 'chris.miller@example.com',
    employeeId: '1001',
    givenName: 'Chris',
    familyName: 'Miller',
  },
];

/** A stable UUID-shaped id per company and login (Concur's user ids are UUIDs). */
function userUuid(companyId: string, loginId: string): string {
  const hex = createHash('sha256').update(`${companyId}\n${loginId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function identityUser(companyId: string, user: UserOptions): IdentityUser {
  const givenName = user.givenName ?? user.loginId.split('@')[0]!;
  const familyName = user.familyName ?? '';
  return {
    id: userUuid(companyId, user.loginId),
    userName: user.loginId,
    active: user.active ?? true,
    displayName: `${givenName} ${familyName}`.trim(),
    name: { givenName, familyName },
    emails: user.email ? [{ value: user.email, type: 'work', verified: true, notifications: false }] : [],
    [ENTERPRISE_USER]: {
      companyId: userUuid(companyId, ''),
      ...(user.employeeId !== undefined ? { employeeNumber: user.employeeId } : {}),
    },
  };
}

/** The users of every company; tests may add more while the simulator runs. */
export class UserDirectory {
  private users = new Map<string, IdentityUser[]>();

  constructor(private readonly initial: ReadonlyMap<string, readonly UserOptions[]>) {
    this.reset();
  }

  reset(): void {
    this.users = new Map();
    for (const [companyId, users] of this.initial) for (const user of users) this.add(companyId, user);
  }

  add(companyId: string, user: UserOptions): IdentityUser {
    const list = this.users.get(companyId) ?? [];
    if (list.some((known) => known.userName.toLowerCase() === user.loginId.toLowerCase()))
      throw new Error(`user "${user.loginId}" already exists in company "${companyId}"`);
    const created = identityUser(companyId, user);
    list.push(created);
    this.users.set(companyId, list);
    return created;
  }

  of(companyId: string): readonly IdentityUser[] {
    return this.users.get(companyId) ?? [];
  }
}

/** A refusal of the Identity API, answered as a SCIM error body. */
export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: string,
  ) {
    super(message);
    this.name = 'ScimError';
  }
}

export function scimErrorAnswer(status: number, detail: string, scimType?: string): HttpAnswer {
  return jsonAnswer(
    { schemas: [ERROR_SCHEMA], status: String(status), detail, ...(scimType ? { scimType } : {}) },
    status,
  );
}

// ---- filters ----------------------------------------------------------------------------------------------

type Filter =
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; inner: Filter }
  | { kind: 'compare'; attribute: string; operator: string; value: string | boolean | null }
  | { kind: 'present'; attribute: string };

const OPERATORS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);

/** Attributes a filter may name (the search guide's table, as far as the simulator keeps them). */
const FILTER_ATTRIBUTES: Record<string, (user: IdentityUser) => readonly (string | boolean)[]> = {
  id: (user) => [user.id],
  username: (user) => [user.userName],
  active: (user) => [user.active],
  'emails.value': (user) => user.emails.map((email) => email.value),
  'emails.type': (user) => user.emails.map((email) => email.type),
  'emails.verified': (user) => user.emails.map((email) => email.verified),
  'name.givenname': (user) => [user.name.givenName],
  'name.familyname': (user) => [user.name.familyName],
  [`${ENTERPRISE_USER}:employeenumber`.toLowerCase()]: (user) => {
    const number = user[ENTERPRISE_USER].employeeNumber;
    return number === undefined ? [] : [number];
  },
};

const ENTERPRISE_PREFIX = `${ENTERPRISE_USER}:`.toLowerCase();
const CORE_PREFIX = 'urn:ietf:params:scim:schemas:core:2.0:user:';

/** Attribute names are case-insensitive (RFC 7643 § 2.1); the core schema's URN prefix may be given or not. */
function attributeKey(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith(CORE_PREFIX) ? lower.slice(CORE_PREFIX.length) : lower;
}

const invalidFilter = (message: string) => new ScimError(400, message, 'invalidFilter');

class FilterParser {
  private position = 0;

  constructor(private readonly text: string) {}

  parse(): Filter {
    const filter = this.or();
    this.skipSpace();
    if (this.position < this.text.length)
      throw invalidFilter(`unexpected "${this.text.slice(this.position, this.position + 20)}"`);
    return filter;
  }

  private or(): Filter {
    let left = this.and();
    while (this.keyword('or')) left = { kind: 'or', left, right: this.and() };
    return left;
  }

  private and(): Filter {
    let left = this.factor();
    while (this.keyword('and')) left = { kind: 'and', left, right: this.factor() };
    return left;
  }

  private factor(): Filter {
    this.skipSpace();
    if (this.keyword('not')) {
      this.expect('(');
      const inner = this.or();
      this.expect(')');
      return { kind: 'not', inner };
    }
    if (this.text[this.position] === '(') {
      this.position++;
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    const attribute = this.word();
    if (attribute.includes('[')) throw invalidFilter('complex attribute groupings are not supported');
    if (!(attributeKey(attribute) in FILTER_ATTRIBUTES))
      throw invalidFilter(`"${attribute}" cannot be filtered on`);
    const operator = this.word().toLowerCase();
    if (operator === 'pr') return { kind: 'present', attribute };
    if (!OPERATORS.has(operator)) throw invalidFilter(`unknown operator "${operator}"`);
    return { kind: 'compare', attribute, operator, value: this.value() };
  }

  private value(): string | boolean | null {
    this.skipSpace();
    if (this.text[this.position] === '"') {
      // A JSON string: the filter's quoting is JSON's (RFC 7644 § 3.4.2.2).
      let end = this.position + 1;
      while (end < this.text.length && this.text[end] !== '"') end += this.text[end] === '\\' ? 2 : 1;
      if (end >= this.text.length) throw invalidFilter('an unterminated string');
      const literal = this.text.slice(this.position, end + 1);
      this.position = end + 1;
      try {
        return JSON.parse(literal) as string;
      } catch {
        throw invalidFilter('a malformed string');
      }
    }
    const word = this.word();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    // Unquoted values are accepted where Concur accepts them (a UUID, a date).
    return word;
  }

  private word(): string {
    this.skipSpace();
    const match = /^[^\s()"]+/.exec(this.text.slice(this.position));
    if (!match) throw invalidFilter(`expected a word at ${this.position}`);
    this.position += match[0].length;
    return match[0];
  }

  private keyword(word: string): boolean {
    this.skipSpace();
    const next = this.text.slice(this.position, this.position + word.length).toLowerCase();
    const after = this.text[this.position + word.length];
    if (next !== word || (after !== undefined && !/[\s(]/.test(after))) return false;
    this.position += word.length;
    return true;
  }

  private expect(char: string): void {
    this.skipSpace();
    if (this.text[this.position] !== char) throw invalidFilter(`expected "${char}"`);
    this.position++;
  }

  private skipSpace(): void {
    while (/\s/.test(this.text[this.position] ?? '')) this.position++;
  }
}

function compare(actual: string | boolean, operator: string, expected: string | boolean | null): boolean {
  if (expected === null) return operator === 'ne';
  if (typeof actual === 'boolean' || typeof expected === 'boolean') {
    const equal = String(actual) === String(expected);
    return operator === 'eq' ? equal : operator === 'ne' ? !equal : false;
  }
  // Strings compare case-insensitively: none of the searchable attributes is caseExact.
  const a = actual.toLowerCase();
  const b = expected.toLowerCase();
  switch (operator) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    default:
      return a <= b;
  }
}

function matches(filter: Filter, user: IdentityUser): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(filter.left, user) && matches(filter.right, user);
    case 'or':
      return matches(filter.left, user) || matches(filter.right, user);
    case 'not':
      return !matches(filter.inner, user);
    case 'present':
      return FILTER_ATTRIBUTES[attributeKey(filter.attribute)]!(user).some((value) => value !== '');
    case 'compare': {
      const values = FILTER_ATTRIBUTES[attributeKey(filter.attribute)]!(user);
      return values.some((value) => compare(value, filter.operator, filter.value));
    }
  }
}

function namesEnterprise(filter: Filter): boolean {
  switch (filter.kind) {
    case 'and':
    case 'or':
      return namesEnterprise(filter.left) || namesEnterprise(filter.right);
    case 'not':
      return namesEnterprise(filter.inner);
    default:
      return attributeKey(filter.attribute).startsWith(ENTERPRISE_PREFIX);
  }
}

// ---- the search -------------------------------------------------------------------------------------------

const DEFAULT_COUNT = 100;
const MAX_COUNT = 1_000;

/** Keeps `id` always, and the named top-level attributes (a sub-attribute keeps its parent). */
function project(user: IdentityUser, attributes: readonly string[] | undefined): Record<string, unknown> {
  if (attributes === undefined || attributes.length === 0) return { ...structuredClone(user) };
  const wanted = new Set(
    attributes.map((name) => {
      const key = attributeKey(name);
      if (key === ENTERPRISE_USER.toLowerCase() || key.startsWith(ENTERPRISE_PREFIX))
        return ENTERPRISE_USER.toLowerCase();
      return key.split('.')[0]!;
    }),
  );
  const out: Record<string, unknown> = { id: user.id };
  for (const [name, value] of Object.entries(user)) {
    if (wanted.has(name.toLowerCase())) out[name] = structuredClone(value);
  }
  return out;
}

function stringList(value: unknown, name: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new ScimError(400, `${name} must be a list of strings`, 'invalidValue');
  return value as string[];
}

/**
 * Answers one search of the company's users. `scopes` are the caller's; a search needs the ids and core read
 * scopes, and one that filters on the enterprise extension also its read scope (403 otherwise).
 */
export function searchUsers(
  users: readonly IdentityUser[],
  scopes: ReadonlySet<string>,
  body: string,
): HttpAnswer {
  const missing = [IDENTITY_SCOPES.ids, IDENTITY_SCOPES.core].filter((scope) => !scopes.has(scope));
  if (missing.length > 0) throw new ScimError(403, `insufficient scope: ${missing.join(' ')} is required`);
  let request: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error();
    request = parsed as Record<string, unknown>;
  } catch {
    throw new ScimError(400, 'the body must be a JSON SearchRequest', 'invalidSyntax');
  }
  const schemas = stringList(request.schemas, 'schemas');
  if (!schemas?.includes(SEARCH_REQUEST_SCHEMA))
    throw new ScimError(400, `schemas must name ${SEARCH_REQUEST_SCHEMA}`, 'invalidValue');
  const count = request.count ?? DEFAULT_COUNT;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > MAX_COUNT)
    throw new ScimError(400, `count must be an integer from 1 to ${MAX_COUNT}`, 'invalidValue');
  if (request.filter !== undefined && typeof request.filter !== 'string')
    throw new ScimError(400, 'filter must be a string', 'invalidFilter');
  const filter = request.filter ? new FilterParser(request.filter).parse() : undefined;
  if (filter && namesEnterprise(filter) && !scopes.has(IDENTITY_SCOPES.enterprise))
    throw new ScimError(403, `insufficient scope: ${IDENTITY_SCOPES.enterprise} is required`);
  const attributes = stringList(request.attributes, 'attributes');
  const found = filter ? users.filter((user) => matches(filter, user)) : [...users];
  const page = found.slice(0, count);
  return jsonAnswer({
    schemas: [LIST_RESPONSE_SCHEMA],
    totalResults: found.length,
    startIndex: 1,
    itemsPerPage: page.length,
    Resources: page.map((user) => {
      const shown = project(user, attributes);
      // Without the enterprise read scope, the extension is not shown.
      if (!scopes.has(IDENTITY_SCOPES.enterprise)) delete shown[ENTERPRISE_USER];
      return shown;
    }),
  });
}
