/**
 * Operation records: one item per accepted event or asynchronous request in the state table, changed only
 * with single-item conditional writes, plus one `PARKED` index item per parked operation so that listing them
 * is one Query. An operation not yet ended carries `sweepAt`, which puts it in the open-operations index, so
 * that the sweeper finds those left behind with a Query, at no write of its own. Layout and conditions:
 * docs/events.md.
 */
import { createHash } from 'node:crypto';
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
import {
  documentClient,
  fieldChanges,
  isConditionalCheckFailed,
  updateOf,
} from '../adapters/dynamodb/document-client';
import { OPEN_OPERATIONS_INDEX, operationsActivityKey } from '../adapters/dynamodb/tables';
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
  /**
   * While the operation is open, and only then: when it is overdue, i.e. its next step (a send, a receive, the
   * end of an attempt) should long have happened. An open operation past it is stuck, and the sweeper queues it
   * again. With `status`, the key of the open-operations index.
   */
  sweepAt?: string;
  /** SHA-256 of the type and command: a redelivery of the event id with other content is told apart. */
  contentDigest?: string;
}

export type NewOperation = Omit<
  OperationRecord,
  'attempts' | 'createdAt' | 'updatedAt' | 'sweepAt' | 'contentDigest'
>;

/** The digest of what an operation runs, keys in a fixed order (DynamoDB keeps no order of a map's keys). */
export function contentDigestOf(operation: Pick<OperationRecord, 'type' | 'command'>): string {
  return createHash('sha256')
    .update(canonicalJson({ type: operation.type, command: operation.command ?? null }))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const SORT_KEY = 'OPERATION';
const PARKED_PARTITION = 'PARKED';
const OPERATION_PREFIX = 'OPERATION#';
const operationKey = (id: string) => ({ pk: `${OPERATION_PREFIX}${id}`, sk: SORT_KEY });
const parkedKey = (parkedAt: string, id: string) => ({ pk: PARKED_PARTITION, sk: `${parkedAt}#${id}` });
const OPEN_STATUSES: readonly OperationStatus[] = ['accepted', 'processing'];
/** What a listing's cursor says, once decoded: where the previous page ended, `<instant>#<operation id>`. */
const CURSOR_POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z#op_[0-9a-f]{26}$/;
const NOT_FINAL = '#status IN (:accepted, :processing)';
const notFinalValues = { ':accepted': 'accepted', ':processing': 'processing' };

/** How long an open operation may be overdue before the sweeper takes it as left behind. */
export const DEFAULT_SWEEP_AFTER_MS = 15 * 60_000;

/** A cursor no listing printed: refused, never read as the first page. */
export class InvalidCursorError extends Error {
  constructor(readonly cursor: string) {
    super(`"${cursor}" is not a cursor a listing printed`);
    this.name = 'InvalidCursorError';
  }
}

function cursorPosition(cursor: string): string {
  const position = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR_POSITION.test(position) || Buffer.from(position).toString('base64url') !== cursor)
    throw new InvalidCursorError(cursor);
  return position;
}

export interface DynamoOperationsOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
  /** How long past its next step an open operation is left before it counts as stuck (15 minutes). */
  sweepAfterMs?: number;
}

export class DynamoOperations {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  readonly sweepAfterMs: number;

  constructor(options: DynamoOperationsOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.sweepAfterMs = options.sweepAfterMs ?? DEFAULT_SWEEP_AFTER_MS;
  }

  /**
   * Creates the operation, or answers the one that already has its id. An open one is overdue from the start
   * (`sweepAt`), so it is in the open-operations index from its first write on.
   */
  async create(operation: NewOperation): Promise<{ record: OperationRecord; created: boolean }> {
    const now = this.isoNow();
    const record: OperationRecord = {
      ...operation,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
      ...(isOpen(operation.status) ? { sweepAt: this.sweepAt(0) } : {}),
      contentDigest: contentDigestOf(operation),
    };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          // In the supplier's activity index, so that it lists its operations without a scan.
          Item: {
            ...operationKey(record.id),
            activityKey: operationsActivityKey(record.supplierId),
            ...record,
          },
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

  /**
   * Records that its message was sent, and that it is overdue if not received long after. An operation that
   * ended meanwhile (its message was quick) gets `queuedAt` alone: `sweepAt` is only ever on an open one.
   */
  async markQueued(id: string): Promise<void> {
    const queuedAt = this.isoNow();
    try {
      await this.update(id, { queuedAt, sweepAt: this.sweepAt(0) }, NOT_FINAL, notFinalValues);
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
      await this.update(id, { queuedAt }, 'attribute_exists(pk)', {});
    }
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
        { status: 'processing', sweepAt: this.sweepAt(staleAfterMs) },
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
      {
        status: 'accepted',
        problem,
        nextAttemptAt: nextAttemptAt.toISOString(),
        sweepAt: this.sweepAt(nextAttemptAt.getTime() - this.clock.now()),
      },
      NOT_FINAL,
      notFinalValues,
    ).catch((error: unknown) => {
      if (!isConditionalCheckFailed(error)) throw error;
    });
  }

