/**
 * The supplier's activity in the state table: each booking's history records, and its mappings and operations
 * through the activity index (`activity-by-supplier`, newest change first). Reads page through the index with
 * Query, never Scan; layout in docs/data-model.md.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../adapters/dynamodb/document-client';
import { GroupedPuts } from '../adapters/dynamodb/grouped-puts';
import {
  ACTIVITY_INDEX,
  bookingsActivityKey,
  operationsActivityKey,
  STATE_TABLE,
} from '../adapters/dynamodb/tables';
import type { BookingKey, BookingMapping, Clock } from '../gateway/ports';
import type { OperationRecord } from '../events/operations';
import { ACTIVITY_MAX_EXAMINED } from './contract';
import { HISTORY_RETENTION_DAYS } from './history';
import type { BookingHistory, HistoryEntry, HistoryPage } from './history';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Digits of a version in a history sort key, so that versions sort as text. */
const VERSION_DIGITS = 10;

/** Where a listing of the activity index stopped: the index key of the last item it read. */
export interface ActivityPosition {
  updatedAt: string;
  pk: string;
  sk: string;
}

/** Conditions on the listed items, applied by DynamoDB to each page it reads. */
export interface BookingFilters {
  companyId?: string;
  status?: string;
  confirmationNumberPrefix?: string;
  updatedSince?: string;
}

export interface ActivityPage<T> {
  items: T[];
  /** Set while the index may hold more: where the next page starts. */
  next?: ActivityPosition;
}

export interface DynamoSupplierActivityOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

const historyPartition = (key: BookingKey) =>
  `HISTORY#COMPANY#${key.companyId}#SOURCE#${key.bookingSource}#BOOKING#${key.confirmationNumber}`;
const historySortKey = (version: number) => `VERSION#${String(version).padStart(VERSION_DIGITS, '0')}`;

export class DynamoSupplierActivity implements BookingHistory {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  /** History records of changes made at once (by concurrent requests or a worker's batch) share one call. */
  private readonly historyPuts: GroupedPuts;

  constructor(options: DynamoSupplierActivityOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.historyPuts = new GroupedPuts(this.documents, this.tableName, (item) => `${item.pk}\n${item.sk}`);
  }

  async append(key: BookingKey, entry: HistoryEntry): Promise<void> {
    const expiresAt = Math.floor((Date.parse(entry.at) + HISTORY_RETENTION_DAYS * DAY_MS) / 1000);
    // Keyed by the version the change made: writing the same record again replaces it, never adds a second.
    await this.historyPuts.put({
      pk: historyPartition(key),
      sk: historySortKey(entry.version),
      ...entry,
      [STATE_TABLE.ttlAttribute]: expiresAt,
    });
  }

