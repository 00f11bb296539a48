/**
 * Webhook messages and their delivery attempts, in the state table under the endpoint
 * (`pk = WEBHOOK_ENDPOINT#{endpointId}`):
 *   - `MESSAGE#{messageId}`: what is sent (the body, signed afresh at each attempt) and where it stands:
 *     `pending` until an attempt succeeds (`succeeded`) or the schedule ends (`failed`);
 *   - `ATTEMPT#{time}#{messageId}#{n}`: one per attempt, so the endpoint's attempts are one Query, newest first;
 *   - `FAILED#{failedAt}#{messageId}`: one per failed message, so `recover` finds the failures since a time.
 * Everything carries `expiresAt` (30 days): DynamoDB's TTL deletes it on AWS; reads skip expired items, as the
 * local DynamoDB never deletes them. Only single-item conditional writes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionalCheckFailed } from '../adapters/dynamodb/document-client';
import type { Clock } from '../gateway/ports';
import type { SupplierEventType } from './event-types';

/** How long messages and attempts are kept. */
export const RETENTION_DAYS = 30;
const RETENTION_SECONDS = RETENTION_DAYS * 24 * 3600;

export type MessageStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookMessage {
  /** The `webhook-id`: the same at every attempt. */
  id: string;
  endpointId: string;
  supplierId: string;
  type: SupplierEventType;
  /** The JSON body exactly as it is signed and sent. */
  body: string;
  status: MessageStatus;
  /** Attempts made since it was created (or recovered). */
  attempts: number;
  createdAt: string;
  queuedAt?: string;
  nextAttemptAt?: string;
  failedAt?: string;
  succeededAt?: string;
}

export interface DeliveryAttempt {
  messageId: string;
  eventType: SupplierEventType;
  attemptedAt: string;
  /** 1 for the first attempt of the message. */
  attempt: number;
  /** The answer's status, absent when none came. */
  status?: number;
  /** Why no answer came. */
  error?: string;
  latencyMs: number;
  /** At most 1 KB of the answer. */
  answer?: string;
}

const partition = (endpointId: string) => `WEBHOOK_ENDPOINT#${endpointId}`;
const messageKey = (endpointId: string, id: string) => ({ pk: partition(endpointId), sk: `MESSAGE#${id}` });
const failedKey = (endpointId: string, failedAt: string, id: string) => ({
  pk: partition(endpointId),
  sk: `FAILED#${failedAt}#${id}`,
});

/** True for a cursor `attemptsOf` gave (it names an attempt), whoever altered it. */
export const isAttemptCursor = (cursor: string) =>
  /^[A-Za-z0-9_-]{1,512}$/.test(cursor) && decodeCursor(cursor).startsWith('ATTEMPT#');
const encodeCursor = (sk: string) => Buffer.from(sk, 'utf8').toString('base64url');
function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}

export interface DynamoWebhookMessagesOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoWebhookMessages {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: DynamoWebhookMessagesOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Creates the message, or answers the one that already has its id for this endpoint. */
  async create(
    message: Pick<WebhookMessage, 'id' | 'endpointId' | 'supplierId' | 'type' | 'body'>,
  ): Promise<{ message: WebhookMessage; created: boolean }> {
    const record: WebhookMessage = { ...message, status: 'pending', attempts: 0, createdAt: this.isoNow() };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...messageKey(record.endpointId, record.id), ...record, expiresAt: this.expiresAt() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { message: record, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.get(record.endpointId, record.id);
      if (!existing) throw error;
      return { message: existing, created: false };
    }
  }

