/**
 * Operation records: one item per accepted event or asynchronous request in the state table, changed only
 * with single-item conditional writes, plus one `PARKED` index item per parked operation so that listing them
 * is one Query. Layout and conditions: docs/events.md.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionalCheckFailed } from '../adapters/dynamodb/document-client';
import type { Clock } from '../gateway/ports';
import type { ProblemDetails } from '../problem';
import type { Command } from './envelope';

export type OperationStatus = 'accepted' | 'processing' | 'succeeded' | 'skipped' | 'failed' | 'parked';
export type FinalStatus = 'succeeded' | 'skipped' | 'failed' | 'parked';
export type Trigger = 'webhook' | 'api' | 'eventbridge';

export interface OperationRecord {
  id: string;
  supplierId: string;
  trigger: Trigger;
  /** The event id (webhook-id, EventBridge id) or a random id for an API request. */
  eventId: string;
  /** The event type, or the API operation (e.g. `putBooking`). */
  type: string;
  /** What runs; absent only for an event that was refused before it could become one. */
  command?: Command;
  status: OperationStatus;
  attempts: number;
  createdAt: string;
  updatedAt: string;
  queuedAt?: string;
  /** What the synchronous route would have answered. */
  result?: { status: number; body: unknown };
  /** Why it failed, was parked or skipped; while retrying, the last transient problem. */
  problem?: ProblemDetails;
  nextAttemptAt?: string;
  parkedAt?: string;
}

export type NewOperation = Omit<OperationRecord, 'attempts' | 'createdAt' | 'updatedAt'>;

const SORT_KEY = 'OPERATION';
const PARKED_PARTITION = 'PARKED';
const operationKey = (id: string) => ({ pk: `OPERATION#${id}`, sk: SORT_KEY });
const parkedKey = (parkedAt: string, id: string) => ({ pk: PARKED_PARTITION, sk: `${parkedAt}#${id}` });
const NOT_FINAL = '#status IN (:accepted, :processing)';
const notFinalValues = { ':accepted': 'accepted', ':processing': 'processing' };