  /**
   * Ends the operation unless it already ended, and answers it as it ended (undefined when it had ended already).
   * A parked operation gets its index item first, so it is never parked without being listed (a stale index item
   * is skipped when listing).
   */
  async finish(
    id: string,
    status: FinalStatus,
    outcome: { result?: OperationRecord['result']; problem?: ProblemDetails },
  ): Promise<OperationRecord | undefined> {
    const now = this.isoNow();
    if (status === 'parked') {
      await this.documents.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...parkedKey(now, id), operationId: id },
        }),
      );
    }
    let ended: OperationRecord;
    try {
      ended = await this.update(
        id,
        {
          status,
          result: outcome.result,
          problem: outcome.problem,
          nextAttemptAt: undefined,
          parkedAt: status === 'parked' ? now : undefined,
          sweepAt: undefined,
        },
        NOT_FINAL,
        notFinalValues,
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
    return ended;
  }

  /**
   * Takes an open operation that is overdue (`sweepAt` passed) to be queued again: back to `accepted`, not
   * queued, due again in `sweepAfterMs`. Answers it, or undefined when it is not stuck (it ended, or moved on
   * meanwhile), so of two sweepers or redeliveries only one queues it.
   */
  async claimStuck(id: string): Promise<OperationRecord | undefined> {
    try {
      return await this.update(
        id,
        { status: 'accepted', queuedAt: undefined, sweepAt: this.sweepAt(0) },
        `${NOT_FINAL} AND #sweepAt <= :now AND attribute_exists(#command)`,
        { ...notFinalValues, ':now': this.isoNow() },
      );
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  /**
   * The ids of the open operations overdue now (`sweepAt` passed), oldest first, a page at a time from the
   * open-operations index. The index is eventually consistent: what it answers is a candidate, claimed (or not)
   * by a conditional write on the operation itself.
   */
  async *listOverdue(options: { pageSize?: number } = {}): AsyncGenerator<string[]> {
    const now = this.isoNow();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: OPEN_OPERATIONS_INDEX.name,
          KeyConditionExpression: 'sk = :operation AND sweepAt <= :now',
          ExpressionAttributeValues: { ':operation': SORT_KEY, ':now': now },
          Limit: options.pageSize ?? 100,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      const ids = (page.Items ?? []).map((item) => String(item.pk).slice(OPERATION_PREFIX.length));
      if (ids.length > 0) yield ids;
      start = page.LastEvaluatedKey;
    } while (start);
  }

  /** When an operation whose next step is due in `dueInMs` counts as stuck. */
  private sweepAt(dueInMs: number): string {
    return new Date(this.clock.now() + Math.max(0, dueInMs) + this.sweepAfterMs).toISOString();
  }

  /** Parked operations, oldest first; `cursor` continues a listing. */
  async listParked(
    options: { limit?: number; cursor?: string } = {},
  ): Promise<{ operations: OperationRecord[]; nextCursor?: string }> {
    const limit = options.limit ?? 50;
    const operations: OperationRecord[] = [];
    let start: Record<string, unknown> | undefined =
      options.cursor !== undefined ? { pk: PARKED_PARTITION, sk: cursorPosition(options.cursor) } : undefined;
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
    const before = options.cursor !== undefined ? cursorPosition(options.cursor) : undefined;
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
          sweepAt: this.sweepAt(0),
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

  /**
   * Forgets what an ended operation carried of its traveler (its command and its result: names, logins), when
   * Concur erased the trip: the operation stays, with its status, problem and times, and can no longer be
   * replayed. An open one is left alone (it still runs); answers whether this one was erased.
   */
  async erasePersonalData(id: string): Promise<boolean> {
    try {
      await this.update(
        id,
        { command: undefined, result: undefined },
        'attribute_exists(#status) AND NOT (#status IN (:accepted, :processing))',
        notFinalValues,
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
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
    const update = fieldChanges(changes, this.isoNow(), values);
    if (countAttempt) {
      update.names['#attempts'] = 'attempts';
      update.values[':one'] = 1;
      update.sets.push('#attempts = #attempts + :one');
    }
    const { Attributes } = await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: operationKey(id),
        ...updateOf(update, condition),
        ReturnValues: returnOld ? 'ALL_OLD' : 'ALL_NEW',
      }),
    );
    return toRecord(Attributes!);
  }

  private isoNow(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

function isOpen(status: OperationStatus): boolean {
  return OPEN_STATUSES.includes(status);
}

function toRecord(item: Record<string, unknown>): OperationRecord {
  const { pk: _pk, sk: _sk, activityKey: _activity, ...record } = item;
  return record as unknown as OperationRecord;
}
