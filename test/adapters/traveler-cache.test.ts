import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTravelerCache } from '../../shared/adapters/dynamodb/traveler-cache';
import { DEFAULT_TRAVELER_TTL_MS, TravelerResolver } from '../../shared/gateway/travelers';
import type { ConcurIdentity, ConnectionRef, TravelerLookup } from '../../shared/gateway/ports';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let cache: DynamoTravelerCache;
let now = 1_800_000_000_000;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  const { state } = await createTestTables(dynamo, 'travelers');
  cache = new DynamoTravelerCache({ client: dynamo.client, tableName: state });
});
afterAll(() => dynamo.close());

const entry = (loginId: string, ttlMs = 60_000) => ({ loginId, resolvedAt: now, expiresAt: now + ttlMs });

describe('DynamoTravelerCache', () => {
  it('keeps entries per company, emails without case, employee ids apart from emails', async () => {
    await cache.put('co-a', { email: 'Pat@Example.com' }, entry('pat@a'));
    expect(await cache.get('co-a', { email: 'pat@example.COM' }, now)).toBe('pat@a');
    expect(await cache.get('co-b', { email: 'pat@example.com' }, now)).toBeUndefined();
    expect(await cache.get('co-a', { employeeId: 'Pat@Example.com' }, now)).toBeUndefined();
    await cache.put('co-a', { employeeId: 'E-1' }, entry('e1@a'));
    expect(await cache.get('co-a', { employeeId: 'E-1' }, now)).toBe('e1@a');
    expect(await cache.get('co-a', { employeeId: 'e-1' }, now)).toBeUndefined();
  });

  it('answers an entry only until it expires (dynalite never deletes it)', async () => {
    await cache.put('co-a', { email: 'short@example.com' }, entry('short@a', 5_000));
    expect(await cache.get('co-a', { email: 'short@example.com' }, now + 3_000)).toBe('short@a');
    expect(await cache.get('co-a', { email: 'short@example.com' }, now + 6_000)).toBeUndefined();
  });
});

const at = (companyId: string): ConnectionRef => ({ appId: 'default', companyId });

describe('TravelerResolver over the cache', () => {
  it('asks Concur once a day per company and traveler, and never for a login', async () => {
    const asked: string[] = [];
    const identity: ConcurIdentity = {
      lookupScopesMissing: async () => [],
      findUsers: async ({ companyId }: ConnectionRef, lookup: TravelerLookup) => {
        asked.push(`${companyId}:${JSON.stringify(lookup)}`);
        return { value: { totalResults: 1, loginIds: [`login-of-${companyId}`] }, attempts: 1 };
      },
    };
    const resolver = new TravelerResolver({ identity, cache, clock: { now: () => now } });
    expect(await resolver.loginIdOf(at('co-r'), { loginId: 'given@r' })).toBe('given@r');
    expect(await resolver.loginIdOf(at('co-r'), { email: 'day@example.com' })).toBe('login-of-co-r');
    now += DEFAULT_TRAVELER_TTL_MS - 1_000;
    expect(await resolver.loginIdOf(at('co-r'), { email: 'DAY@example.com' })).toBe('login-of-co-r');
    expect(await resolver.loginIdOf(at('co-s'), { email: 'day@example.com' })).toBe('login-of-co-s');
    expect(asked).toHaveLength(2);
    now += 2_000;
    expect(await resolver.loginIdOf(at('co-r'), { email: 'day@example.com' })).toBe('login-of-co-r');
    expect(asked).toEqual([
      'co-r:{"email":"day@example.com"}',
      'co-s:{"email":"day@example.com"}',
      'co-r:{"email":"day@example.com"}',
    ]);
  });
});