export interface DynamoOperationsOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoOperations {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: DynamoOperationsOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Creates the operation, or answers the one that already has its id. */
  async create(operation: NewOperation): Promise<{ record: OperationRecord; created: boolean }> {
    const now = this.isoNow();
    const record: OperationRecord = { ...operation, attempts: 0, createdAt: now, updatedAt: now };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...operationKey(record.id), ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return { record, created: true };
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      const existing = await this.get(record.id);
      if (!existing) throw error;
      return { record: existing, created: false };
    }
  }

  async get(id: string): Promise<OperationRecord | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: operationKey(id), ConsistentRead: true }),
    );
    return Item ? toRecord(Item) : undefined;
  }

  async markQueued(id: string): Promise<void> {
    await this.update(id, { queuedAt: this.isoNow() }, 'attribute_exists(pk)', {});
  }

  /**
   * Starts an attempt: the operation is `accepted`, or `processing` by an attempt older than `staleAfterMs`
   * (its worker died). Answers `final` for a redelivered message of a finished operation, `busy` while another
   * attempt runs.
   */
  async startAttempt(id: string, staleAfterMs: number): Promise<OperationRecord | 'final' | 'busy'> {
    const staleBefore = new Date(this.clock.now() - staleAfterMs).toISOString();
    try {
      return await this.update(
        id,
        { status: 'processing' },
        '#status = :accepted OR (#status = :processing AND #updatedAt < :staleBefore)',
        { ':accepted': 'accepted', ':processing': 'processing', ':staleBefore': staleBefore },
        true,
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      // Read after the refusal: the other worker may have put it back to `accepted` meanwhile, which is not
      // final either; only an ended (or missing) operation lets this message go.
      const current = await this.get(id);
      return current?.status === 'processing' || current?.status === 'accepted' ? 'busy' : 'final';
    }
  }

  /** Back to `accepted` until the next attempt, remembering what went wrong this time. */
  async retryLater(id: string, problem: ProblemDetails, nextAttemptAt: Date): Promise<void> {
    await this.update(
      id,
      { status: 'accepted', problem, nextAttemptAt: nextAttemptAt.toISOString() },
      NOT_FINAL,
      notFinalValues,
    ).catch((error: unknown) => {
      if (!isConditionalCheckFailed(error)) throw error;
    });
  }

  /**
   * Ends the operation unless it already ended. A parked operation gets its index item first, so it is never
   * parked without being listed (a stale index item is skipped when listing).
   */
  async finish(
    id: string,
    status: FinalStatus,
    outcome: { result?: OperationRecord['result']; problem?: ProblemDetails },
  ): Promise<boolean> {
    const now = this.isoNow();
    if (status === 'parked') {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...parkedKey(now, id), operationId: id },
        }),
      );
    }
    try {
      await this.update(
        id,
        {
          status,
          result: outcome.result,
          problem: outcome.problem,
          nextAttemptAt: undefined,
          parkedAt: status === 'parked' ? now : undefined,
        },
        NOT_FINAL,
        notFinalValues,
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  /** Parked operations, oldest first; `cursor` continues a listing. */
  async listParked(
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ operations: OperationRecord[]; nextCursor?: string }> {
    const limit = options.limit ?? 50;
    const operations: OperationRecord[] = [];
    let start: Record<string, unknown> | undefined = options.cursor
      ? { pk: PARKED_PARTITION, sk: Buffer.from(options.cursor, 'base64url').toString('utf8') }
      : undefined;
    while (operations.length < limit) {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': PARKED_PARTITION },
          ConsistentRead: true,
          Limit: limit - operations.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const record = await this.get(String(item.operationId));
        if (record?.status === 'parked' && parkedKey(record.parkedAt!, record.id).sk === item.sk)
          operations.push(record);
        else await this.deleteIndexItem(String(item.sk));
      }
      start = page.LastEvaluatedKey;
      if (!start) break;
    }
    const last = operations.at(-1);
    return {
      operations,
      ...(start && last
        ? { nextCursor: Buffer.from(parkedKey(last.parkedAt!, last.id).sk).toString('base64url') }
        : {}),
    };
  }

  /**
   * Operations created at or after `since`, newest first, optionally of one supplier or in one status; `cursor`
   * continues a listing. For the operator only: operations have no index by time, so every page is a Scan of
   * the state table (filtered on the server), like listing suppliers.
   */
  async listRecent(options: {
    since: Date;
    limit?: number;
    cursor?: string;
    supplierId?: string;
    status?: OperationStatus;
  }): Promise<{ operations: OperationRecord[]; nextCursor?: string }> {
    const limit = options.limit ?? 50;
    const filters = ['sk = :sk', 'createdAt >= :since'];
    const values: Record<string, unknown> = { ':sk': SORT_KEY, ':since': options.since.toISOString() };
    const names: Record<string, string> = {};
    if (options.supplierId !== undefined) {
      filters.push('supplierId = :supplierId');
      values[':supplierId'] = options.supplierId;
    }
    if (options.status !== undefined) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = options.status;
    }
    const order = (record: OperationRecord) => `${record.createdAt}#${record.id}`;
    const before = options.cursor ? Buffer.from(options.cursor, 'base64url').toString('utf8') : undefined;
    // Only the newest `limit + 1` are kept while scanning (one more tells whether another page follows).
    let found: OperationRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: filters.join(' AND '),
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        const record = toRecord(item);
        if (before === undefined || order(record) < before) found.push(record);
      }
      found = found.sort((a, b) => (order(a) < order(b) ? 1 : -1)).slice(0, limit + 1);
      start = page.LastEvaluatedKey;
    } while (start);
    const operations = found.slice(0, limit);
    return {
      operations,
      ...(found.length > limit
        ? { nextCursor: Buffer.from(order(operations.at(-1)!)).toString('base64url') }
        : {}),
    };
  }

  /**
   * A parked or failed operation back to `accepted` (for a replay): answers it as it was, or undefined. An
   * operation `accepted` and never queued is reopened too: a replay that stopped between its two writes left it
   * so, and nothing else would ever run it.
   */
  async reopen(id: string): Promise<OperationRecord | undefined> {
    let record: OperationRecord;
    try {
      record = await this.update(
        id,
        {
          status: 'accepted',
          problem: undefined,
          result: undefined,
          parkedAt: undefined,
          queuedAt: undefined,
        },
        '(#status IN (:parked, :failed) OR (#status = :accepted AND attribute_not_exists(#queuedAt))) AND attribute_exists(#command)',
        { ':parked': 'parked', ':failed': 'failed', ':accepted': 'accepted' },
        false,
        true,
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
    return record;
  }

  async deleteParkedIndex(parkedAt: string, id: string): Promise<void> {
    await this.deleteIndexItem(parkedKey(parkedAt, id).sk);
  }

  private async deleteIndexItem(sk: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.tableName, Key: { pk: PARKED_PARTITION, sk } }),
    );
  }

  /** SET the defined fields, REMOVE the undefined ones; `updatedAt` always; optionally count an attempt. */
  private async update(
    id: string,
    changes: Partial<OperationRecord>,
    condition: string,
    values: Record<string, unknown>,
    countAttempt = false,
    returnOld = false,
  ): Promise<OperationRecord> {
    const names: Record<string, string> = { '#updatedAt': 'updatedAt' };
    const attributeValues: Record<string, unknown> = { ...values, ':updatedAt': this.isoNow() };
    const sets = ['#updatedAt = :updatedAt'];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(changes)) {
      names[`#${field}`] = field;
      if (value === undefined) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        attributeValues[`:${field}`] = value;
      }
    }
    if (countAttempt) {
      names['#attempts'] = 'attempts';
      attributeValues[':one'] = 1;
      sets.push('#attempts = #attempts + :one');
    }
    for (const [, field] of condition.matchAll(/#(\w+)/g)) names[`#${field}`] = field!;
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: operationKey(id),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: attributeValues,
        ReturnValues: returnOld ? 'ALL_OLD' : 'ALL_NEW',
      }),
    );
    return toRecord(Attributes!);
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function toRecord(item: Record<string, unknown>): OperationRecord {
  const { pk: _pk, sk: _sk, ...record } = item;
  return record as unknown as OperationRecord;
}
