import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoLocks } from '../../shared/adapters/dynamodb';
import type { SecretStore } from '../../shared/adapters/secrets';
import type { Locks } from '../../shared/gateway/ports';
import {
  CompanyAuthRefusedError,
  CompanyCredentials,
  CompanyNotConfiguredError,
  DEFAULT_APP_ID,
  RefreshTooSoonError,
  type ConnectionRef,
  TokenProvider,
  TokenRefreshTimeoutError,
  type CompanyTokens,
  type RefreshInput,
  type RefreshResult,
  type TokenProviderOptions,
} from '../../shared/tokens';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager';

const START = Date.parse('2025-03-01T10:00:00Z');
const HOUR = 3_600_000;

let dynamo: TestDynalite;
let secrets: TestSecretsManager;
let stateTable: string;
let now: number;
const clock = { now: () => now };

beforeAll(async () => {
  [dynamo, secrets] = await Promise.all([startTestDynalite(), startTestSecretsManager()]);
  stateTable = (await createTestTables(dynamo, 'tokens')).state;
  await secrets.store.createSecret(
    'concur-gateway/app',
    JSON.stringify({ clientId: 'client-id', clientSecret: 'client-secret' }),
  );
  await secrets.store.createSecret(
    'concur-gateway/apps/other-app',
    JSON.stringify({
      clientId: 'other-client-id',
      clientSecret: 'other-client-secret',
      bookingSources: ['Other'],
    }),
  );
});
afterAll(async () => {
  await Promise.all([dynamo.close(), secrets.close()]);
});
beforeEach(() => {
  now = START;
});

/** A Secrets Manager store that counts reads, to see when the provider uses its cache. */
function countingStore(store: SecretStore): SecretStore & { reads: number } {
  const counting = {
    reads: 0,
    getSecretString: (id: string) => {
      counting.reads += 1;
      return store.getSecretString(id);
    },
    putSecretString: (id: string, value: string) => store.putSecretString(id, value),
    createSecret: (id: string, value: string) => store.createSecret(id, value),
    listSecrets: (prefix: string) => store.listSecrets(prefix),
    deleteSecret: (id: string) => store.deleteSecret(id),
  };
  return counting;
}

/** A stand-in for Concur's token endpoint that issues numbered tokens and records its calls. */
function fakeRefresh(answer: Partial<RefreshResult> = {}) {
  const calls: RefreshInput[] = [];
  let gate: Promise<void> = Promise.resolve();
  const refresh = async (input: RefreshInput): Promise<RefreshResult> => {
    calls.push(input);
    await gate;
    return {
      accessToken: `access-${calls.length + 1}`,
      refreshToken: `refresh-${calls.length + 1}`,
      expiresInSeconds: 3600,
      ...answer,
    };
  };
  return {
    refresh,
    calls,
    holdUntil(release: Promise<void>) {
      gate = release;
    },
  };
}

let companyCounter = 0;
async function newConnection(
  overrides: Partial<CompanyTokens> = {},
  appId: string = DEFAULT_APP_ID,
): Promise<ConnectionRef> {
  companyCounter += 1;
  const connection = { appId, companyId: `company-${companyCounter}` };
  await new CompanyCredentials({ store: secrets.store }).writeConnection(connection, {
    accessToken: 'access-1',
    refreshToken: 'refresh-1',
    expiresAt: new Date(START - 1000).toISOString(),
    baseUrl: 'https://us.api.concursolutions.com',
    ...overrides,
  });
  return connection;
}

function provider(
  options: Partial<TokenProviderOptions> & Pick<TokenProviderOptions, 'refresh'>,
): TokenProvider {
  return new TokenProvider({
    credentials: new CompanyCredentials({ store: secrets.store }),
    locks: new DynamoLocks({ client: dynamo.client, tableName: stateTable }),
    clock,
    pollIntervalMs: 5,
    ...options,
  });
}