  async get(endpointId: string, id: string): Promise<WebhookMessage | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: messageKey(endpointId, id), ConsistentRead: true }),
    );
    return Item && !this.expired(Item) ? toMessage(Item) : undefined;
  }

  async markQueued(endpointId: string, id: string): Promise<void> {
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: messageKey(endpointId, id),
        UpdateExpression: 'SET queuedAt = :now',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': this.isoNow() },
      }),
    );
  }

  /** Counts an attempt of a pending message; undefined when it is no longer pending (a redelivered message). */
  async startAttempt(endpointId: string, id: string): Promise<WebhookMessage | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(endpointId, id),
          UpdateExpression: 'SET attempts = attempts + :one REMOVE nextAttemptAt',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':one': 1, ':pending': 'pending' },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toMessage(Attributes!);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async recordAttempt(endpointId: string, attempt: DeliveryAttempt): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: partition(endpointId),
          sk: `ATTEMPT#${attempt.attemptedAt}#${attempt.messageId}#${attempt.attempt}`,
          ...attempt,
          expiresAt: this.expiresAt(),
        },
      }),
    );
  }

  async retryAt(endpointId: string, id: string, nextAttemptAt: Date): Promise<void> {
    await this.documents
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(endpointId, id),
          UpdateExpression: 'SET nextAttemptAt = :next',
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':next': nextAttemptAt.toISOString(), ':pending': 'pending' },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  async succeed(endpointId: string, id: string): Promise<void> {
    await this.end(endpointId, id, 'succeeded');
  }

  /**
   * Forgets a delivered message's body (it named a traveler whom Concur has erased since); a message still to be
   * sent, or failed and so still recoverable, keeps it.
   */
  async forgetDelivered(endpointId: string, id: string): Promise<void> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(endpointId, id),
          UpdateExpression: 'REMOVE #body',
          ConditionExpression: '#status = :succeeded',
          ExpressionAttributeNames: { '#body': 'body', '#status': 'status' },
          ExpressionAttributeValues: { ':succeeded': 'succeeded' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  /** Ends the message as failed; its index item comes first, so a failed message is always found by `recover`. */
  async fail(endpointId: string, id: string): Promise<void> {
    const failedAt = this.isoNow();
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...failedKey(endpointId, failedAt, id), messageId: id, expiresAt: this.expiresAt() },
      }),
    );
    await this.end(endpointId, id, 'failed', failedAt);
  }

  /** Attempts at the endpoint, newest first; `cursor` continues a listing. */
  async attemptsOf(
    endpointId: string,
    options: { limit: number; cursor?: string },
  ): Promise<{ attempts: DeliveryAttempt[]; nextCursor?: string }> {
    const attempts: DeliveryAttempt[] = [];
    let start: Record<string, unknown> | undefined = options.cursor
      ? { pk: partition(endpointId), sk: decodeCursor(options.cursor) }
      : undefined;
    let lastSk: string | undefined;
    while (attempts.length < options.limit) {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :attempt)',
          ExpressionAttributeValues: { ':pk': partition(endpointId), ':attempt': 'ATTEMPT#' },
          ScanIndexForward: false,
          ConsistentRead: true,
          Limit: options.limit - attempts.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        lastSk = String(item.sk);
        if (!this.expired(item)) attempts.push(toAttempt(item));
      }
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    return { attempts, ...(start && lastSk ? { nextCursor: encodeCursor(lastSk) } : {}) };
  }

  /**
   * Puts every message that failed at or after `since` back to `pending` with a fresh schedule and answers them
   * (to be queued again); their index items go.
   */
  async reopenFailedSince(endpointId: string, since: Date): Promise<WebhookMessage[]> {
    const reopened: WebhookMessage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': partition(endpointId),
            ':from': `FAILED#${since.toISOString()}`,
            ':to': 'FAILED#~',
          },
          ConsistentRead: true,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const message = await this.reopen(endpointId, String(item.messageId), String(item.sk).split('#')[1]!);
        if (message && !this.expired(item)) reopened.push(message);
        await this.documents.send(
          new DeleteCommand({ TableName: this.tableName, Key: { pk: item.pk, sk: item.sk } }),
        );
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return reopened;
  }

  /** A message that failed at `failedAt` back to pending; undefined when it has changed since (or is gone). */
  private async reopen(
    endpointId: string,
    id: string,
    failedAt: string,
  ): Promise<WebhookMessage | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(endpointId, id),
          UpdateExpression: 'SET #status = :pending, attempts = :zero REMOVE failedAt, queuedAt',
          ConditionExpression: '#status = :failed AND failedAt = :failedAt',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':pending': 'pending',
            ':failed': 'failed',
            ':failedAt': failedAt,
            ':zero': 0,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toMessage(Attributes!);
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  private async end(endpointId: string, id: string, status: 'succeeded' | 'failed', at = this.isoNow()) {
    const field = status === 'succeeded' ? 'succeededAt' : 'failedAt';
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(endpointId, id),
          UpdateExpression: `SET #status = :status, ${field} = :at REMOVE nextAttemptAt`,
          ConditionExpression: '#status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':at': at, ':pending': 'pending' },
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  private expiresAt(): number {
    return Math.floor(this.clock.now() / 1000) + RETENTION_SECONDS;
  }

  private expired(item: Record<string, unknown>): boolean {
    return typeof item.expiresAt === 'number' && item.expiresAt * 1000 <= this.clock.now();
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function toMessage(item: Record<string, unknown>): WebhookMessage {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...message } = item;
  return message as unknown as WebhookMessage;
}

function toAttempt(item: Record<string, unknown>): DeliveryAttempt {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...attempt } = item;
  return attempt as unknown as DeliveryAttempt;
}
