/**
 * Trip keys in the state table: one item per (company, booking source, trip key), `pk = TRIPKEY#…`, holding the
 * trip id created for the key and, while a change of it runs, its lease (`leaseHolder`, `leaseExpiresAt`). Every
 * write is a single-item conditional write; an expired lease is free (the condition compares the clock, as TTL
 * deletion is late in DynamoDB and absent in dynalite). The item stays out of the trips index: its trip id is
 * `keyedTripId`, not `tripId`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MappingConflictError, type Clock, type TripKey, type TripKeys } from '../../gateway/ports';
import { documentClient, isConditionalCheckFailed } from './document-client';

const itemKey = (key: TripKey) => ({
  pk: `TRIPKEY#${key.companyId}#SOURCE#${key.bookingSource}#KEY#${key.tripKey}`,
  sk: 'TRIPKEY',
});

export interface DynamoTripKeysOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoTripKeys implements TripKeys {
  private readonly documents: DynamoDBDocumentClient;
  private readonly clock: Clock;

  constructor(private readonly options: DynamoTripKeysOptions) {
    this.documents = documentClient(options.client);
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async tryLease(key: TripKey, holder: string, ttlMs: number): Promise<{ tripId?: string } | undefined> {
    const now = this.clock.now();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET leaseHolder = :holder, leaseExpiresAt = :until',
          ConditionExpression: 'attribute_not_exists(leaseHolder) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: { ':holder': holder, ':until': now + ttlMs, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const tripId = Attributes?.keyedTripId as string | undefined;
      return tripId ? { tripId } : {};
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async saveAndRelease(key: TripKey, holder: string, tripId: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: itemKey(key),
          UpdateExpression: 'SET keyedTripId = :tripId, updatedAt = :now REMOVE leaseHolder, leaseExpiresAt',
          ConditionExpression: 'leaseHolder = :holder',
          ExpressionAttributeValues: {
            ':tripId': tripId,
            ':holder': holder,
            ':now': new Date(this.clock.now()).toISOString(),
          },
        }),
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) throw new MappingConflictError('lease');
      throw error;
    }
  }

  async release(key: TripKey, holder: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: itemKey(key),
          UpdateExpression: 'REMOVE leaseHolder, leaseExpiresAt',
          ConditionExpression: 'leaseHolder = :holder',
          ExpressionAttributeValues: { ':holder': holder },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