async function storedTokens(connection: ConnectionRef): Promise<CompanyTokens> {
  return new CompanyCredentials({ store: secrets.store }).readConnection(connection);
}

/** A logger and a counter that keep what they are given. */
function recordingObservers() {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  const counts: string[] = [];
  return {
    warnings,
    counts,
    logger: {
      info: () => undefined,
      warn: (message: string, fields: Record<string, unknown>) => warnings.push({ message, fields }),
    },
    count: (name: string) => counts.push(name),
  };
}

describe('TokenProvider', () => {
  it('stores the refresh token expiry Concur answers, and warns (log and metric) only within 30 days of it', async () => {
    const DAY = 24 * HOUR;
    const connection = await newConnection();
    const observers = recordingObservers();
    const fake = fakeRefresh({ refreshExpiresAt: new Date(START + 45 * DAY).toISOString() });
    const tokens = provider({ refresh: fake.refresh, logger: observers.logger, count: observers.count });
    await tokens.getAccessToken(connection);
    expect((await storedTokens(connection)).refreshExpiresAt).toBe(new Date(START + 45 * DAY).toISOString());
    expect(observers.warnings).toEqual([]);
    expect(observers.counts).toEqual([]);

    // 20 days later the stored refresh token has 25 days left: every read of the tokens warns.
    now = START + 20 * DAY;
    const later = provider({
      refresh: fakeRefresh({}).refresh,
      logger: observers.logger,
      count: observers.count,
    });
    await later.getAccessToken(connection);
    expect(observers.warnings).toEqual([
      {
        message: expect.stringMatching(/refresh token .* expires soon/),
        fields: { ...connection, refreshExpiresAt: new Date(START + 45 * DAY).toISOString(), daysLeft: 25 },
      },
    ]);
    expect(observers.counts).toEqual(['ConcurRefreshTokenExpiring']);
    // A refresh answer without refresh_expires_in keeps the stored expiry: Concur does not move it.
    expect((await storedTokens(connection)).refreshExpiresAt).toBe(new Date(START + 45 * DAY).toISOString());
  });

  it('returns a stored token that is not near expiry without refreshing', async () => {
    const connection = await newConnection({
      expiresAt: new Date(START + HOUR).toISOString(),
      authScheme: 'OAuth',
    });
    const fake = fakeRefresh();
    expect(await provider({ refresh: fake.refresh }).getAccessToken(connection)).toEqual({
      accessToken: 'access-1',
      baseUrl: 'https://us.api.concursolutions.com',
      authScheme: 'OAuth',
    });
    expect(fake.calls).toHaveLength(0);
  });

  it('refreshes an expired token once for 20 concurrent callers and writes the rotation back', async () => {
    const connection = await newConnection();
    const fake = fakeRefresh({ geolocation: 'https://eu2.api.concursolutions.com' });
    const tokens = provider({ refresh: fake.refresh });

    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken(connection)));

    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({
      baseUrl: 'https://us.api.concursolutions.com',
      clientId: 'client-id',
      clientSecret: 'client-secret',
      refreshToken: 'refresh-1',
    });
    for (const result of results) {
      expect(result).toEqual({
        accessToken: 'access-2',
        baseUrl: 'https://eu2.api.concursolutions.com',
        authScheme: 'Bearer',
      });
    }
    expect(await storedTokens(connection)).toEqual({
      accessToken: 'access-2',
      refreshToken: 'refresh-2',
      // Kept until refresh-2 has worked once.
      previousRefreshToken: 'refresh-1',
      expiresAt: new Date(START + HOUR).toISOString(),
      baseUrl: 'https://eu2.api.concursolutions.com',
      refreshedAt: new Date(START).toISOString(),
    });
  });

  it('refreshes once across two providers sharing the lease table and the secret', async () => {
    const connection = await newConnection();
    const fake = fakeRefresh();
    // The refresh waits until the other process has found the lease taken, so the wait-and-reread path runs.
    let leaseRefused!: () => void;
    fake.holdUntil(new Promise<void>((resolve) => (leaseRefused = resolve)));
    const dynamoLocks = new DynamoLocks({ client: dynamo.client, tableName: stateTable });
    const watchedLocks: Locks = {
      tryAcquire: async (name, holder, ttlMs) => {
        const acquired = await dynamoLocks.tryAcquire(name, holder, ttlMs);
        if (!acquired) leaseRefused();
        return acquired;
      },
      release: (name, holder) => dynamoLocks.release(name, holder),
    };
    const first = provider({ refresh: fake.refresh, locks: watchedLocks });
    const second = provider({ refresh: fake.refresh, locks: watchedLocks });

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? first : second).getAccessToken(connection)),
    );

    expect(fake.calls).toHaveLength(1);
    expect(new Set(results.map((result) => result.accessToken))).toEqual(new Set(['access-2']));
    expect((await storedTokens(connection)).refreshToken).toBe('refresh-2');
  });

  it('refreshes a token that expires within the skew, before it expires', async () => {
    const connection = await newConnection({ expiresAt: new Date(START + 4 * 60_000).toISOString() });
    const fake = fakeRefresh();
    const result = await provider({ refresh: fake.refresh }).getAccessToken(connection);
    expect(fake.calls).toHaveLength(1);
    expect(result.accessToken).toBe('access-2');
  });

  it('serves from memory, but reads the secret again after the cache age and before expiry', async () => {
    const connection = await newConnection({ expiresAt: new Date(START + HOUR).toISOString() });
    const store = countingStore(secrets.store);
    const fake = fakeRefresh();
    const tokens = provider({ refresh: fake.refresh, credentials: new CompanyCredentials({ store }) });

    await tokens.getAccessToken(connection);
    await tokens.getAccessToken(connection);
    expect(store.reads).toBe(1);

    // Another process rotated the token: seen once the cached copy is older than five minutes.
    await new CompanyCredentials({ store: secrets.store }).writeConnection(connection, {
      ...(await storedTokens(connection)),
      accessToken: 'access-from-elsewhere',
      expiresAt: new Date(START + 2 * HOUR).toISOString(),
    });
    now += 4 * 60_000;
    expect((await tokens.getAccessToken(connection)).accessToken).toBe('access-1');
    now += 60_000;
    expect((await tokens.getAccessToken(connection)).accessToken).toBe('access-from-elsewhere');
    expect(store.reads).toBe(2);
    expect(fake.calls).toHaveLength(0);
  });

  it('refreshes once after an auth failure, however many callers report it', async () => {
    const connection = await newConnection({ expiresAt: new Date(START + HOUR).toISOString() });
    const fake = fakeRefresh();
    const tokens = provider({ refresh: fake.refresh });
    const { accessToken } = await tokens.getAccessToken(connection);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => tokens.refreshAfterAuthFailure(connection, accessToken)),
    );

    expect(fake.calls).toHaveLength(1);
    expect(results.map((result) => result.accessToken)).toEqual(Array(5).fill('access-2'));
    expect(await tokens.getAccessToken(connection)).toMatchObject({ accessToken: 'access-2' });
  });

  it('does not refresh after an auth failure of a token that another process already replaced', async () => {
    const connection = await newConnection({ expiresAt: new Date(START + HOUR).toISOString() });
    const fake = fakeRefresh();
    const stale = provider({ refresh: fake.refresh });
    await stale.getAccessToken(connection);
    await provider({ refresh: fake.refresh }).refreshAfterAuthFailure(connection, 'access-1');
    expect(fake.calls).toHaveLength(1);

    const result = await stale.refreshAfterAuthFailure(connection, 'access-1');
    expect(result.accessToken).toBe('access-2');
    expect(fake.calls).toHaveLength(1);
  });

  it('gives up with a clear error when another process holds the refresh lease too long', async () => {
    const connection = await newConnection();
    const fake = fakeRefresh();
    const locks = new DynamoLocks({ client: dynamo.client, tableName: stateTable });
    expect(await locks.tryAcquire(`concur-token#${connection.companyId}`, 'stuck-process', HOUR)).toBe(true);
    let sleeps = 0;
    const tokens = provider({
      refresh: fake.refresh,
      leaseWaitMs: 50,
      pollIntervalMs: 10,
      sleep: async () => {
        sleeps += 1;
      },
    });

    await expect(tokens.getAccessToken(connection)).rejects.toBeInstanceOf(TokenRefreshTimeoutError);
    expect(sleeps).toBe(5);
    expect(fake.calls).toHaveLength(0);
  });

  it('fails every waiting caller with one refused refresh, keeps no token, and lets the next caller try again', async () => {
    const connection = await newConnection();
    let fail = true;
    const fake = fakeRefresh();
    let attempts = 0;
    const tokens = provider({
      refresh: async (input) => {
        attempts += 1;
        if (fail) throw new Error('invalid_grant');
        return fake.refresh(input);
      },
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 5 }, () => tokens.getAccessToken(connection)),
    );
    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array(5).fill('rejected'));
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain('invalid_grant');
    expect(attempts).toBe(1);
    fail = false;
    expect((await tokens.getAccessToken(connection)).accessToken).toBe('access-2');
    expect((await storedTokens(connection)).refreshToken).toBe('refresh-2');
  });

  it('keeps each app’s connection to a company apart: its own secret, its own client at refresh, its own scopes', async () => {
    const own = await newConnection();
    const other = { appId: 'other-app', companyId: own.companyId };
    await new CompanyCredentials({ store: secrets.store }).writeConnection(other, {
      accessToken: 'other-access-1',
      refreshToken: 'other-refresh-1',
      expiresAt: new Date(START - 1000).toISOString(),
      baseUrl: 'https://eu2.api.concursolutions.com',
    });
    const calls: RefreshInput[] = [];
    const tokens = provider({
      refresh: async (input) => {
        calls.push(input);
        return {
          accessToken: `${input.clientId}-access`,
          refreshToken: input.refreshToken,
          expiresInSeconds: 3600,
          scope: input.clientId === 'client-id' ? 'openid ITINER' : 'openid ITINER identity.user.core.read',
        };
      },
    });
    const [ownAccess, otherAccess] = await Promise.all([
      tokens.getAccessToken(own),
      tokens.getAccessToken(other),
    ]);
    expect(ownAccess).toMatchObject({ accessToken: 'client-id-access', scope: 'openid ITINER' });
    expect(otherAccess).toMatchObject({
      accessToken: 'other-client-id-access',
      baseUrl: 'https://eu2.api.concursolutions.com',
    });
    expect(calls.map(({ clientId, refreshToken }) => [clientId, refreshToken]).sort()).toEqual([
      ['client-id', 'refresh-1'],
      ['other-client-id', 'other-refresh-1'],
    ]);
    const stored = await storedTokens(other);
    expect(stored).toMatchObject({
      accessToken: 'other-client-id-access',
      scope: 'openid ITINER identity.user.core.read',
      refreshedAt: new Date(START).toISOString(),
    });
    expect((await storedTokens(own)).accessToken).toBe('client-id-access');
    expect(
      await secrets.store.getSecretString(`concur-gateway/companies/${own.companyId}/apps/other-app`),
    ).toContain('other-client-id-access');
  });

  it('replaces a token Concur refused at most once a minute per connection', async () => {
    const connection = await newConnection({ expiresAt: new Date(START + HOUR).toISOString() });
    const fake = fakeRefresh();
    const tokens = provider({ refresh: fake.refresh });
    expect((await tokens.refreshAfterAuthFailure(connection, 'access-1')).accessToken).toBe('access-2');
    // Concur refused the new token too, within the minute: no second refresh.
    now += 30_000;
    await expect(tokens.refreshAfterAuthFailure(connection, 'access-2')).rejects.toBeInstanceOf(
      RefreshTooSoonError,
    );
    expect(fake.calls).toHaveLength(1);
    now += 31_000;
    expect((await tokens.refreshAfterAuthFailure(connection, 'access-2')).accessToken).toBe('access-3');
    expect(fake.calls).toHaveLength(2);
  });

  it('tells the granted scopes without refreshing an expired token', async () => {
    const connection = await newConnection({ scope: 'openid ITINER' });
    const fake = fakeRefresh();
    expect(await provider({ refresh: fake.refresh }).grantedScope(connection)).toBe('openid ITINER');
    expect(fake.calls).toHaveLength(0);
  });

  it('reports a company without a secret as not configured', async () => {
    await expect(
      provider({ refresh: fakeRefresh().refresh }).getAccessToken({
        appId: DEFAULT_APP_ID,
        companyId: 'nobody',
      }),
    ).rejects.toBeInstanceOf(CompanyNotConfiguredError);
  });

  it('keeps the previous refresh token after a rotation until the new one works, and falls back to it when Concur refuses the new one', async () => {
    const connection = await newConnection({
      refreshToken: 'refresh-new',
      previousRefreshToken: 'refresh-old',
    });
    const calls: string[] = [];
    const refresh = async (input: RefreshInput): Promise<RefreshResult> => {
      calls.push(input.refreshToken);
      if (input.refreshToken === 'refresh-new') {
        throw Object.assign(new Error('refused'), { kind: 'refresh-rejected', status: 400 });
      }
      return { accessToken: 'access-from-old', refreshToken: 'refresh-old', expiresInSeconds: 3600 };
    };
    const access = await provider({ refresh }).getAccessToken(connection);
    expect(access.accessToken).toBe('access-from-old');
    expect(calls).toEqual(['refresh-new', 'refresh-old']);
    // The old one worked and came back unchanged: it is proven, nothing else is kept.
    const stored = await storedTokens(connection);
    expect(stored.refreshToken).toBe('refresh-old');
    expect(stored.previousRefreshToken).toBeUndefined();
  });

  it('sends a refresh whose answer was lost once more with the same token; a second loss is the caller’s error', async () => {
    const connection = await newConnection();
    const lost = () => Object.assign(new Error('no answer'), { kind: 'timed-out' });
    let failures = 1;
    const calls: string[] = [];
    const refresh = async (input: RefreshInput): Promise<RefreshResult> => {
      calls.push(input.refreshToken);
      if (failures-- > 0) throw lost();
      return { accessToken: 'access-2', refreshToken: input.refreshToken, expiresInSeconds: 3600 };
    };
    expect((await provider({ refresh }).getAccessToken(connection)).accessToken).toBe('access-2');
    expect(calls).toEqual(['refresh-1', 'refresh-1']);

    const other = await newConnection();
    failures = 2;
    await expect(provider({ refresh }).getAccessToken(other)).rejects.toMatchObject({ kind: 'timed-out' });
    expect((await storedTokens(other)).refreshRefusedAt).toBeUndefined();
  });

  it('remembers a refusal of every refresh token held: later callers fail at once, without a refresh', async () => {
    const connection = await newConnection();
    let calls = 0;
    const refresh = async (): Promise<RefreshResult> => {
      calls += 1;
      throw Object.assign(new Error('refused'), { kind: 'refresh-rejected', status: 400 });
    };
    await expect(provider({ refresh }).getAccessToken(connection)).rejects.toBeInstanceOf(
      CompanyAuthRefusedError,
    );
    await expect(provider({ refresh }).getAccessToken(connection)).rejects.toBeInstanceOf(
      CompanyAuthRefusedError,
    );
    expect(calls).toBe(1);
    expect((await storedTokens(connection)).refreshRefusedAt).toBe(new Date(START).toISOString());
  });
});
