/**
 * Concur access tokens per connection (a Concur app's access to one company). Tokens live in the connection's
 * secret; this keeps a short-lived copy in memory and refreshes before expiry or after Concur rejects a token. A
 * refresh may rotate the refresh token (the old one then stops working), so exactly one refresh per connection
 * may run at a time: one flight per connection in this process, and a lease (the `Locks` port, a DynamoDB item)
 * across processes. The refresh uses the connection's own app (its client id and secret). Whoever does not
 * get the lease waits for the holder's write and reads the secret again.
 *
 * A refresh survives a lost answer: Concur mostly answers the same refresh token, so a refresh that got no
 * answer is sent once more with the same token. When Concur does rotate it, the new pair is written back with
 * the previous refresh token kept beside it until the new one has worked, so a refused new token falls back to
 * it. When Concur refuses every refresh token held, the refusal is written into the secret and every later
 * request of the company answers `CompanyAuthRefusedError` at once, without calling Concur, until an operator
 * stores new tokens.
 *
 * A refresh token Concur never sees again expires six months after it was issued; a refresh keeps it alive. The
 * keep-alive (`refreshIfOlderThan`) refreshes a connection not refreshed since a given time, under the same
 * lease, so that it never races a refresh of live traffic.
 *
 * Tokens never appear in errors or logs.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Locks } from '../gateway/ports';
import type { CountEvent } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import { CompanyAuthRefusedError, DEFAULT_APP_ID } from './company-credentials';
import type {
  AppCredentials,
  AuthScheme,
  CompanyCredentials,
  CompanyTokens,
  ConnectionRef,
} from './company-credentials';

export interface RefreshInput {
  /** The connection's app, whose client id and secret these are (its outbound limit counts the refresh). */
  appId: string;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  signal?: AbortSignal;
}

export interface RefreshResult {
  accessToken: string;
  refreshToken: string;
  expiresInSeconds: number;
  /** When the refresh token stops working (ISO); replaces the stored one. */
  refreshExpiresAt?: string;
  /** The company's Concur base URL as Concur now states it; replaces the stored one. */
  geolocation?: string;
  /** The scopes Concur granted (space-separated), as it answered them. */
  scope?: string;
}

/** Concur's OAuth2 refresh-token grant (`POST {geolocation}/oauth2/v0/token`). */
export type RefreshTokens = (input: RefreshInput) => Promise<RefreshResult>;

export interface CompanyAccess {
  accessToken: string;
  baseUrl: string;
  authScheme: AuthScheme;
  /** The scopes Concur granted the connection (space-separated); undefined when never answered. */
  scope?: string;
}

/** Structurally a subset of the Powertools Logger. */
export interface TokenLogger {
  info(message: string, fields: { companyId: string; appId: string }): void;
  warn(
    message: string,
    fields: { companyId: string; appId: string; refreshExpiresAt: string; daysLeft: number },
  ): void;
}

/** Metric counted each time tokens are read whose refresh token expires within the warning period. */
export const REFRESH_TOKEN_EXPIRING_METRIC = GATEWAY_METRICS.refreshTokenExpiring;

export interface TokenProviderOptions {
  credentials: CompanyCredentials;
  locks: Locks;
  refresh: RefreshTokens;
  clock?: Clock;
  /** How long a token read from the secret is reused before reading the secret again. */
  cacheMaxAgeMs?: number;
  /** A token this close to expiry is refreshed. */
  refreshSkewMs?: number;
  /** Deadline of the refresh HTTP call. */
  refreshTimeoutMs?: number;
  /** How long the refresh lease lasts if its holder dies; longer than the refresh and write-back take. */
  leaseTtlMs?: number;
  /** How long a caller waits for another process's refresh before giving up. */
  leaseWaitMs?: number;
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** From this long before the refresh token expires, each read of the tokens warns (log line and metric). */
  refreshExpiryWarningMs?: number;
  /**
   * A token Concur refused is replaced by a refresh at most this often per connection: Concur asks not to get new
   * tokens for repeated transactions, and a refusal a fresh token did not cure is not cured by another.
   */
  minRefreshIntervalMs?: number;
  logger?: TokenLogger;
  count?: CountEvent;
}

export const TOKEN_PROVIDER_DEFAULTS = {
  cacheMaxAgeMs: 5 * 60_000,
  refreshSkewMs: 5 * 60_000,
  refreshTimeoutMs: 20_000,
  leaseTtlMs: 30_000,
  leaseWaitMs: 25_000,
  pollIntervalMs: 200,
  refreshExpiryWarningMs: 30 * 24 * 3600_000,
  minRefreshIntervalMs: 60_000,
} as const;

