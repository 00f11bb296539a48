/**
 * OAuth2 as Concur runs it, per company: each company (an OAuth client's tenant) has clients, access tokens
 * (1 hour) and refresh tokens (6 months). A refresh answers the refresh token it was given, which stays valid (what
 * Concur does most of the time), unless rotation is asked for (the simulator's or the client's option): then it
 * answers a new one and the old one stops working. Every token carries its principal: the company, the traveler it
 * acts as by default, the booking source of its client (see docs/simulator.md, "Who is the caller's booking
 * source") and the scopes Concur granted its client.
 */
import type { UserOptions } from './identity';
import { SeededRandom } from './random';
import type { Clock } from './time';

export interface CompanyOptions {
  id: string;
  /** Login of the traveler the company's tokens act for when a request names no `userid_value`. */
  defaultUser?: string;
  /** Booking source of the company's own tokens; unset: the tokens act as a TMC/administrator (no source). */
  bookingSource?: string;
  /** Access token accepted from the start (static: it expires only on demand). Generated when absent. */
  accessToken?: string;
  /** Refresh token accepted from the start, for the company's first client. Generated when absent. */
  refreshToken?: string;
  /**
   * The company's users, found by Identity v4.1 search. Default: none, except for the default company
   * (`demo-company`), which gets the seeds' traveler (`cm@example.com`, email chris.miller@example.com, 1001).
   */
  users?: UserOptions[];
  /**
   * The scopes of the company's tokens whose client names none (Identity v4.1 checks them). Default: those of a
   * production itinerary app, `openid ITINER`: no Identity scope, so user searches are refused.
   */
  scopes?: string[];
}

/** "Production itinerary applications will have limited scopes registered": openid and ITINER (the TMC guide). */
export const DEFAULT_APP_SCOPES: readonly string[] = ['openid', 'ITINER'];

export interface ClientOptions {
  clientId: string;
  clientSecret: string;
  companyId: string;
  /** The supplier name Concur configured for this app: tokens issued to it act as this booking source. */
  bookingSource?: string;
  /** The scopes Concur granted the app; default: its company's `scopes`, else `openid ITINER`. */
  scopes?: string[];
  /** Whether its refreshes answer a new refresh token (the old one then stops working); default: the simulator's. */
  rotateRefreshTokens?: boolean;
}

/** Who is calling: resolved from the access token of a request. */
export interface Principal {
  companyId: string;
  /** The traveler the token acts for by default. */
  user: string;
  /** The caller's booking source; undefined for a TMC/administrator token, which may write any source. */
  bookingSource?: string;
  clientId: string;
  /** What Concur granted the token's client (the token answer's `scope`). */
  scopes: string[];
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  /** Seconds. */
  expiresIn: number;
  /** Epoch seconds at which the refresh token expires. */
  refreshExpiresAt: number;
  principal: Principal;
}

export interface IssueOptions {
  clientId?: string;
  user?: string;
  /** Overrides the client's booking source; `null` issues a token with no source. */
  bookingSource?: string | null;
}

/** A refusal of the token endpoint, with Concur's documented numeric code (its /token table). */
export interface OAuthFailure {
  status: number;
  error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';
  description: string;
  code: number;
}

export type Authentication =
  { ok: true; principal: Principal; token: string } | { ok: false; status: 401 | 403; message: string };

/** A company with its defaults filled in. */
export type ResolvedCompany = CompanyOptions & { defaultUser: string; users: UserOptions[] };

export interface TokenSettings {
  companies: readonly ResolvedCompany[];
  clients: readonly ClientOptions[];
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  /** A refresh moves the refresh token's end to a full lifetime from now; else the chain keeps its first end. */
  refreshExtendsLifetime: boolean;
  /** A refresh answers a new refresh token (and the old one stops working), for clients that do not say. */
  rotateRefreshTokens: boolean;
  seed: number;
}

interface AccessTokenRecord {
  principal: Principal;
  /** Epoch ms; null for the static tokens given in the options. */
  expiresAt: number | null;
  expired: boolean;
  revoked: boolean;
}

/** A company request token: what App Center hands a partner at connect time, for the password grant. */
interface RequestTokenRecord {
  companyId: string;
  /** Epoch ms: 24 hours after it was minted. */
  expiresAt: number;
  /** Password grants it was exchanged in: Concur allows a few within the 24 hours, for lost answers. */
  uses: number;
}

