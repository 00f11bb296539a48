/**
 * Webhook endpoints: where a supplier wants its events, one item each in the state table under the supplier
 * (`pk = WEBHOOK_ENDPOINTS#{supplierId}`, `sk = {endpointId}`), so a supplier's endpoints are one Query and
 * another supplier's endpoint is simply not found. Their signing secrets are in the secret store, never here.
 */
import { randomBytes } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  documentClient,
  fieldChanges,
  isConditionalCheckFailed,
  queryAll,
  scanAll,
  updateOf,
} from '../adapters/dynamodb/document-client';
import type { Clock } from '../gateway/ports';
import type { SupplierEventType } from './event-types';

export type EndpointStatus = 'enabled' | 'disabled';
/** Who disabled it: the supplier (PATCH), the operator (command line), or the gateway after 5 days of failures. */
export type DisabledBy = 'supplier' | 'operator' | 'failing';

export interface WebhookEndpoint {
  id: string;
  supplierId: string;
  url: string;
  /** The event types it receives; empty: every type. */
  eventTypes: SupplierEventType[];
  description?: string;
  status: EndpointStatus;
  disabledBy?: DisabledBy;
  disabledAt?: string;
  /** The first failed attempt since the last successful one. */
  failingSince?: string;
  createdAt: string;
  updatedAt: string;
}

export type EndpointChanges = Partial<Pick<WebhookEndpoint, 'url' | 'eventTypes' | 'description'>>;

const PARTITION_PREFIX = 'WEBHOOK_ENDPOINTS#';
const keyOf = (supplierId: string, id: string) => ({ pk: `${PARTITION_PREFIX}${supplierId}`, sk: id });

export const ENDPOINT_ID_PATTERN = /^ep_[0-9a-f]{24}$/;
export const newEndpointId = () => `ep_${randomBytes(12).toString('hex')}`;

export interface DynamoWebhookEndpointsOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoWebhookEndpoints {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: DynamoWebhookEndpointsOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async create(
    endpoint: Pick<WebhookEndpoint, 'id' | 'supplierId' | 'url' | 'eventTypes' | 'description'>,
  ): Promise<WebhookEndpoint> {
    const now = this.isoNow();
    const record: WebhookEndpoint = { ...endpoint, status: 'enabled', createdAt: now, updatedAt: now };
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...keyOf(record.supplierId, record.id), ...record },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return record;
  }

  async get(supplierId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: keyOf(supplierId, id), ConsistentRead: true }),
    );
    return Item ? toEndpoint(Item) : undefined;
  }

  /** The supplier's endpoints, oldest first. */
  async listOf(supplierId: string): Promise<WebhookEndpoint[]> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `${PARTITION_PREFIX}${supplierId}` },
      ConsistentRead: true,
    });
    return items.map(toEndpoint).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Every supplier's endpoints, for the operator: a Scan of the state table. */
  async listAll(): Promise<WebhookEndpoint[]> {
    const items = await scanAll(this.documents, {
      TableName: this.tableName,
      FilterExpression: 'begins_with(pk, :prefix)',
      ExpressionAttributeValues: { ':prefix': PARTITION_PREFIX },
    });
    return items
      .map(toEndpoint)
      .sort((a, b) => a.supplierId.localeCompare(b.supplierId) || a.createdAt.localeCompare(b.createdAt));
  }

  /** Changes what the supplier may change; undefined when there is no such endpoint. */
  async change(
    supplierId: string,
    id: string,
    changes: EndpointChanges,
  ): Promise<WebhookEndpoint | undefined> {
    return this.update(supplierId, id, { ...changes }, 'attribute_exists(pk)', {});
  }

  async enable(supplierId: string, id: string): Promise<WebhookEndpoint | undefined> {
    return this.update(
      supplierId,
      id,
      { status: 'enabled', disabledBy: undefined, disabledAt: undefined, failingSince: undefined },
      'attribute_exists(pk)',
      {},
    );
  }

  async disable(supplierId: string, id: string, by: DisabledBy): Promise<WebhookEndpoint | undefined> {
    return this.update(
      supplierId,
      id,
      { status: 'disabled', disabledBy: by, disabledAt: this.isoNow() },
      'attribute_exists(pk)',
      {},
    );
  }

  /**
   * After a failed attempt: remembers when the failures began, and disables the endpoint when they began at
   * least `disableAfterMs` ago. Answers true when this call disabled it.
   */
  async recordFailure(supplierId: string, id: string, disableAfterMs: number): Promise<boolean> {
    const now = this.isoNow();
    let endpoint: WebhookEndpoint | undefined;
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(supplierId, id),
          UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :now)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      endpoint = toEndpoint(Attributes!);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
    const since = Date.parse(endpoint.failingSince!);
    if (endpoint.status !== 'enabled' || this.clock.now() - since < disableAfterMs) return false;
    const disabledAt = new Date(this.clock.now()).toISOString();
    try {
      await this.update(
        supplierId,
        id,
        { status: 'disabled', disabledBy: 'failing', disabledAt },
        '#status = :enabled AND failingSince = :since',
        { ':enabled': 'enabled', ':since': endpoint.failingSince },
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** After a successful attempt: the endpoint is no longer failing. */
  async recordSuccess(supplierId: string, id: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(supplierId, id),
          UpdateExpression: 'REMOVE failingSince',
          ConditionExpression: 'attribute_exists(failingSince)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async delete(supplierId: string, id: string): Promise<boolean> {
    const { Attributes } = await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: keyOf(supplierId, id), ReturnValues: 'ALL_OLD' }),
    );
    return Attributes !== undefined;
  }

  /** SET the defined fields, REMOVE the undefined ones, `updatedAt` always; undefined when the condition fails on a missing item. */
  private async update(
    supplierId: string,
    id: string,
    changes: Partial<WebhookEndpoint>,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<WebhookEndpoint | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keyOf(supplierId, id),
          ...updateOf(fieldChanges(changes, this.isoNow(), values), condition),
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toEndpoint(Attributes!);
    } catch (error) {
      if (isConditionalCheckFailed(error) && condition === 'attribute_exists(pk)') return undefined;
      throw error;
    }
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function toEndpoint(item: Record<string, unknown>): WebhookEndpoint {
  const { pk: _pk, sk: _sk, ...endpoint } = item;
  return { eventTypes: [], ...endpoint } as unknown as WebhookEndpoint;
}
