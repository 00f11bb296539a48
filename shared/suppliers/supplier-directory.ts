/**
 * Suppliers and their API keys, in the state table. A key is stored only as its SHA-256 hash, which is also
 * its item's key, so authenticating is two key lookups: hash → supplier id → supplier. Each key is also listed
 * under its supplier, so rotation can find and end the supplier's older keys.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '../zod';
import {
  documentClient,
  isConditionalCheckFailed,
  queryAll,
  scanAll,
} from '../adapters/dynamodb/document-client';
import { ACTIVITY_INDEX, SUPPLIERS_ACTIVITY_KEY } from '../adapters/dynamodb/tables';
import { VALIDATION_PROFILES } from '../concur';
import type { Clock, Supplier } from '../gateway/ports';
import { APP_ID_PATTERN } from '../tokens/company-credentials';
import { API_KEY_FORMAT, hashApiKey } from './api-keys';
import {
  isReservedSupplierId,
  isSandboxCompany,
  liveSupplierIdOf,
  modeOfKey,
  sandboxPrincipal,
  type KeyMode,
} from '../sandbox';

export interface SupplierDirectory {
  /** Creates the supplier or replaces its settings; its API keys stay valid. */
  registerSupplier(supplier: Supplier): Promise<void>;
  /**
   * Adds a live key, or a test key (`cgw_test_…`). Throws UnknownSupplierError, or ApiKeyInUseError when the key
   * belongs to another supplier.
   */
  addApiKey(supplierId: string, apiKey: string): Promise<void>;
  /** The supplier of a live key; the supplier's sandbox principal for a test key. */
  authenticate(apiKey: string): Promise<Supplier | undefined>;
}

/** A supplier as the operator sees it: its settings and whether it is disabled. */
export interface SupplierRecord extends Supplier {
  disabled: boolean;
  updatedAt: string;
}

/** One of a supplier's API keys, by hash: never the key itself. */
export interface ApiKeyRecord {
  hash: string;
  mode: KeyMode;
  createdAt: string;
  /** ISO instant after which the key stops working; absent while it has no end. */
  validUntil?: string;
}

export class SupplierExistsError extends Error {
  constructor(readonly supplierId: string) {
    super(`supplier ${supplierId} already exists`);
    this.name = 'SupplierExistsError';
  }
}

export class UnknownSupplierError extends Error {
  constructor(readonly supplierId: string) {
    super(`no supplier ${supplierId}`);
    this.name = 'UnknownSupplierError';
  }
}

export class MalformedApiKeyError extends Error {
  constructor() {
    super('an API key is cgw_ followed by at least 32 URL-safe characters (A-Z, a-z, 0-9, - and _)');
    this.name = 'MalformedApiKeyError';
  }
}

export class ApiKeyInUseError extends Error {
  constructor() {
    super('this API key already belongs to another supplier');
    this.name = 'ApiKeyInUseError';
  }
}

/** A supplier's own rate may not exceed what a stage is ever throttled to. */
export const MAX_SUPPLIER_RATE_PER_SECOND = 10_000;

const supplierSchema = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  // Concur's BookingSource limit.
  bookingSource: z.string().check(z.minLength(1), z.maxLength(32)),
  companies: z.array(z.string().check(z.minLength(1))),
  profile: z.enum(VALIDATION_PROFILES),
  /** Absent on suppliers stored before apps: they use the default app. */
  concurApp: z.optional(z.string().check(z.regex(APP_ID_PATTERN))),
  ratePerSecond: z.optional(z.int().check(z.gte(1), z.lte(MAX_SUPPLIER_RATE_PER_SECOND))),
});
/** What a supplier may be registered as: the sandbox principals' ids and companies are not names it may take. */
const registrationSchema = supplierSchema.check(
  z.refine((supplier) => !isReservedSupplierId(supplier.id), {
    error: 'a supplier id holds no /',
    path: ['id'],
  }),
  z.refine((supplier) => !supplier.companies.some(isSandboxCompany), {
    error: 'a company whose id starts with sandbox- is a sandbox company, reached with test keys',
    path: ['companies'],
  }),
);
const supplierItemSchema = z.extend(supplierSchema, {
  disabled: z.optional(z.boolean()),
  updatedAt: z.string(),
});

const SUPPLIER_SORT_KEY = 'SUPPLIER';
const API_KEY_SORT_KEY = 'APIKEY';
/** Sort key prefix of a key's listing under its supplier: `APIKEY#{hash}`. */
const API_KEY_LISTING_PREFIX = 'APIKEY#';

export interface DynamoSupplierDirectoryOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoSupplierDirectory implements SupplierDirectory {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: DynamoSupplierDirectoryOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async registerSupplier(supplier: Supplier): Promise<void> {
    await this.putSupplier(supplier, false);
  }