/** "The request token can only be used up five times" (Concur's TMC overview). */
const REQUEST_TOKEN_USES = 5;

/** Concur's company request tokens are valid for 24 hours. */
export const REQUEST_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

interface RefreshTokenRecord {
  principal: Principal;
  expiresAt: number;
  used: boolean;
  revoked: boolean;
}

/** The token registry's state, as plain data (see TokenRegistry.snapshot). */
export interface TokensSnapshot {
  random: number;
  accessTokens: [string, AccessTokenRecord][];
  refreshTokens: [string, RefreshTokenRecord][];
  latestAccess: [string, string][];
  latestRefresh: [string, string][];
  rotationOverrides: [string, boolean][];
  requestTokens: [string, RequestTokenRecord][];
}

/** Concur's codes for a missing form field (its /token error table). */
const MISSING_FIELD_CODES: Record<string, number> = {
  grant_type: 65,
  client_id: 62,
  client_secret: 63,
  refresh_token: 106,
};

export class TokenRegistry {
  private random!: SeededRandom;
  private accessTokens = new Map<string, AccessTokenRecord>();
  private refreshTokens = new Map<string, RefreshTokenRecord>();
  private latestAccess = new Map<string, string>();
  private latestRefresh = new Map<string, string>();
  /** Rotation set while the simulator runs, per client id (over the options), until the next reset. */
  private rotationOverrides = new Map<string, boolean>();
  private requestTokens = new Map<string, RequestTokenRecord>();
  readonly clients: readonly ClientOptions[];

  constructor(
    private readonly settings: TokenSettings,
    private readonly clock: Clock,
  ) {
    // Every company gets a client, so that its initial refresh token can be used at the token endpoint.
    const clients = [...settings.clients];
    for (const company of settings.companies) {
      if (!clients.some((c) => c.companyId === company.id)) {
        clients.push({
          clientId: `${company.id}-client`,
          clientSecret: `${company.id}-secret`,
          companyId: company.id,
        });
      }
    }
    this.clients = clients;
    this.reset();
  }

  /** Back to the tokens of the options: issued tokens are forgotten, generated ones come back identical. */
  reset(): void {
    this.random = new SeededRandom(this.settings.seed, 'tokens');
    this.accessTokens = new Map();
    this.refreshTokens = new Map();
    this.latestAccess = new Map();
    this.latestRefresh = new Map();
    this.rotationOverrides = new Map();
    this.requestTokens = new Map();
    for (const company of this.settings.companies) {
      const client = this.clientFor(company.id);
      const principal: Principal = {
        companyId: company.id,
        user: company.defaultUser,
        clientId: client.clientId,
        scopes: this.scopesOf(client),
        ...(company.bookingSource !== undefined ? { bookingSource: company.bookingSource } : {}),
      };
      const accessToken = company.accessToken ?? this.newAccessToken();
      this.accessTokens.set(accessToken, { principal, expiresAt: null, expired: false, revoked: false });
      this.latestAccess.set(company.id, accessToken);
      const refreshToken = company.refreshToken ?? this.newRefreshToken();
      this.refreshTokens.set(refreshToken, {
        principal: this.principalForClient(client, company.defaultUser),
        expiresAt: this.nowMs() + this.settings.refreshTokenLifetimeSeconds * 1000,
        used: false,
        revoked: false,
      });
      this.latestRefresh.set(company.id, refreshToken);
    }
  }

  companyIds(): string[] {
    return this.settings.companies.map((c) => c.id);
  }

  company(companyId: string): ResolvedCompany | undefined {
    return this.settings.companies.find((c) => c.id === companyId);
  }

  clientFor(companyId: string): ClientOptions {
    const client = this.clients.find((c) => c.companyId === companyId);
    if (!client) throw new Error(`unknown company "${companyId}"`);
    return client;
  }

  /**
   * The company's current access token: the static one, until the company's refresh token chain rotates or a
   * pair is issued for the company as it is. Pairs issued for another client, traveler or source do not count.
   */
  accessTokenFor(companyId: string): string {
    const token = this.latestAccess.get(companyId);
    if (token === undefined) throw new Error(`unknown company "${companyId}"`);
    return token;
  }

  /** The company's current refresh token (see accessTokenFor). */
  refreshTokenFor(companyId: string): string {
    const token = this.latestRefresh.get(companyId);
    if (token === undefined) throw new Error(`unknown company "${companyId}"`);
    return token;
  }

