/**
 * Suppliers and their API keys, in the state table. A key is stored only as its SHA-256 hash, which is also
 * its item's key, so authenticating is two key lookups: hash → supplier id → supplier.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { documentClient, isConditionalCheckFailed } from '../adapters/dynamodb/document-client';
import { VALIDATION_PROFILES } from '../concur';
import type { Clock, Supplier } from '../gateway/ports';
import { API_KEY_PREFIX, hashApiKey } from './api-keys';

export interface SupplierDirectory {
  /** Creates the supplier or replaces its settings; its API keys stay valid. */
  registerSupplier(supplier: Supplier): Promise<void>;
  /** Throws UnknownSupplierError, or ApiKeyInUseError when the key belongs to another supplier. */
  addApiKey(supplierId: string, apiKey: string): Promise<void>;
  authenticate(apiKey: string): Promise<Supplier | undefined>;
}

export class UnknownSupplierError extends Error {
  constructor(readonly supplierId: string) {
    super(`supplier ${supplierId} is not registered`);
    this.name = 'UnknownSupplierError';
  }
}

export class ApiKeyInUseError extends Error {
  constructor() {
    super('this API key already belongs to another supplier');
    this.name = 'ApiKeyInUseError';
  }
}

const supplierSchema = z.object({
  id: z.string().min(1).max(128),
  // Concur's BookingSource limit.
  bookingSource: z.string().min(1).max(32),
  companies: z.array(z.string().min(1)),
  profile: z.enum(VALIDATION_PROFILES),
});

const SUPPLIER_SORT_KEY = 'SUPPLIER';
const API_KEY_SORT_KEY = 'APIKEY';

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
    const checked = supplierSchema.parse(supplier);
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: supplierKey(checked.id),
          sk: SUPPLIER_SORT_KEY,
          ...checked,
          updatedAt: this.isoNow(),
        },
      }),
    );
  }

  async addApiKey(supplierId: string, apiKey: string): Promise<void> {
    if (!(await this.getSupplier(supplierId))) throw new UnknownSupplierError(supplierId);
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: apiKeyKey(hashApiKey(apiKey)),
            sk: API_KEY_SORT_KEY,
            supplierId,
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
    if (!apiKey.startsWith(API_KEY_PREFIX)) return undefined;
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: apiKeyKey(hashApiKey(apiKey)), sk: API_KEY_SORT_KEY },
      }),
    );
    if (!Item || typeof Item.supplierId !== 'string') return undefined;
    return this.getSupplier(Item.supplierId);
  }

  async getSupplier(supplierId: string): Promise<Supplier | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: supplierKey(supplierId), sk: SUPPLIER_SORT_KEY },
      }),
    );
    if (!Item) return undefined;
    const { id, bookingSource, companies, profile } = supplierSchema.parse(Item);
    return { id, bookingSource, companies, profile };
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function supplierKey(supplierId: string): string {
  return `SUPPLIER#${supplierId}`;
}

function apiKeyKey(hash: string): string {
  return `APIKEY#${hash}`;
}
