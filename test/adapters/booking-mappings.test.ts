import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb';
import {
  MappingConflictError,
  type BookingKey,
  type BookingMapping,
  type ChangeNote,
  type NewBookingMapping,
} from '../../shared/gateway/ports';
import { withBookingLease } from '../../shared/gateway/locking';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;
let now = Date.parse('2025-03-01T10:00:00Z');
const clock = { now: () => now };
const CREATED: ChangeNote = { action: 'created' };
const CANCELLED: ChangeNote = { action: 'cancelled' };
let mappings: DynamoBookingMappings;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  tableName = (await createTestTables(dynamo, 'mappings')).state;
  mappings = new DynamoBookingMappings({ client: dynamo.client, tableName, clock });
});
afterAll(() => dynamo.close());

let counter = 0;
function newMapping(overrides: Partial<NewBookingMapping> = {}): NewBookingMapping {
  counter += 1;
  return {
    companyId: 'company-1',
    bookingSource: 'AcmeHotels',
    confirmationNumber: `CONF${counter}`,
    recordLocator: `LOC${counter}`,
    travelerLoginId: 'traveler@example.com',
    status: 'active',
    createdBy: 'supplier-acme',
    ...overrides,
  };
}

function keyOf(mapping: BookingKey): BookingKey {
  return {
    companyId: mapping.companyId,
    bookingSource: mapping.bookingSource,
    confirmationNumber: mapping.confirmationNumber,
  };
}

/** A booking's first change: take its lease, store the new mapping and release the lease. */
async function create(mapping: NewBookingMapping): Promise<BookingMapping> {
  const lease = await mappings.tryLease(keyOf(mapping), 'first-writer', 30_000);
  if (!lease) throw new Error('the lease of a new booking is taken');
  return mappings.saveAndRelease(lease, { create: mapping, change: CREATED });
}

async function conflictReason(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MappingConflictError);
  return (error as MappingConflictError).reason;
}