const keyOf = ({ appId, companyId }: ConnectionRef) => `${appId}#${companyId}`;

/** Another process held the refresh lease for longer than this caller would wait. */
export class TokenRefreshTimeoutError extends Error {
  constructor(readonly companyId: string) {
    super(`timed out waiting for another process to refresh the Concur token of company ${companyId}`);
    this.name = 'TokenRefreshTimeoutError';
  }
}

/** Concur refused a token of a connection refreshed less than a minute ago: no other refresh now. */
export class RefreshTooSoonError extends Error {
  constructor(
    readonly companyId: string,
    readonly appId: string,
  ) {
    super(
      `the Concur tokens of company ${companyId} (app ${appId}) were refreshed less than a minute ago; not refreshing again`,
    );
    this.name = 'RefreshTooSoonError';
  }
}

/** Concur issued new tokens but storing them failed: the company may need to be authorised again. */
export class TokenWriteBackError extends Error {
  constructor(
    readonly companyId: string,
    options: { cause: unknown },
  ) {
    super(`could not store the refreshed Concur tokens of company ${companyId}`, options);
    this.name = 'TokenWriteBackError';
  }
}

interface CachedAccess {
  access: CompanyAccess;
  expiresAtMs: number;
  readAtMs: number;
  /** When Concur last issued the tokens; undefined when not known (stored before it was kept). */
  refreshedAtMs?: number;
}

/**
 * What a caller needs of the stored tokens: fresh ones, ones other than a token Concur rejected, or ones Concur
 * issued at or after `sinceMs` (the keep-alive).
 */
type Wanted =
  | { kind: 'fresh' }
  | { kind: 'replacing'; rejectedAccessToken: string }
  | { kind: 'refreshedSince'; sinceMs: number };

const WRITE_BACK_ATTEMPTS = 3;

export class TokenProvider {
  private readonly options: Required<Omit<TokenProviderOptions, 'logger' | 'count'>> & {
    logger?: TokenLogger;
    count?: CountEvent;
  };
  private readonly cache = new Map<string, CachedAccess>();
  private readonly flights = new Map<string, Promise<CachedAccess>>();

  constructor(options: TokenProviderOptions) {
    const defaults = TOKEN_PROVIDER_DEFAULTS;
    this.options = {
      credentials: options.credentials,
      locks: options.locks,
      refresh: options.refresh,
      clock: options.clock ?? { now: () => Date.now() },
      cacheMaxAgeMs: options.cacheMaxAgeMs ?? defaults.cacheMaxAgeMs,
      refreshSkewMs: options.refreshSkewMs ?? defaults.refreshSkewMs,
      refreshTimeoutMs: options.refreshTimeoutMs ?? defaults.refreshTimeoutMs,
      leaseTtlMs: options.leaseTtlMs ?? defaults.leaseTtlMs,
      leaseWaitMs: options.leaseWaitMs ?? defaults.leaseWaitMs,
      pollIntervalMs: options.pollIntervalMs ?? defaults.pollIntervalMs,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      refreshExpiryWarningMs: options.refreshExpiryWarningMs ?? defaults.refreshExpiryWarningMs,
      minRefreshIntervalMs: options.minRefreshIntervalMs ?? defaults.minRefreshIntervalMs,
      logger: options.logger,
      count: options.count,
    };
  }

  async getAccessToken(connection: ConnectionRef): Promise<CompanyAccess> {
    const cached = this.cache.get(keyOf(connection));
    const now = this.options.clock.now();
    if (cached && now - cached.readAtMs < this.options.cacheMaxAgeMs && this.isFresh(cached.expiresAtMs)) {
      return cached.access;
    }
    return (await this.obtain(connection, { kind: 'fresh' })).access;
  }

  /** After Concur refused `rejectedAccessToken`: refreshes once, unless a newer token already replaced it. */
  async refreshAfterAuthFailure(
    connection: ConnectionRef,
    rejectedAccessToken: string,
  ): Promise<CompanyAccess> {
    const cached = this.cache.get(keyOf(connection));
    if (cached && cached.access.accessToken !== rejectedAccessToken && this.isFresh(cached.expiresAtMs)) {
      return cached.access;
    }
    return (await this.obtain(connection, { kind: 'replacing', rejectedAccessToken })).access;
  }

  /**
   * Refreshes the connection unless Concur issued its tokens at or after `sinceMs` (another refresh may have
   * done so meanwhile): a refresh token in use never reaches its six months. Throws what a refresh throws
   * (`CompanyAuthRefusedError` when Concur refused the connection's refresh tokens).
   */
  async refreshIfOlderThan(connection: ConnectionRef, sinceMs: number): Promise<void> {
    await this.obtain(connection, { kind: 'refreshedSince', sinceMs });
  }

