/**
 * Named leases in the state table: mutual exclusion across Lambda instances and local processes.
 * A lease ends when its holder releases it or when `leaseExpiresAt` passes. The condition checks that time
 * itself because TTL deletion is late in DynamoDB (up to days) and never happens in dynalite.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, Locks } from '../../gateway/ports';
import { documentClient, isConditionalCheckFailed } from './document-client';

export function leasePartitionKey(name: string): string {
  return `LOCK#${name}`;
}

const LEASE_SORT_KEY = 'LOCK';

export interface DynamoLocksOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoLocks implements Locks {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: DynamoLocksOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async tryAcquire(name: string, holderId: string, ttlMs: number): Promise<boolean> {
    const now = this.clock.now();
    const leaseExpiresAt = now + ttlMs;
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: leasePartitionKey(name),
            sk: LEASE_SORT_KEY,
            holder: holderId,
            leaseExpiresAt,
            // TTL only tidies up abandoned leases; a minute of slack keeps it clear of the live condition.
            expiresAt: Math.ceil(leaseExpiresAt / 1000) + 60,
          },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  async release(name: string, holderId: string): Promise<void> {
    try {
      await this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { pk: leasePartitionKey(name), sk: LEASE_SORT_KEY },
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holderId },
        }),
      );
    } catch (error) {
      // Someone else holds it now (ours expired and was taken over): theirs is not ours to delete.
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
