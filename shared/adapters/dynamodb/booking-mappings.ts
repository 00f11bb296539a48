/**
 * Booking mappings (supplier booking ↔ Concur trip) and the trips a supplier created, in the state table.
 * Every write is a single-item conditional write: dynalite has no transactions, and none is needed because
 * each change touches one item.
 *
 * A booking's lease lives on its mapping item (`leaseHolder`, `leaseExpiresAt`), so that a change costs two
 * calls: one conditional UpdateItem takes the lease and returns the mapping, one conditional UpdateItem stores
 * the result and removes the lease. Before a booking's first change is stored its item holds only the lease
 * (no `version`): such an item is no mapping, and reads skip it. An expired lease is free: the condition
 * compares `leaseExpiresAt` with the clock, as DynamoDB's TTL deletion is late and dynalite has none.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  CONCUR_STATES,
  MappingConflictError,
  type BookingKey,
  type BookingLease,
  type BookingMapping,
  type BookingMappingChanges,
  type BookingMappings,
  type Clock,
  type ConcurState,
  type CreatedTrip,
  type MappingWrite,
  type RecordedTrip,
  type TripDetails,
  type TripPosition,
  type TripRecord,
} from '../../gateway/ports';
import { documentClient, isConditionalCheckFailed, queryAll } from './document-client';
import { ACTIVITY_INDEX, bookingsActivityKey, TRIPS_INDEX } from './tables';

const isConcurState = (value: unknown): value is ConcurState =>
  (CONCUR_STATES as readonly unknown[]).includes(value);

export function supplierPartitionKey(companyId: string, bookingSource: string): string {
  return `COMPANY#${companyId}#SOURCE#${bookingSource}`;
}

const BOOKING_PREFIX = 'BOOKING#';
const TRIP_PREFIX = 'TRIP#';
/** Attributes of the item that are not the mapping's. */
const LEASE_ATTRIBUTES = ['leaseHolder', 'leaseExpiresAt'] as const;

/**
 * Every attribute `update` may change. A Record over the changes type makes the compiler flag a field added
 * to the port but not here; at run time it keeps a caller's stray key from overwriting pk, sk or version.
 */
const CHANGEABLE_FIELDS: Record<keyof BookingMappingChanges, true> = {
  recordLocator: true,
  tripId: true,
  travelerLoginId: true,
  status: true,
  sourceModifiedUtc: true,
  updatedAt: true,
  previousConfirmationNumber: true,
  replacedByConfirmationNumber: true,
  pendingStep: true,
  lastError: true,
  tripName: true,
  tripStartDateLocal: true,
  tripEndDateLocal: true,
  bookingStartDateLocal: true,
  bookingEndDateLocal: true,
  concurState: true,
  concurChangedAt: true,
};

/** Items read per page of the trips index: a listing stops reading as soon as its page of trips is full. */
const TRIPS_INDEX_PAGE = 100;

export interface DynamoBookingMappingsOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
}