  issueTokenPair(companyId: string, options: IssueOptions = {}): TokenPair {
    const company = this.company(companyId);
    if (!company) throw new Error(`unknown company "${companyId}"`);
    const client = options.clientId
      ? this.clients.find((c) => c.clientId === options.clientId && c.companyId === companyId)
      : this.clientFor(companyId);
    if (!client) throw new Error(`unknown client "${options.clientId}" of company "${companyId}"`);
    const principal = this.principalForClient(client, options.user ?? company.defaultUser);
    if (options.bookingSource === null) delete principal.bookingSource;
    else if (options.bookingSource !== undefined) principal.bookingSource = options.bookingSource;
    const asTheCompany =
      options.clientId === undefined && options.user === undefined && options.bookingSource === undefined;
    return this.issue(principal, asTheCompany);
  }

  /**
   * A company request token, as Concur's Company Request Token tool or App Center's connect flow hands one out:
   * valid 24 hours, for a password grant with `credtype=authtoken` by a client of that company, which may be
   * sent again after a network failure (at most five exchanges in all, each issuing new tokens).
   */
  mintRequestToken(companyId: string): { requestToken: string; companyId: string; expiresAt: string } {
    if (!this.company(companyId)) throw new Error(`unknown company "${companyId}"`);
    const requestToken = this.newRefreshToken();
    const expiresAt = this.nowMs() + REQUEST_TOKEN_LIFETIME_MS;
    this.requestTokens.set(requestToken, { companyId, expiresAt, uses: 0 });
    return { requestToken, companyId, expiresAt: new Date(expiresAt).toISOString() };
  }

  /** `POST /oauth2/v0/token`: the refresh_token grant, or the password grant with a company request token. */
  grant(form: URLSearchParams): TokenPair | OAuthFailure {
    return form.get('grant_type') === 'password' ? this.passwordGrant(form) : this.refresh(form);
  }