describe('DynamoBookingMappings', () => {
  it('creates a mapping at version 1 with timestamps from the clock and reads it back', async () => {
    const input = newMapping({ sourceModifiedUtc: '2025-03-01T09:00:00' });
    const created = await create(input);
    expect(created).toEqual({
      ...input,
      version: 1,
      createdAt: '2025-03-01T10:00:00.000Z',
      updatedAt: '2025-03-01T10:00:00.000Z',
    });
    expect(await mappings.get(keyOf(input))).toEqual(created);
  });

  it('answers undefined for an unknown booking', async () => {
    expect(
      await mappings.get({ companyId: 'company-1', bookingSource: 'AcmeHotels', confirmationNumber: 'NOPE' }),
    ).toBeUndefined();
  });

  it('takes a booking lease in one call that answers the mapping; stores and releases in another', async () => {
    const input = newMapping();
    const key = keyOf(input);
    const first = await mappings.tryLease(key, 'holder-a', 30_000);
    expect(first).toEqual({ key, holder: 'holder-a' });
    // Held: nobody else gets it, and the booking has no mapping yet.
    expect(await mappings.tryLease(key, 'holder-b', 30_000)).toBeUndefined();
    expect(await mappings.get(key)).toBeUndefined();
    expect(await mappings.listForSupplier(input.companyId, input.bookingSource)).not.toContainEqual(
      expect.objectContaining({ confirmationNumber: input.confirmationNumber }),
    );
    const created = await mappings.saveAndRelease(first!, { create: input, change: CREATED });
    expect(created).toMatchObject({ ...input, version: 1 });
    expect(created).not.toHaveProperty('leaseHolder');

    const second = await mappings.tryLease(key, 'holder-b', 30_000);
    expect(second).toEqual({ key, holder: 'holder-b', mapping: created });
    const changed = await mappings.saveAndRelease(second!, {
      changes: { status: 'cancelled' },
      change: CANCELLED,
    });
    expect(changed).toMatchObject({ status: 'cancelled', version: 2 });
    expect(await mappings.get(key)).toEqual(changed);
  });

  it('hands over a lease whose holder died once its time is up; the late holder can neither store nor release', async () => {
    const input = await create(newMapping());
    const key = keyOf(input);
    const start = now;
    onTestFinished(() => {
      now = start;
    });
    const crashed = await mappings.tryLease(key, 'holder-a', 10_000);
    now += 10_000;
    expect(await mappings.tryLease(key, 'holder-b', 10_000)).toBeUndefined();
    now += 1;
    const taken = await mappings.tryLease(key, 'holder-b', 10_000);
    expect(taken?.mapping?.version).toBe(1);
    expect(
      await conflictReason(
        mappings.saveAndRelease(crashed!, { changes: { status: 'cancelled' }, change: CANCELLED }),
      ),
    ).toBe('lease');
    await mappings.release(crashed!);
    expect(await mappings.tryLease(key, 'holder-c', 10_000)).toBeUndefined();
    await mappings.release(taken!);
    expect(await mappings.tryLease(key, 'holder-c', 10_000)).toBeDefined();
    expect(await mappings.get(key)).toMatchObject({ status: 'active', version: 1 });
  });

  it('leaves nothing behind when the first change of a booking releases its lease without storing', async () => {
    const input = newMapping();
    const lease = await mappings.tryLease(keyOf(input), 'holder-a', 30_000);
    await mappings.release(lease!);
    expect(await mappings.tryLease(keyOf(input), 'holder-b', 30_000)).toBeDefined();
    const { Count } = await dynamo.client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': { S: `BOOKING#${input.confirmationNumber}` } },
      }),
    );
    expect(Count).toBe(1);
  });

  it('refuses to create a mapping that exists', async () => {
    const input = await create(newMapping());
    const lease = await mappings.tryLease(keyOf(input), 'holder-a', 30_000);
    const again = { ...lease!, mapping: undefined };
    expect(
      await conflictReason(
        mappings.saveAndRelease(again, { create: { ...input, recordLocator: 'X' }, change: CREATED }),
      ),
    ).toBe('lease');
    expect((await mappings.get(keyOf(input)))?.recordLocator).toBe(input.recordLocator);
  });

  it('stores changes under the lease: the given fields, fields given as undefined cleared, the version bumped', async () => {
    const input = newMapping({ pendingStep: 'cancel-previous', lastError: 'upstream 503' });
    await create(input);
    now += 60_000;
    const lease = await mappings.tryLease(keyOf(input), 'holder-a', 30_000);
    const updated = await mappings.saveAndRelease(lease!, {
      changes: { tripId: 'trip$1', status: 'rebooking', pendingStep: undefined, lastError: undefined },
      change: { action: 'rebooked' },
    });
    const expected: BookingMapping = {
      ...input,
      tripId: 'trip$1',
      status: 'rebooking',
      version: 2,
      createdAt: '2025-03-01T10:00:00.000Z',
      updatedAt: '2025-03-01T10:01:00.000Z',
    };
    delete expected.pendingStep;
    delete expected.lastError;
    expect(updated).toEqual(expected);
    expect(await mappings.get(keyOf(input))).toEqual(expected);
  });

  // About 50 leases taken in turn, and many refused tries: allow for a slow, shared machine.
  it('loses no change when 50 writers race, each reading and writing the booking under its lease', async () => {
    const input = newMapping();
    await create(input);
    const key = keyOf(input);
    const options = { ttlMs: 30_000, waitMs: 100_000 };
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        withBookingLease(
          mappings,
          key,
          async (held) => {
            const seen = held.mapping!.lastError ? held.mapping!.lastError.split(',') : [];
            await held.save({
              changes: { lastError: [...seen, String(index)].join(',') },
              change: { action: 'updated' },
            });
          },
          options,
          undefined,
        ),
      ),
    );
    const final = await mappings.get(key);
    expect(final?.version).toBe(51);
    const written = final?.lastError?.split(',').map(Number) ?? [];
    expect(written.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, index) => index));
  }, 120_000);

  it('lists a supplier’s bookings across pages, and only its own', async () => {
    const companyId = 'company-list';
    const big = 'x'.repeat(30_000);
    const mine = [];
    // About 40 items of ~30 KB exceed the 1 MB query page, so the listing has to follow LastEvaluatedKey.
    for (let index = 0; index < 40; index += 1) {
      mine.push(await create(newMapping({ companyId, lastError: big })));
    }
    await create(newMapping({ companyId, bookingSource: 'OtherSource' }));
    await create(newMapping({ companyId: 'company-other' }));
    await mappings.recordTrip({ companyId, bookingSource: 'AcmeHotels', tripId: 't1', travelerLoginId: 'a' });

    const listed = await mappings.listForSupplier(companyId, 'AcmeHotels');
    expect(listed.map((mapping) => mapping.confirmationNumber).sort()).toEqual(
      mine.map((mapping) => mapping.confirmationNumber).sort(),
    );
    expect(listed[0]).not.toHaveProperty('pk');
  });

  it('records trips once and lists them per supplier', async () => {
    const companyId = 'company-trips';
    await mappings.recordTrip({
      companyId,
      bookingSource: 'AcmeHotels',
      tripId: 'T1',
      travelerLoginId: 'a@x',
    });
    await mappings.recordTrip({
      companyId,
      bookingSource: 'AcmeHotels',
      tripId: 'T1',
      travelerLoginId: 'a@x',
    });
    await mappings.recordTrip({
      companyId,
      bookingSource: 'AcmeHotels',
      tripId: 'T2',
      travelerLoginId: 'b@x',
    });
    await mappings.recordTrip({ companyId, bookingSource: 'Other', tripId: 'T3', travelerLoginId: 'c@x' });
    await create(newMapping({ companyId, tripId: 'T1' }));

    const trips = await mappings.listTripsForSupplier(companyId, 'AcmeHotels');
    expect(trips.sort((a, b) => a.tripId.localeCompare(b.tripId))).toEqual([
      { tripId: 'T1', travelerLoginId: 'a@x' },
      { tripId: 'T2', travelerLoginId: 'b@x' },
    ]);
    expect(await mappings.listTripsForSupplier(companyId, 'Nobody')).toEqual([]);

    expect(await mappings.createdTrip(companyId, 'AcmeHotels', 'T2')).toEqual({
      tripId: 'T2',
      travelerLoginId: 'b@x',
      updatedAt: new Date(now).toISOString(),
    });
    // What became of it: a cancel through the gateway (forgotten again with null), a change seen in Concur.
    const t2 = { companyId, bookingSource: 'AcmeHotels', tripId: 'T2', travelerLoginId: 'b@x' };
    await mappings.recordTrip({ ...t2, cancelledAt: '2025-03-01T10:00:00.000Z' });
    expect(await mappings.createdTrip(companyId, 'AcmeHotels', 'T2')).toMatchObject({
      cancelledAt: '2025-03-01T10:00:00.000Z',
    });
    await mappings.recordTrip({
      ...t2,
      cancelledAt: null,
      concurState: 'cancelled_in_concur',
      concurChangedAt: '2025-03-01T11:00:00.000Z',
    });
    const standing = await mappings.createdTrip(companyId, 'AcmeHotels', 'T2');
    expect(standing).toMatchObject({
      concurState: 'cancelled_in_concur',
      concurChangedAt: '2025-03-01T11:00:00.000Z',
    });
    expect(standing).not.toHaveProperty('cancelledAt');
    // A trip is found only under the booking source that created it.
    expect(await mappings.createdTrip(companyId, 'AcmeHotels', 'T3')).toBeUndefined();
    expect(await mappings.createdTrip(companyId, 'Other', 'T1')).toBeUndefined();
  });

  it('reads a supplier’s trips from the index one trip at a time, with its records merged, and resumes after a position', async () => {
    const companyId = 'company-index';
    const source = 'AcmeHotels';
    // T1: two bookings (the later one saw newer trip dates) and the supplier's trip record; T2: one booking;
    // T3: another source's; a booking without a trip stays out of the index.
    now = Date.parse('2025-04-01T10:00:00Z');
    await create(
      newMapping({
        companyId,
        confirmationNumber: 'B1',
        recordLocator: 'LB1',
        tripId: 'T1',
        tripName: 'Old name',
        tripStartDateLocal: '2025-05-01T08:00:00',
        tripEndDateLocal: '2025-05-02T08:00:00',
      }),
    );
    await mappings.recordTrip({
      companyId,
      bookingSource: source,
      tripId: 'T1',
      travelerLoginId: 'traveler@example.com',
      recordLocators: ['CREATED-1'],
      tripName: 'Old name',
    });
    now = Date.parse('2025-04-02T10:00:00Z');
    await create(
      newMapping({
        companyId,
        confirmationNumber: 'B2',
        recordLocator: 'LB2',
        tripId: 'T1',
        status: 'cancelled',
        tripName: 'Seattle',
        tripStartDateLocal: '2025-05-01T08:00:00',
        tripEndDateLocal: '2025-05-06T08:00:00',
      }),
    );
    await create(newMapping({ companyId, confirmationNumber: 'B3', recordLocator: 'LB3', tripId: 'T2' }));
    await create(newMapping({ companyId, confirmationNumber: 'B4', bookingSource: 'Other', tripId: 'T3' }));
    await create(newMapping({ companyId, confirmationNumber: 'B5' }));

    const read = async (startAfter?: { tripId: string; sk: string }) => {
      const out = [];
      for await (const entry of mappings.tripsOfSupplier(companyId, source, startAfter)) out.push(entry);
      return out;
    };
    const all = await read();
    expect(all.map((entry) => entry.trip)).toEqual([
      {
        tripId: 'T1',
        travelerLoginId: 'traveler@example.com',
        created: true,
        tripName: 'Seattle',
        tripStartDateLocal: '2025-05-01T08:00:00',
        tripEndDateLocal: '2025-05-06T08:00:00',
        recordLocators: ['CREATED-1', 'LB1', 'LB2'],
        bookings: [
          { confirmationNumber: 'B1', recordLocator: 'LB1', status: 'active' },
          { confirmationNumber: 'B2', recordLocator: 'LB2', status: 'cancelled' },
        ],
      },
      {
        tripId: 'T2',
        travelerLoginId: 'traveler@example.com',
        created: false,
        recordLocators: ['LB3'],
        bookings: [{ confirmationNumber: 'B3', recordLocator: 'LB3', status: 'active' }],
      },
    ]);
    expect(all[0]!.position.tripId).toBe('T1');
    expect((await read(all[0]!.position)).map((entry) => entry.trip.tripId)).toEqual(['T2']);
    expect(await read(all[1]!.position)).toEqual([]);
    expect(await mappings.tripOfSupplier(companyId, source, 'T1')).toEqual(all[0]!.trip);
    expect(await mappings.tripOfSupplier(companyId, source, 'T3')).toBeUndefined();
    expect(await mappings.tripOfSupplier(companyId, 'Other', 'T3')).toMatchObject({ tripId: 'T3' });
  });

  it('keeps a trip whole across index pages: 120 bookings in two trips come back as two trips', async () => {
    const companyId = 'company-index-pages';
    for (let index = 0; index < 120; index += 1) {
      await create(newMapping({ companyId, confirmationNumber: `P${index}`, tripId: `TRIP-${index % 2}` }));
    }
    const trips = [];
    for await (const { trip } of mappings.tripsOfSupplier(companyId, 'AcmeHotels')) trips.push(trip);
    expect(trips.map((trip) => [trip.tripId, trip.bookings.length])).toEqual([
      ['TRIP-0', 60],
      ['TRIP-1', 60],
    ]);
  });
});