  /** Creates a new supplier; throws SupplierExistsError when the id is taken. */
  async addSupplier(supplier: Supplier): Promise<void> {
    await this.putSupplier(supplier, true);
  }

  private async putSupplier(supplier: Supplier, mustBeNew: boolean): Promise<void> {
    const checked = registrationSchema.parse(supplier);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: supplierKey(checked.id),
            sk: SUPPLIER_SORT_KEY,
            ...checked,
            [ACTIVITY_INDEX.partitionKey]: SUPPLIERS_ACTIVITY_KEY,
            updatedAt: this.isoNow(),
          },
          ...(mustBeNew ? { ConditionExpression: 'attribute_not_exists(pk)' } : {}),
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new SupplierExistsError(checked.id);
      throw error;
    }
  }

  /**
   * Every supplier. Suppliers share the state table with every booking mapping and have no index of their own,
   * so this reads the whole table: an operator's command, never a request's.
   */
  async listSuppliers(): Promise<SupplierRecord[]> {
    const items = await scanAll(this.documents, {
      TableName: this.tableName,
      FilterExpression: 'sk = :sk',
      ExpressionAttributeValues: { ':sk': SUPPLIER_SORT_KEY },
    });
    const suppliers = items.map(supplierRecord);
    return suppliers.sort((a, b) => a.id.localeCompare(b.id));
  }

  /**
   * Every supplier, through the activity index's `SUPPLIERS` partition: one Query, for the functions that go
   * through every supplier (the change applier and poller), which may not scan. A supplier written before that
   * partition existed is in it once written again (npm start registers its own at each start; `suppliers update`
   * any other).
   */
  async listIndexedSuppliers(): Promise<SupplierRecord[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      IndexName: ACTIVITY_INDEX.name,
      KeyConditionExpression: '#activityKey = :suppliers',
      ExpressionAttributeNames: { '#activityKey': ACTIVITY_INDEX.partitionKey },
      ExpressionAttributeValues: { ':suppliers': SUPPLIERS_ACTIVITY_KEY },
    });
    return items.map(supplierRecord).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The supplier, disabled or not; undefined when there is none. */
  async getSupplierRecord(supplierId: string): Promise<SupplierRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: supplierKey(supplierId), sk: SUPPLIER_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    return Item ? supplierRecord(Item) : undefined;
  }

  /**
   * Sets the requests a second the supplier may send (undefined: the stage's default); functions see it within
   * the authenticators' cache time.
   */
  async setRate(supplierId: string, ratePerSecond: number | undefined): Promise<void> {
    if (ratePerSecond !== undefined) supplierSchema.shape.ratePerSecond.parse(ratePerSecond);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: supplierKey(supplierId), sk: SUPPLIER_SORT_KEY },
          UpdateExpression:
            ratePerSecond === undefined
              ? 'SET updatedAt = :now, activityKey = :suppliers REMOVE ratePerSecond'
              : 'SET updatedAt = :now, activityKey = :suppliers, ratePerSecond = :rate',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: {
            ':now': this.isoNow(),
            ':suppliers': SUPPLIERS_ACTIVITY_KEY,
            ...(ratePerSecond === undefined ? {} : { ':rate': ratePerSecond }),
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new UnknownSupplierError(supplierId);
      throw error;
    }
  }

  /** Its keys stop authenticating (within the authenticators' cache time); its data stays. */
  async disableSupplier(supplierId: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: supplierKey(supplierId), sk: SUPPLIER_SORT_KEY },
          UpdateExpression: 'SET disabled = :true, updatedAt = :now',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': true, ':now': this.isoNow() },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new UnknownSupplierError(supplierId);
      throw error;
    }
  }

  /** The supplier's keys, by hash, oldest first. */
  async listApiKeys(supplierId: string): Promise<ApiKeyRecord[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': supplierKey(supplierId), ':prefix': API_KEY_LISTING_PREFIX },
      ConsistentRead: true,
    });
    const keys: ApiKeyRecord[] = items.map((item) => ({
      hash: String(item.sk).slice(API_KEY_LISTING_PREFIX.length),
      mode: item.mode === 'test' ? 'test' : 'live',
      createdAt: String(item.createdAt),
      ...(typeof item.validUntil === 'string' ? { validUntil: item.validUntil } : {}),
    }));
    return keys.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Adds `newApiKey` and ends every other key of the supplier in its mode (live or test) `graceMs` from now (0:
   * now). A key that already ends sooner keeps its end. Returns the hashes of the keys given an end.
   */
  async rotateApiKey(supplierId: string, newApiKey: string, graceMs: number): Promise<string[]> {
    await this.addApiKey(supplierId, newApiKey);
    const newHash = hashApiKey(newApiKey);
    const mode = modeOfKey(newApiKey);
    const validUntil = new Date(this.clock.now() + graceMs).toISOString();
    const ended: string[] = [];
    for (const key of await this.listApiKeys(supplierId)) {
      if (key.mode !== mode) continue;
      if (key.hash === newHash || (key.validUntil !== undefined && key.validUntil <= validUntil)) continue;
      // The key item first: it is what authentication reads.
      for (const itemKey of [
        { pk: apiKeyKey(key.hash), sk: API_KEY_SORT_KEY },
        { pk: supplierKey(supplierId), sk: `${API_KEY_LISTING_PREFIX}${key.hash}` },
      ]) {
        await this.documents
          .send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: itemKey,
              UpdateExpression: 'SET validUntil = :until',
              ConditionExpression: 'attribute_not_exists(validUntil) OR validUntil > :until',
              ExpressionAttributeValues: { ':until': validUntil },
            }),
          )
          .catch((error: unknown) => {
            // Someone ended it sooner meanwhile: that end stays.
            if (!isConditionalCheckFailed(error)) throw error;
          });
      }
      ended.push(key.hash);
    }
    return ended;
  }

  async addApiKey(supplierId: string, apiKey: string): Promise<void> {
    // A key authenticate() would never accept is refused, never stored.
    if (!API_KEY_FORMAT.test(apiKey)) throw new MalformedApiKeyError();
    if (liveSupplierIdOf(supplierId) !== undefined || !(await this.getSupplier(supplierId)))
      throw new UnknownSupplierError(supplierId);
    const hash = hashApiKey(apiKey);
    const mode = modeOfKey(apiKey);
    // Listed under the supplier before it can authenticate, so that rotation always finds a working key.
    await this.documents
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: supplierKey(supplierId),
            sk: `${API_KEY_LISTING_PREFIX}${hash}`,
            mode,
            createdAt: this.isoNow(),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch((error: unknown) => {
        // Already listed: a retry.
        if (!isConditionalCheckFailed(error)) throw error;
      });
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: apiKeyKey(hash),
            sk: API_KEY_SORT_KEY,
            supplierId,
            mode,
            createdAt: this.isoNow(),
          },
          // Adding the same key to the same supplier again is a harmless retry.
          ConditionExpression: 'attribute_not_exists(pk) OR supplierId = :supplierId',
          ExpressionAttributeValues: { ':supplierId': supplierId },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new ApiKeyInUseError();
      throw error;
    }
  }

  async authenticate(apiKey: string): Promise<Supplier | undefined> {
    // Not one of ours: no need to ask the table.
    if (!API_KEY_FORMAT.test(apiKey)) return undefined;
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: apiKeyKey(hashApiKey(apiKey)), sk: API_KEY_SORT_KEY },
      }),
    );
    if (!Item || typeof Item.supplierId !== 'string') return undefined;
    if (typeof Item.validUntil === 'string' && Date.parse(Item.validUntil) <= this.clock.now())
      return undefined;
    const supplier = await this.getSupplier(Item.supplierId);
    return supplier && Item.mode === 'test' ? sandboxPrincipal(supplier) : supplier;
  }

  /**
   * The supplier while it is enabled; undefined when it is unknown or disabled. A sandbox principal's id (as an
   * operation of a test key's request names it) gives that principal, while its supplier is enabled.
   */
  async getSupplier(supplierId: string): Promise<Supplier | undefined> {
    const liveId = liveSupplierIdOf(supplierId);
    if (liveId !== undefined) {
      const supplier = await this.getSupplier(liveId);
      return supplier && sandboxPrincipal(supplier);
    }
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: supplierKey(supplierId), sk: SUPPLIER_SORT_KEY },
      }),
    );
    if (!Item) return undefined;
    const { disabled, updatedAt: _updatedAt, ...supplier } = supplierRecord(Item);
    return disabled ? undefined : supplier;
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function supplierRecord(item: Record<string, unknown>): SupplierRecord {
  const { id, bookingSource, companies, profile, concurApp, ratePerSecond, disabled, updatedAt } =
    supplierItemSchema.parse(item);
  return {
    id,
    bookingSource,
    companies,
    profile,
    ...(concurApp !== undefined ? { concurApp } : {}),
    ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
    disabled: disabled ?? false,
    updatedAt,
  };
}

function supplierKey(supplierId: string): string {
  return `SUPPLIER#${supplierId}`;
}

function apiKeyKey(hash: string): string {
  return `APIKEY#${hash}`;
}