  /**
   * The scopes Concur granted the connection (space-separated) as last stored, without refreshing anything;
   * undefined when Concur never said (tokens stored before scopes were kept).
   */
  async grantedScope(connection: ConnectionRef): Promise<string | undefined> {
    const cached = this.cache.get(keyOf(connection));
    if (cached && this.options.clock.now() - cached.readAtMs < this.options.cacheMaxAgeMs) {
      return cached.access.scope;
    }
    return (await this.options.credentials.readConnection(connection)).scope;
  }

  /**
   * Joins the company's flight in progress when its result will do; else starts one. A failed flight fails
   * its joiners too, so that a refused refresh token is not tried again by every waiting caller.
   */
  private async obtain(connection: ConnectionRef, wanted: Wanted): Promise<CachedAccess> {
    const key = keyOf(connection);
    for (;;) {
      const inFlight = this.flights.get(key);
      if (!inFlight) break;
      const result = await inFlight;
      if (this.satisfies(result, wanted)) return result;
    }
    const flight = this.fly(connection, wanted).finally(() => this.flights.delete(key));
    this.flights.set(key, flight);
    return flight;
  }

  private async fly(connection: ConnectionRef, wanted: Wanted): Promise<CachedAccess> {
    const { credentials, locks, leaseWaitMs, pollIntervalMs, leaseTtlMs, sleep } = this.options;
    const { companyId, appId } = connection;
    let stored = await credentials.readConnection(connection);
    // The default app's lease keeps its name from before apps: a function of the older version shares it.
    const leaseName =
      appId === DEFAULT_APP_ID ? `concur-token#${companyId}` : `concur-token#${appId}#${companyId}`;
    const holder = randomUUID();
    const polls = Math.max(1, Math.ceil(leaseWaitMs / pollIntervalMs));
    for (let poll = 0; ; poll += 1) {
      if (this.satisfies(tokenTimes(stored), wanted)) return this.remember(connection, stored);
      if (await locks.tryAcquire(leaseName, holder, leaseTtlMs)) {
        try {
          // The previous holder may have finished between our read and our lease.
          stored = await credentials.readConnection(connection);
          if (this.satisfies(tokenTimes(stored), wanted)) return this.remember(connection, stored);
          if (wanted.kind === 'replacing') this.refuseIfRefreshedRecently(connection, stored);
          return this.remember(connection, await this.refreshAndStore(connection, stored));
        } finally {
          await locks.release(leaseName, holder);
        }
      }
      if (poll >= polls) throw new TokenRefreshTimeoutError(companyId);
      await sleep(pollIntervalMs);
      stored = await credentials.readConnection(connection);
    }
  }

  private async refreshAndStore(connection: ConnectionRef, stored: CompanyTokens): Promise<CompanyTokens> {
    const { credentials, clock, logger } = this.options;
    const { companyId, appId } = connection;
    if (stored.refreshRefusedAt) throw new CompanyAuthRefusedError(companyId);
    const app = await credentials.readApp(appId);
    logger?.info('refreshing Concur access token', { companyId, appId });
    const refreshed = await this.refreshWithFallback(appId, stored, app);
    if (!refreshed) {
      await this.writeBack(connection, { ...stored, refreshRefusedAt: new Date(clock.now()).toISOString() });
      throw new CompanyAuthRefusedError(companyId);
    }
    const { result, usedRefreshToken } = refreshed;
    const { previousRefreshToken: _spent, ...rest } = stored;
    const rotated: CompanyTokens = {
      ...rest,
      accessToken: result.accessToken,
      refreshToken: result.refreshToken,
      ...(result.refreshToken !== usedRefreshToken ? { previousRefreshToken: usedRefreshToken } : {}),
      expiresAt: new Date(clock.now() + result.expiresInSeconds * 1000).toISOString(),
      baseUrl: result.geolocation ?? stored.baseUrl,
      ...((result.refreshExpiresAt ?? stored.refreshExpiresAt)
        ? { refreshExpiresAt: result.refreshExpiresAt ?? stored.refreshExpiresAt }
        : {}),
      ...((result.scope ?? stored.scope) !== undefined ? { scope: result.scope ?? stored.scope } : {}),
      refreshedAt: new Date(clock.now()).toISOString(),
    };
    await this.writeBack(connection, rotated);
    return rotated;
  }