  /**
   * The password grant with `credtype=authtoken`: `username` is the company's id (its UUID at Concur), `password`
   * a company request token of that company. Codes are Concur's (5 incorrect credentials, 51/52 missing, 120 bad
   * credtype, 53 company not enabled for the client).
   */
  private passwordGrant(form: URLSearchParams): TokenPair | OAuthFailure {
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    if (!clientId)
      return { status: 400, error: 'invalid_request', description: 'client_id was not supplied', code: 62 };
    if (!clientSecret) {
      return {
        status: 400,
        error: 'invalid_request',
        description: 'client_secret was not supplied',
        code: 63,
      };
    }
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client || client.clientSecret !== clientSecret) {
      return {
        status: 401,
        error: 'invalid_client',
        description: 'Incorrect Credentials. Please Retry',
        code: 64,
      };
    }
    if (form.get('credtype') !== 'authtoken') {
      return { status: 400, error: 'invalid_request', description: 'credtype is invalid', code: 120 };
    }
    const username = form.get('username');
    const password = form.get('password');
    if (!username)
      return { status: 400, error: 'invalid_request', description: 'username was not supplied', code: 51 };
    if (!password)
      return { status: 400, error: 'invalid_request', description: 'password was not supplied', code: 52 };
    const incorrect: OAuthFailure = {
      status: 400,
      error: 'invalid_grant',
      description: 'Incorrect Credentials. Please Retry',
      code: 5,
    };
    const record = this.requestTokens.get(password);
    if (
      !record ||
      record.companyId !== username ||
      record.uses >= REQUEST_TOKEN_USES ||
      this.nowMs() >= record.expiresAt
    ) {
      return incorrect;
    }
    if (client.companyId !== record.companyId) {
      return {
        status: 401,
        error: 'invalid_client',
        description: 'company is not enabled for this client',
        code: 53,
      };
    }
    record.uses += 1;
    const company = this.company(record.companyId)!;
    return this.issue(
      this.principalForClient(client, company.defaultUser),
      client === this.clientFor(company.id),
    );
  }

  /** The refresh_token grant of `POST /oauth2/v0/token`. */
  private refresh(form: URLSearchParams): TokenPair | OAuthFailure {
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id');
    const clientSecret = form.get('client_secret');
    const refreshToken = form.get('refresh_token');
    const missing = Object.keys(MISSING_FIELD_CODES).find((name) => !form.get(name));
    if (missing !== undefined || !grantType || !clientId || !clientSecret || !refreshToken) {
      const name = missing ?? 'refresh_token';
      return {
        status: 400,
        error: 'invalid_request',
        description: `${name} was not supplied`,
        code: MISSING_FIELD_CODES[name]!,
      };
    }
    if (grantType !== 'refresh_token') {
      return {
        status: 400,
        error: 'unsupported_grant_type',
        description: `grant_type "${grantType}" is not supported by the simulator`,
        code: 60,
      };
    }
    const client = this.clients.find((c) => c.clientId === clientId);
    if (!client) return { status: 401, error: 'invalid_client', description: 'client not found', code: 61 };
    if (client.clientSecret !== clientSecret) {
      return {
        status: 401,
        error: 'invalid_client',
        description: 'Incorrect credentials. Please Retry',
        code: 64,
      };
    }
    const record = this.refreshTokens.get(refreshToken);
    // Concur answers every unusable refresh token alike: code 108, "bad or expired refresh token".
    const invalidGrant: OAuthFailure = {
      status: 400,
      error: 'invalid_grant',
      description: 'bad or expired refresh token',
      code: 108,
    };
    if (!record || record.principal.clientId !== client.clientId) return invalidGrant;
    if (record.used || record.revoked || this.nowMs() >= record.expiresAt) return invalidGrant;
    const keep = !this.rotates(client);
    if (!keep) record.used = true;
    // A refresh keeps the connection alive: its refresh token lives a full lifetime from now (unless the option
    // says the chain keeps the first token's end).
    return this.issue(
      { ...record.principal },
      this.latestRefresh.get(record.principal.companyId) === refreshToken,
      {
        ...(this.settings.refreshExtendsLifetime ? {} : { refreshExpiresAt: record.expiresAt }),
        ...(keep ? { keptRefreshToken: refreshToken } : {}),
      },
    );
  }

  /**
   * The tokens issued and where the generator stands, for a snapshot of the simulator. Tokens past their end are
   * left out: they would be refused anyway, and a hosted sandbox keeps its state small.
   */
  snapshot(): TokensSnapshot {
    const now = this.nowMs();
    return {
      random: this.random.state,
      accessTokens: [...this.accessTokens].filter(([, r]) => r.expiresAt === null || r.expiresAt > now),
      refreshTokens: [...this.refreshTokens].filter(([, r]) => r.expiresAt > now),
      latestAccess: [...this.latestAccess],
      latestRefresh: [...this.latestRefresh],
      rotationOverrides: [...this.rotationOverrides],
      requestTokens: [...this.requestTokens].filter(([, r]) => r.expiresAt > now),
    };
  }

  restore(snapshot: TokensSnapshot): void {
    this.random.state = snapshot.random;
    this.accessTokens = new Map(snapshot.accessTokens);
    this.refreshTokens = new Map(snapshot.refreshTokens);
    this.latestAccess = new Map(snapshot.latestAccess);
    this.latestRefresh = new Map(snapshot.latestRefresh);
    this.rotationOverrides = new Map(snapshot.rotationOverrides);
    this.requestTokens = new Map(snapshot.requestTokens);
  }

  /**
   * Whether the client's refreshes answer a new refresh token, the old one then refused, or the one they were
   * given, which stays valid; `undefined` goes back to the options. Until the next reset.
   */
  setRefreshRotation(clientId: string, rotate: boolean | undefined): void {
    if (!this.clients.some((client) => client.clientId === clientId))
      throw new Error(`unknown client "${clientId}"`);
    if (rotate === undefined) this.rotationOverrides.delete(clientId);
    else this.rotationOverrides.set(clientId, rotate);
  }

  /** Whether a refresh by this client answers a new refresh token. */
  rotates(client: ClientOptions): boolean {
    return (
      this.rotationOverrides.get(client.clientId) ??
      client.rotateRefreshTokens ??
      this.settings.rotateRefreshTokens
    );
  }

  /** The scopes Concur granted the client: its own, else its company's, else a production itinerary app's. */
  scopesOf(client: ClientOptions): string[] {
    return [...(client.scopes ?? this.company(client.companyId)?.scopes ?? DEFAULT_APP_SCOPES)];
  }

  /** Reads `Authorization: Bearer <t>` or `Authorization: OAuth <t>` (the seeds' form). */
  authenticate(authorization: string | undefined): Authentication {
    const match = /^\s*(Bearer|OAuth)\s+(\S+)\s*$/i.exec(authorization ?? '');
    // Concur: 401 when no Authorization header came; 403 when one came but fails validation.
    if (authorization === undefined || authorization.trim() === '')
      return { ok: false, status: 401, message: 'No access token was sent (Authorization: Bearer <token>).' };
    if (!match) return { ok: false, status: 403, message: 'The Authorization header is not valid.' };
    const token = match[2]!;
    const record = this.accessTokens.get(token);
    if (!record) return { ok: false, status: 403, message: 'The access token is not valid.' };
    if (record.revoked) return { ok: false, status: 403, message: 'The access token has been revoked.' };
    if (record.expired || (record.expiresAt !== null && this.nowMs() >= record.expiresAt)) {
      return { ok: false, status: 403, message: 'The access token has expired.' };
    }
    return { ok: true, principal: { ...record.principal }, token };
  }

  /**
   * The company a call is made for: its access token's, else (a refresh) its refresh token's, whatever state
   * the token is in; undefined when neither names one.
   */
  companyOfCall(authorization: string | undefined, refreshToken: string | null): string | undefined {
    const token = /^\s*(Bearer|OAuth)\s+(\S+)\s*$/i.exec(authorization ?? '')?.[2];
    const access = token === undefined ? undefined : this.accessTokens.get(token);
    if (access) return access.principal.companyId;
    return refreshToken === null ? undefined : this.refreshTokens.get(refreshToken)?.principal.companyId;
  }

  /** Expires every access token of the company now; returns how many. */
  expireAccessTokens(companyId: string): number {
    let count = 0;
    for (const record of this.accessTokens.values()) {
      if (record.principal.companyId === companyId && !record.expired) {
        record.expired = true;
        count++;
      }
    }
    return count;
  }

  revokeAccessToken(token: string): boolean {
    const record = this.accessTokens.get(token);
    if (record) record.revoked = true;
    return record !== undefined;
  }

  revokeRefreshToken(token: string): boolean {
    const record = this.refreshTokens.get(token);
    if (record) record.revoked = true;
    return record !== undefined;
  }

  /**
   * A new pair. A refresh keeps the chain's refresh-token expiry (`refreshExpiresAt`, epoch ms) and may keep the
   * refresh token itself; otherwise the refresh token is new and lives a full lifetime from now.
   */
  private issue(
    principal: Principal,
    current: boolean,
    chain: { refreshExpiresAt?: number; keptRefreshToken?: string } = {},
  ): TokenPair {
    const now = this.nowMs();
    const accessToken = this.newAccessToken();
    const refreshToken = chain.keptRefreshToken ?? this.newRefreshToken();
    const refreshExpiresAt = chain.refreshExpiresAt ?? now + this.settings.refreshTokenLifetimeSeconds * 1000;
    this.accessTokens.set(accessToken, {
      principal,
      expiresAt: now + this.settings.accessTokenLifetimeSeconds * 1000,
      expired: false,
      revoked: false,
    });
    const kept = chain.keptRefreshToken === undefined ? undefined : this.refreshTokens.get(refreshToken);
    // A kept refresh token lives on as a new one would (its end moved unless the chain keeps its first end).
    if (kept) kept.expiresAt = refreshExpiresAt;
    else {
      this.refreshTokens.set(refreshToken, {
        principal,
        expiresAt: refreshExpiresAt,
        used: false,
        revoked: false,
      });
    }
    if (current) {
      this.latestAccess.set(principal.companyId, accessToken);
      this.latestRefresh.set(principal.companyId, refreshToken);
    }
    return {
      accessToken,
      refreshToken,
      expiresIn: this.settings.accessTokenLifetimeSeconds,
      refreshExpiresAt: Math.floor(refreshExpiresAt / 1000),
      principal: { ...principal },
    };
  }

  private principalForClient(client: ClientOptions, user: string): Principal {
    const company = this.company(client.companyId);
    const bookingSource = client.bookingSource ?? company?.bookingSource;
    return {
      companyId: client.companyId,
      user,
      clientId: client.clientId,
      scopes: this.scopesOf(client),
      ...(bookingSource !== undefined ? { bookingSource } : {}),
    };
  }

  private newAccessToken(): string {
    return this.random.string(48);
  }

  private newRefreshToken(): string {
    const hex = '0123456789abcdef';
    const part = (n: number) => this.random.string(n, hex);
    return `${part(8)}-${part(4)}-${part(4)}-${part(4)}-${part(12)}`;
  }

  private nowMs(): number {
    return this.clock.now().getTime();
  }
}