export class DynamoBookingMappings implements BookingMappings {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(options: DynamoBookingMappingsOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async get(key: BookingKey): Promise<BookingMapping | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: bookingItemKey(key), ConsistentRead: true }),
    );
    return Item ? toMapping(Item) : undefined;
  }

  async tryLease(key: BookingKey, holder: string, ttlMs: number): Promise<BookingLease | undefined> {
    const now = this.clock.now();
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: bookingItemKey(key),
          UpdateExpression: 'SET leaseHolder = :holder, leaseExpiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(leaseHolder) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: { ':holder': holder, ':expiresAt': now + ttlMs, ':now': now },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const mapping = Attributes ? toMapping(Attributes) : undefined;
      return { key, holder, ...(mapping ? { mapping } : {}) };
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async saveAndRelease(lease: BookingLease, write: MappingWrite): Promise<BookingMapping> {
    const now = new Date(this.clock.now()).toISOString();
    const names: Record<string, string> = {
      '#version': 'version',
      '#updatedAt': 'updatedAt',
      '#activityKey': ACTIVITY_INDEX.partitionKey,
    };
    const values: Record<string, unknown> = {
      ':holder': lease.holder,
      ':updatedAt': now,
      ':activityKey': bookingsActivityKey(lease.key.bookingSource),
    };
    // Every stored change puts the mapping in its supplier's activity index (newest change first), including a
    // mapping written before the index existed.
    const sets = ['#updatedAt = :updatedAt', '#activityKey = :activityKey'];
    const removes: string[] = [...LEASE_ATTRIBUTES];
    let condition = 'leaseHolder = :holder';
    let fields: Record<string, unknown>;
    if ('create' in write) {
      fields = { ...write.create, ...lease.key, createdAt: now };
      values[':first'] = 1;
      sets.push('#version = :first');
      condition += ' AND attribute_not_exists(#version)';
    } else {
      if (!lease.mapping) throw new MappingConflictError('version');
      fields = Object.fromEntries(
        Object.entries(write.changes).filter(([field]) => field in CHANGEABLE_FIELDS),
      );
      values[':expected'] = lease.mapping.version;
      values[':next'] = lease.mapping.version + 1;
      sets.push('#version = :next');
      condition += ' AND #version = :expected';
    }
    for (const [field, value] of Object.entries(fields)) {
      if (field === 'updatedAt' || field === 'version') continue;
      names[`#${field}`] = field;
      // A key present with the value undefined is how the caller clears a field such as pendingStep.
      if (value === undefined) removes.push(`#${field}`);
      else {
        values[`:${field}`] = value;
        sets.push(`#${field} = :${field}`);
      }
    }
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: bookingItemKey(lease.key),
          UpdateExpression: `SET ${sets.join(', ')} REMOVE ${removes.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toMapping(Attributes ?? {})!;
    } catch (error) {
      // The lease ran out and someone else took it (and may have changed the booking since).
      if (isConditionalCheckFailed(error)) throw new MappingConflictError('lease');
      throw error;
    }
  }

  async release(lease: BookingLease): Promise<void> {
    const key = bookingItemKey(lease.key);
    try {
      if (lease.mapping) {
        await this.documents.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: key,
            UpdateExpression: `REMOVE ${LEASE_ATTRIBUTES.join(', ')}`,
            ConditionExpression: 'leaseHolder = :holder',
            ExpressionAttributeValues: { ':holder': lease.holder },
          }),
        );
      } else {
        // Only the lease was ever stored: nothing is left behind.
        await this.documents.send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: key,
            ConditionExpression: 'leaseHolder = :holder AND attribute_not_exists(version)',
            ExpressionAttributeValues: { ':holder': lease.holder },
          }),
        );
      }
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }

  async listForSupplier(companyId: string, bookingSource: string): Promise<BookingMapping[]> {
    const items = await this.queryPrefix(supplierPartitionKey(companyId, bookingSource), BOOKING_PREFIX);
    return items.map(toMapping).filter((mapping) => mapping !== undefined);
  }

  async recordTrip(trip: RecordedTrip): Promise<void> {
    const now = new Date(this.clock.now()).toISOString();
    const fields: Record<string, unknown> = {
      tripId: trip.tripId,
      travelerLoginId: trip.travelerLoginId,
      updatedAt: now,
      recordLocators: trip.recordLocators,
      tripName: trip.tripName,
      tripStartDateLocal: trip.tripStartDateLocal,
      tripEndDateLocal: trip.tripEndDateLocal,
      cancelledAt: trip.cancelledAt,
      concurState: trip.concurState,
      concurChangedAt: trip.concurChangedAt,
    };
    const names: Record<string, string> = { '#recordedAt': 'recordedAt' };
    const values: Record<string, unknown> = { ':now': now };
    const sets = ['#recordedAt = if_not_exists(#recordedAt, :now)'];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) {
        removes.push(`#${field}`);
        continue;
      }
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    // An upsert: a retried create records the same trip again, a replace refreshes its name and dates.
    await this.documents.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: {
          pk: supplierPartitionKey(trip.companyId, trip.bookingSource),
          sk: `${TRIP_PREFIX}${trip.tripId}`,
        },
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  async listTripsForSupplier(
    companyId: string,
    bookingSource: string,
  ): Promise<{ tripId: string; travelerLoginId: string }[]> {
    const items = await this.queryPrefix(supplierPartitionKey(companyId, bookingSource), TRIP_PREFIX);
    return items.map((item) => ({
      tripId: String(item.tripId),
      travelerLoginId: String(item.travelerLoginId),
    }));
  }

  async createdTrip(
    companyId: string,
    bookingSource: string,
    tripId: string,
  ): Promise<CreatedTrip | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: supplierPartitionKey(companyId, bookingSource), sk: `${TRIP_PREFIX}${tripId}` },
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const text = (field: string) =>
      typeof Item[field] === 'string' ? { [field]: Item[field] as string } : {};
    return {
      tripId: String(Item.tripId),
      travelerLoginId: String(Item.travelerLoginId),
      ...text('tripName'),
      ...text('tripStartDateLocal'),
      ...text('tripEndDateLocal'),
      ...text('cancelledAt'),
      ...(isConcurState(Item.concurState) ? { concurState: Item.concurState } : {}),
      ...text('concurChangedAt'),
      ...text('updatedAt'),
    };
  }

  async *tripsOfSupplier(
    companyId: string,
    bookingSource: string,
    startAfter?: TripPosition,
  ): AsyncIterable<{ trip: TripRecord; position: TripPosition }> {
    const pk = supplierPartitionKey(companyId, bookingSource);
    let startKey: Record<string, unknown> | undefined = startAfter
      ? { pk, sk: startAfter.sk, tripId: startAfter.tripId }
      : undefined;
    // One trip's records are adjacent in the index (same sort key): a trip is complete once the next one starts.
    let group: { tripId: string; items: Record<string, unknown>[]; lastSk: string } | undefined;
    const finish = () => {
      const trip = group ? toTripRecord(group.tripId, group.items) : undefined;
      return trip ? { trip, position: { tripId: group!.tripId, sk: group!.lastSk } } : undefined;
    };
    do {
      const page = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TRIPS_INDEX.name,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': pk },
          ExclusiveStartKey: startKey,
          Limit: TRIPS_INDEX_PAGE,
        }),
      );
      for (const item of page.Items ?? []) {
        const tripId = String(item.tripId);
        if (group && group.tripId !== tripId) {
          const done = finish();
          group = undefined;
          if (done) yield done;
        }
        group ??= { tripId, items: [], lastSk: '' };
        group.items.push(item);
        group.lastSk = String(item.sk);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const last = finish();
    if (last) yield last;
  }

  async tripOfSupplier(
    companyId: string,
    bookingSource: string,
    tripId: string,
  ): Promise<TripRecord | undefined> {
    const items = await queryAll(this.documents, {
      TableName: this.tableName,
      IndexName: TRIPS_INDEX.name,
      KeyConditionExpression: 'pk = :pk AND tripId = :tripId',
      ExpressionAttributeValues: {
        ':pk': supplierPartitionKey(companyId, bookingSource),
        ':tripId': tripId,
      },
    });
    return toTripRecord(tripId, items);
  }

  private queryPrefix(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    return queryAll(this.documents, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
      ConsistentRead: true,
    });
  }
}

