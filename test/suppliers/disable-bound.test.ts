/**
 * How long a disabled supplier's key keeps working: the functions' own authenticator (as composed for the HTTP
 * functions) against the state table in dynalite, on a controlled clock. The bound is the cache's maximum age,
 * the number the README and `suppliers disable` state; no timed assertion, the clock is moved by hand.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetServices } from '../../shared/composition/container';
import { supplierAuthentication } from '../../shared/composition/dynamodb';
import {
  DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS,
  DynamoSupplierDirectory,
  generateApiKey,
} from '../../shared/suppliers';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let directory: DynamoSupplierDirectory;
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startTestDynalite();
  const tables = await createTestTables(dynamo, 'disable-bound');
  directory = new DynamoSupplierDirectory({ client: dynamo.client, tableName: tables.state });
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    STATE_TABLE_NAME: tables.state,
  });
  resetServices();
});
afterAll(async () => {
  vi.useRealTimers();
  resetServices();
  process.env = saved;
  await dynamo.close();
});

describe('suppliers disable, as a warm function sees it', () => {
  it('is one minute at most: the key works until the cached entry is 60 s old, and not a moment longer', async () => {
    expect(DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS).toBe(60_000);
    const supplier = { id: 'bound', bookingSource: 'BoundCars', companies: ['c1'], profile: 'tmc' as const };
    await directory.addSupplier(supplier);
    const apiKey = generateApiKey();
    await directory.addApiKey(supplier.id, apiKey);

    vi.useFakeTimers({ toFake: ['Date'] });
    const checkedAt = Date.now();
    const authenticate = supplierAuthentication();
    expect(await authenticate(apiKey)).toMatchObject({ id: 'bound' });

    await directory.disableSupplier(supplier.id);
    // The worst case: the key was checked just before the disable, so the function still remembers it.
    vi.setSystemTime(checkedAt + DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS - 1);
    expect(await authenticate(apiKey)).toMatchObject({ id: 'bound' });
    vi.setSystemTime(checkedAt + DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS);
    expect(await authenticate(apiKey)).toBeUndefined();
    // And it stays refused: a refusal is not remembered, the table is asked again.
    vi.setSystemTime(checkedAt + 10 * DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS);
    expect(await authenticate(apiKey)).toBeUndefined();
  });
});