  async list(key: BookingKey, options: { limit: number; before?: number }): Promise<HistoryPage> {
    const entries: HistoryEntry[] = [];
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    let start: Record<string, unknown> | undefined =
      options.before === undefined
        ? undefined
        : { pk: historyPartition(key), sk: historySortKey(options.before) };
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :version)',
          // DynamoDB deletes expired records late and dynalite never does: expiry is checked here.
          FilterExpression: '#expiresAt > :now',
          ExpressionAttributeNames: { '#expiresAt': STATE_TABLE.ttlAttribute },
          ExpressionAttributeValues: {
            ':pk': historyPartition(key),
            ':version': 'VERSION#',
            ':now': nowSeconds,
          },
          ScanIndexForward: false,
          Limit: options.limit - entries.length,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) entries.push(toEntry(item));
      start = page.LastEvaluatedKey;
    } while (start && entries.length < options.limit);
    const last = entries.at(-1);
    return { entries, ...(start && last ? { before: last.version } : {}) };
  }

  /** One page of the booking source's mappings, newest change first, from `after`. */
  async bookings(
    bookingSource: string,
    filters: BookingFilters,
    options: { limit: number; after?: ActivityPosition },
  ): Promise<ActivityPage<BookingMapping>> {
    const conditions: string[] = [];
    const names: Record<string, string> = { '#activityKey': ACTIVITY_INDEX.partitionKey };
    const values: Record<string, unknown> = { ':activityKey': bookingsActivityKey(bookingSource) };
    if (filters.companyId !== undefined) {
      conditions.push('companyId = :companyId');
      values[':companyId'] = filters.companyId;
    }
    if (filters.status !== undefined) {
      conditions.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = filters.status;
    }
    if (filters.confirmationNumberPrefix !== undefined) {
      conditions.push('begins_with(confirmationNumber, :confirmation)');
      values[':confirmation'] = filters.confirmationNumberPrefix;
    }
    // An item that holds only a lease is no mapping yet: it has no version and no activity key either.
    const page = await this.page(names, values, conditions, filters.updatedSince, options);
    return { items: page.items.map(toMapping), ...(page.next ? { next: page.next } : {}) };
  }

  /** One page of the supplier's operations, newest change first, from `after`. */
  async operations(
    supplierId: string,
    filters: { status?: string },
    options: { limit: number; after?: ActivityPosition },
  ): Promise<ActivityPage<OperationRecord>> {
    const conditions: string[] = [];
    const names: Record<string, string> = { '#activityKey': ACTIVITY_INDEX.partitionKey };
    const values: Record<string, unknown> = { ':activityKey': operationsActivityKey(supplierId) };
    if (filters.status !== undefined) {
      conditions.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = filters.status;
    }
    const page = await this.page(names, values, conditions, undefined, options);
    return {
      items: page.items.map((item) => stripKeys(item) as unknown as OperationRecord),
      ...(page.next ? { next: page.next } : {}),
    };
  }

  /**
   * How many of a partition's items are in each status, and the newest change: the operator's summary of a
   * supplier. It reads the whole partition (the index, statuses, times and companies only); `inCompany` keeps
   * the items of the companies it accepts (a booking source's live companies, or its sandbox company).
   */
  async countByStatus(
    partition: { bookingSource: string } | { supplierId: string },
    inCompany: (companyId: string) => boolean = () => true,
  ): Promise<{ counts: Record<string, number>; lastChangeAt?: string }> {
    const activityKey =
      'bookingSource' in partition
        ? bookingsActivityKey(partition.bookingSource)
        : operationsActivityKey(partition.supplierId);
    const counts: Record<string, number> = {};
    let lastChangeAt: string | undefined;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ACTIVITY_INDEX.name,
          KeyConditionExpression: '#activityKey = :activityKey',
          ProjectionExpression: '#status, #updatedAt, companyId',
          ExpressionAttributeNames: {
            '#activityKey': ACTIVITY_INDEX.partitionKey,
            '#status': 'status',
            '#updatedAt': ACTIVITY_INDEX.sortKey,
          },
          ExpressionAttributeValues: { ':activityKey': activityKey },
          ScanIndexForward: false,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) {
        // Operations carry no company of their own: a supplier's partition is all its own.
        if (typeof item.companyId === 'string' && !inCompany(item.companyId)) continue;
        const status = String(item.status);
        counts[status] = (counts[status] ?? 0) + 1;
        lastChangeAt ??= String(item.updatedAt);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return { counts, ...(lastChangeAt ? { lastChangeAt } : {}) };
  }

  /**
   * Reads the index from `after` until `limit` items passed the conditions; the position after the last item
   * taken is where the next page starts. A page reads at most `limit` items per Query call, so a filter that
   * matches little costs more calls, each bounded.
   */
  private async page(
    names: Record<string, string>,
    values: Record<string, unknown>,
    conditions: string[],
    updatedSince: string | undefined,
    options: { limit: number; after?: ActivityPosition },
  ): Promise<{ items: Record<string, unknown>[]; next?: ActivityPosition }> {
    let keyCondition = '#activityKey = :activityKey';
    if (updatedSince !== undefined) {
      keyCondition += ' AND #updatedAt >= :since';
      names['#updatedAt'] = ACTIVITY_INDEX.sortKey;
      values[':since'] = updatedSince;
    }
    const activityKey = values[':activityKey'];
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined = options.after && {
      [ACTIVITY_INDEX.partitionKey]: activityKey,
      ...options.after,
    };
    let examined = 0;
    while (items.length < options.limit) {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: ACTIVITY_INDEX.name,
          KeyConditionExpression: keyCondition,
          ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: false,
          Limit: Math.max(options.limit, 25),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      examined += page.ScannedCount ?? 0;
      for (const item of page.Items ?? []) {
        items.push(item);
        if (items.length === options.limit) {
          // Full mid-page: the next page starts after this item, though the Query read further.
          const more = page.LastEvaluatedKey !== undefined || item !== page.Items!.at(-1);
          return { items, ...(more ? { next: positionOf(item) } : {}) };
        }
      }
      start = page.LastEvaluatedKey;
      if (!start) return { items };
      // A filter that matches little: answer what was found, with where to go on.
      if (examined >= ACTIVITY_MAX_EXAMINED) return { items, next: positionOf(start) };
    }
    return { items };
  }
}

function positionOf(item: Record<string, unknown>): ActivityPosition {
  return { updatedAt: String(item.updatedAt), pk: String(item.pk), sk: String(item.sk) };
}

function stripKeys(item: Record<string, unknown>): Record<string, unknown> {
  const {
    pk: _pk,
    sk: _sk,
    activityKey: _activity,
    leaseHolder: _holder,
    leaseExpiresAt: _expires,
    ...rest
  } = item;
  return rest;
}

const toMapping = (item: Record<string, unknown>) => stripKeys(item) as unknown as BookingMapping;

function toEntry(item: Record<string, unknown>): HistoryEntry {
  const { pk: _pk, sk: _sk, [STATE_TABLE.ttlAttribute]: _expires, ...entry } = item;
  return entry as unknown as HistoryEntry;
}