function bookingItemKey(key: BookingKey): { pk: string; sk: string } {
  return {
    pk: supplierPartitionKey(key.companyId, key.bookingSource),
    sk: `${BOOKING_PREFIX}${key.confirmationNumber}`,
  };
}

/** The mapping an item holds; undefined for an item that holds only a lease (no version yet). */
function toMapping(item: Record<string, unknown>): BookingMapping | undefined {
  if (item.version === undefined) return undefined;
  const {
    pk: _pk,
    sk: _sk,
    leaseHolder: _holder,
    leaseExpiresAt: _expires,
    activityKey: _activity,
    ...mapping
  } = item;
  return mapping as unknown as BookingMapping;
}

/**
 * One trip as the supplier's records of it tell: its trip item (a trip it created) and its booking mappings.
 * The dates come from the record written last, which saw Concur's latest answer; the name from the last one that
 * holds a name (a booking's record holds one only while the trip held none but the supplier's bookings).
 */
function toTripRecord(tripId: string, items: Record<string, unknown>[]): TripRecord | undefined {
  const tripItem = items.find((item) => String(item.sk).startsWith(TRIP_PREFIX));
  const mappingItems = items.filter(
    (item) => String(item.sk).startsWith(BOOKING_PREFIX) && item.version !== undefined,
  );
  const mappings = mappingItems.map((item) => toMapping(item)!);
  if (!tripItem && mappings.length === 0) return undefined;
  const written = (item: Record<string, unknown>) => String(item.updatedAt ?? item.recordedAt ?? '');
  const byWritten = [...(tripItem ? [tripItem] : []), ...mappingItems].sort((a, b) =>
    written(b).localeCompare(written(a)),
  );
  const latest = byWritten.find((item) => item.tripStartDateLocal !== undefined);
  const details: TripDetails = {};
  for (const field of ['tripStartDateLocal', 'tripEndDateLocal'] as const) {
    if (typeof latest?.[field] === 'string') details[field] = latest[field];
  }
  const named = byWritten.find((item) => typeof item.tripName === 'string');
  if (named) details.tripName = named.tripName as string;
  const bookings = mappings
    .map((mapping) => ({
      confirmationNumber: mapping.confirmationNumber,
      recordLocator: mapping.recordLocator,
      status: mapping.status,
    }))
    .sort((a, b) => a.confirmationNumber.localeCompare(b.confirmationNumber));
  const created = Array.isArray(tripItem?.recordLocators) ? (tripItem.recordLocators as string[]) : [];
  return {
    tripId,
    travelerLoginId: String(tripItem?.travelerLoginId ?? mappings[0]!.travelerLoginId),
    created: tripItem !== undefined,
    ...details,
    recordLocators: [...new Set([...created, ...bookings.map((booking) => booking.recordLocator)])],
    bookings,
  };
}