  /**
   * Tries the current refresh token, then the previous one (kept after a rotation until the new one worked);
   * a refresh that got no answer is sent once more with the same token. Undefined when Concur refused both.
   */
  private async refreshWithFallback(
    appId: string,
    stored: CompanyTokens,
    app: AppCredentials,
  ): Promise<{ result: RefreshResult; usedRefreshToken: string } | undefined> {
    const { refresh, refreshTimeoutMs } = this.options;
    const candidates = [stored.refreshToken, stored.previousRefreshToken].filter(
      (token, index, all): token is string => token !== undefined && all.indexOf(token) === index,
    );
    for (const refreshToken of candidates) {
      for (let attempt = 1; ; attempt += 1) {
        try {
          const result = await refresh({
            appId,
            baseUrl: stored.baseUrl,
            clientId: app.clientId,
            clientSecret: app.clientSecret,
            refreshToken,
            signal: AbortSignal.timeout(refreshTimeoutMs),
          });
          return { result, usedRefreshToken: refreshToken };
        } catch (error) {
          const { kind, status } = error as { kind?: string; status?: number };
          if (kind === 'refresh-rejected') break;
          const answerLost = (kind === 'timed-out' || kind === 'unavailable') && status === undefined;
          if (!answerLost || attempt >= 2) throw error;
        }
      }
    }
    return undefined;
  }

  private refuseIfRefreshedRecently(connection: ConnectionRef, stored: CompanyTokens): void {
    if (stored.refreshedAt === undefined) return;
    const since = this.options.clock.now() - Date.parse(stored.refreshedAt);
    if (since < this.options.minRefreshIntervalMs) {
      throw new RefreshTooSoonError(connection.companyId, connection.appId);
    }
  }

  /** The old refresh token may already be void: losing the new one would cut the company off, so retry. */
  private async writeBack(connection: ConnectionRef, tokens: CompanyTokens): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.credentials.writeConnection(connection, tokens);
        return;
      } catch (error) {
        if (attempt >= WRITE_BACK_ATTEMPTS)
          throw new TokenWriteBackError(connection.companyId, { cause: error });
      }
    }
  }

  private remember(connection: ConnectionRef, tokens: CompanyTokens): CachedAccess {
    this.warnIfRefreshExpiring(connection, tokens);
    const entry: CachedAccess = {
      access: {
        accessToken: tokens.accessToken,
        baseUrl: tokens.baseUrl,
        authScheme: tokens.authScheme ?? 'Bearer',
        ...(tokens.scope !== undefined ? { scope: tokens.scope } : {}),
      },
      expiresAtMs: Date.parse(tokens.expiresAt),
      ...(tokens.refreshedAt !== undefined ? { refreshedAtMs: Date.parse(tokens.refreshedAt) } : {}),
      readAtMs: this.options.clock.now(),
    };
    this.cache.set(keyOf(connection), entry);
    return entry;
  }

  /**
   * A refresh token lasts six months from its issue; a refresh mostly moves its expiry on (Concur's answer says),
   * but one whose expiry did not move must be replaced by connecting the company again.
   */
  private warnIfRefreshExpiring({ companyId, appId }: ConnectionRef, tokens: CompanyTokens): void {
    if (tokens.refreshExpiresAt === undefined) return;
    const left = Date.parse(tokens.refreshExpiresAt) - this.options.clock.now();
    if (left > this.options.refreshExpiryWarningMs) return;
    const daysLeft = Math.max(0, Math.floor(left / (24 * 3600_000)));
    this.options.logger?.warn('the Concur refresh token of the company expires soon: connect it again', {
      companyId,
      appId,
      refreshExpiresAt: tokens.refreshExpiresAt,
      daysLeft,
    });
    this.options.count?.(REFRESH_TOKEN_EXPIRING_METRIC);
  }

  private satisfies(
    tokens: { access: { accessToken: string }; expiresAtMs: number; refreshedAtMs?: number },
    wanted: Wanted,
  ): boolean {
    if (wanted.kind === 'refreshedSince') {
      return tokens.refreshedAtMs !== undefined && tokens.refreshedAtMs >= wanted.sinceMs;
    }
    if (wanted.kind === 'replacing' && tokens.access.accessToken === wanted.rejectedAccessToken) return false;
    return this.isFresh(tokens.expiresAtMs);
  }

  private isFresh(expiresAtMs: number): boolean {
    return expiresAtMs - this.options.refreshSkewMs > this.options.clock.now();
  }
}

/** The stored tokens' times (and access token), as `satisfies` compares them. */
function tokenTimes(tokens: CompanyTokens) {
  return {
    access: { accessToken: tokens.accessToken },
    expiresAtMs: Date.parse(tokens.expiresAt),
    ...(tokens.refreshedAt !== undefined ? { refreshedAtMs: Date.parse(tokens.refreshedAt) } : {}),
  };
}
