import { createHash } from 'node:crypto';
import { GetCommand, DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Supplier } from '../../shared/gateway/ports';
import {
  ApiKeyInUseError,
  DynamoSupplierDirectory,
  MalformedApiKeyError,
  generateApiKey,
  hashApiKey,
  SupplierExistsError,
  UnknownSupplierError,
} from '../../shared/suppliers';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;
let directory: DynamoSupplierDirectory;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  tableName = (await createTestTables(dynamo, 'suppliers')).state;
  directory = new DynamoSupplierDirectory({ client: dynamo.client, tableName });
});
afterAll(() => dynamo.close());

const acme: Supplier = {
  id: 'acme',
  bookingSource: 'AcmeHotels',
  companies: ['c1', 'c2'],
  profile: 'triplink',
};

describe('API keys', () => {
  it('generates distinct prefixed URL-safe keys of 192 random bits', () => {
    const keys = new Set(Array.from({ length: 100 }, generateApiKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^cgw_[A-Za-z0-9_-]{32}$/);
  });

  it('hashes with SHA-256 hex', () => {
    expect(hashApiKey('cgw_example')).toBe(createHash('sha256').update('cgw_example').digest('hex'));
    expect(hashApiKey('cgw_example')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('DynamoSupplierDirectory', () => {
  it('authenticates a registered key as its supplier and stores only the key’s hash', async () => {
    await directory.registerSupplier(acme);
    const apiKey = generateApiKey();
    await directory.addApiKey('acme', apiKey);

    expect(await directory.authenticate(apiKey)).toEqual(acme);

    const documents = DynamoDBDocumentClient.from(dynamo.client);
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tableName }));
    expect(JSON.stringify(Items)).not.toContain(apiKey);
    const { Item } = await documents.send(
      new GetCommand({ TableName: tableName, Key: { pk: `APIKEY#${hashApiKey(apiKey)}`, sk: 'APIKEY' } }),
    );
    expect(Item).toMatchObject({ supplierId: 'acme' });
  });

  it('does not authenticate unknown, foreign-looking or empty keys', async () => {
    expect(await directory.authenticate(generateApiKey())).toBeUndefined();
    expect(await directory.authenticate('not-a-gateway-key')).toBeUndefined();
    expect(await directory.authenticate('')).toBeUndefined();
  });

  it('refuses to store a key it would never accept, so a seed or an operator learns at once', async () => {
    await directory.registerSupplier({ ...acme, id: 'picky' });
    for (const key of [
      'a-long-random-key',
      'cgw_too-short',
      `cgw_${'x'.repeat(31)}`,
      `cgw_${'é'.repeat(32)}`,
    ]) {
      await expect(directory.addApiKey('picky', key), key).rejects.toBeInstanceOf(MalformedApiKeyError);
    }
    const documents = DynamoDBDocumentClient.from(dynamo.client);
    const { Items = [] } = await documents.send(new ScanCommand({ TableName: tableName }));
    expect(
      Items.filter((item) => item.supplierId === 'picky' && String(item.pk).startsWith('APIKEY#')),
    ).toEqual([]);
  });

  it('serves the supplier’s current settings after it is registered again', async () => {
    const supplier: Supplier = { ...acme, id: 'changing' };
    await directory.registerSupplier(supplier);
    const apiKey = generateApiKey();
    await directory.addApiKey('changing', apiKey);
    await directory.registerSupplier({ ...supplier, companies: ['c3'], profile: 'tmc' });
    expect(await directory.authenticate(apiKey)).toEqual({ ...supplier, companies: ['c3'], profile: 'tmc' });
  });

  it('gives one supplier several keys', async () => {
    await directory.registerSupplier({ ...acme, id: 'multi' });
    const keys = [generateApiKey(), generateApiKey()];
    for (const key of keys) await directory.addApiKey('multi', key);
    for (const key of keys) expect((await directory.authenticate(key))?.id).toBe('multi');
  });

  it('refuses a key for an unknown supplier, and a key that belongs to another supplier', async () => {
    const apiKey = generateApiKey();
    await expect(directory.addApiKey('ghost', apiKey)).rejects.toBeInstanceOf(UnknownSupplierError);
    expect(await directory.authenticate(apiKey)).toBeUndefined();

    await directory.registerSupplier({ ...acme, id: 'owner' });
    await directory.registerSupplier({ ...acme, id: 'thief' });
    await directory.addApiKey('owner', apiKey);
    await directory.addApiKey('owner', apiKey);
    await expect(directory.addApiKey('thief', apiKey)).rejects.toBeInstanceOf(ApiKeyInUseError);
    expect((await directory.authenticate(apiKey))?.id).toBe('owner');
  });

  it('refuses a supplier whose booking source is longer than Concur allows', async () => {
    await expect(
      directory.registerSupplier({ ...acme, id: 'long', bookingSource: 'x'.repeat(33) }),
    ).rejects.toThrow();
    await directory.registerSupplier({ ...acme, id: 'long-ok', bookingSource: 'x'.repeat(32) });
  });
});

describe('operating suppliers', () => {
  const globex: Supplier = { id: 'globex', bookingSource: 'GlobexAir', companies: ['c1'], profile: 'tmc' };
  let now = Date.parse('2026-11-01T10:00:00Z');
  let clocked: DynamoSupplierDirectory;
  let table: string;

  beforeAll(async () => {
    table = (await createTestTables(dynamo, 'operating')).state;
    clocked = new DynamoSupplierDirectory({
      client: dynamo.client,
      tableName: table,
      clock: { now: () => now },
    });
  });

  it('adds a supplier only once, and lists every supplier with its state', async () => {
    await clocked.addSupplier(globex);
    await expect(clocked.addSupplier({ ...globex, bookingSource: 'Other' })).rejects.toBeInstanceOf(
      SupplierExistsError,
    );
    await clocked.addSupplier(acme);
    expect(await clocked.listSuppliers()).toEqual([
      { ...acme, disabled: false, updatedAt: new Date(now).toISOString() },
      { ...globex, disabled: false, updatedAt: new Date(now).toISOString() },
    ]);
  });

  it('rotates a key: the old one works until the grace ends, the new one at once; hashes only', async () => {
    const oldKey = generateApiKey();
    await clocked.addApiKey('globex', oldKey);
    const newKey = generateApiKey();
    const ended = await clocked.rotateApiKey('globex', newKey, 60 * 60_000);
    expect(ended).toEqual([hashApiKey(oldKey)]);
    expect(await clocked.authenticate(oldKey)).toEqual(globex);
    expect(await clocked.authenticate(newKey)).toEqual(globex);
    const keys = await clocked.listApiKeys('globex');
    expect(keys.map((k) => k.hash).sort()).toEqual([hashApiKey(oldKey), hashApiKey(newKey)].sort());
    expect(keys.find((k) => k.hash === hashApiKey(oldKey))!.validUntil).toBe(
      new Date(now + 60 * 60_000).toISOString(),
    );
    expect(JSON.stringify(keys)).not.toContain(oldKey);

    now += 60 * 60_000;
    expect(await clocked.authenticate(oldKey)).toBeUndefined();
    expect(await clocked.authenticate(newKey)).toEqual(globex);

    // A rotation with no grace ends the previous key at once, and never lengthens an earlier end.
    const newest = generateApiKey();
    expect(await clocked.rotateApiKey('globex', newest, 0)).toEqual([hashApiKey(newKey)]);
    expect(await clocked.authenticate(newKey)).toBeUndefined();
    expect(await clocked.authenticate(newest)).toEqual(globex);
    expect(await clocked.rotateApiKey('globex', generateApiKey(), 24 * 60 * 60_000)).toEqual([
      hashApiKey(newest),
    ]);
  });

  it('disables a supplier: its keys stop authenticating, its record stays and says so', async () => {
    const key = generateApiKey();
    await clocked.addApiKey('acme', key);
    expect(await clocked.authenticate(key)).toEqual(acme);
    await clocked.disableSupplier('acme');
    expect(await clocked.authenticate(key)).toBeUndefined();
    expect(await clocked.getSupplierRecord('acme')).toMatchObject({ id: 'acme', disabled: true });
    await expect(clocked.disableSupplier('nobody')).rejects.toBeInstanceOf(UnknownSupplierError);
    await expect(clocked.rotateApiKey('nobody', generateApiKey(), 0)).rejects.toBeInstanceOf(
      UnknownSupplierError,
    );
  });
});
