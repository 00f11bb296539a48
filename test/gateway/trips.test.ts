import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb/booking-mappings';
import { recordAwsRequests } from '../support/aws-requests';
import { COMPANY, TRAVELER, addSupplier, api, bookingPath, carBooking, startTestGateway } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let client: ReturnType<typeof api>;
let other: ReturnType<typeof api>;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = api(gateway, gateway.apiKey);
  other = api(gateway, await addSupplier('hotel-supplier', 'HotelSupplier', [COMPANY]));
});
afterAll(() => gateway.close());

const trips = `/v1/companies/${COMPANY}/trips`;
const tripRequest = (name: string, recordLocator: string, bookingSource = 'DemoSupplier') => ({
  itinerary: {
    tripName: name,
    startDateLocal: '2027-05-01T08:00:00',
    endDateLocal: '2027-05-04T20:00:00',
    bookings: [
      {
        bookingSource,
        recordLocator,
        ...carBooking({}, { startDateLocal: '2027-05-01T12:00:00', endDateLocal: '2027-05-03T12:00:00' }),
      },
    ],
  },
  traveler: { loginId: TRAVELER },
});

describe('trips', () => {
  let tripId: string;

  it('accepts an agency proposal whose custom attributes use DataType Text, as Concur documents them', async () => {
    const proposal = tripRequest('Proposal 1 of 2', 'PROPOSAL-REC-1');
    const itinerary = {
      ...proposal.itinerary,
      tripStatus: 6,
      clientLocator: 'PROPOSAL-BATCH-1',
      travelRequestId: '4711',
      customAttributes: [
        { name: 'ProposalBatchSize', dataType: 'Numeric', data: '2' },
        { name: 'ProposalSequenceIndex', dataType: 'Numeric', data: '1' },
        { name: 'AutoSelectProposal', dataType: 'Text', data: 'False' },
        { name: 'TicketIssued', dataType: 'Text', data: 'False' },
      ].map((attribute) => ({ ...attribute, displayOnItinerary: true })),
    };
    const created = await client.post(trips, { ...proposal, itinerary });
    expect(created.status).toBe(201);
    const sent = gateway.simulator!.requests.of('tripCreate').at(-1)!;
    expect(sent.status).toBe(200);
    expect(sent.body.match(/<DataType>Text<\/DataType>/g)).toHaveLength(2);
  });

  it('creates a trip (201) with its id, and reads it back', async () => {
    const created = await client.post(trips, tripRequest('Trip to Seattle', 'TRIP-REC-1'));
    expect(created.status).toBe(201);
    tripId = created.body.tripId;
    expect(tripId).toEqual(expect.any(String));
    expect(created.body.itinerary.tripName).toBe('Trip to Seattle');
    expect(created.body.concur.correlationId).toEqual(expect.any(String));

    const read = await client.get(`${trips}/${encodeURIComponent(tripId)}`);
    expect(read.status).toBe(200);
    expect(read.body.itinerary.bookings[0].recordLocator).toBe('TRIP-REC-1');
  });

  it('replaces a trip with PUT: what is not sent again disappears', async () => {
    const replaced = await client.put(`${trips}/${encodeURIComponent(tripId)}`, {
      ...tripRequest('Trip to Seattle, revised', 'TRIP-REC-2'),
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.itinerary.tripName).toBe('Trip to Seattle, revised');
    expect(replaced.body.itinerary.bookings.map((b: { recordLocator: string }) => b.recordLocator)).toEqual([
      'TRIP-REC-2',
    ]);
  });

  it('lists only the supplier’s trips, with cursor paging', async () => {
    await client.put(bookingPath('LIST-1'), {
      booking: carBooking({}, { startDateLocal: '2027-08-01T12:00:00', endDateLocal: '2027-08-02T12:00:00' }),
      traveler: { loginId: TRAVELER },
    });
    await other.put(bookingPath('HOTEL-ONLY'), {
      booking: carBooking({}, { startDateLocal: '2027-10-01T12:00:00', endDateLocal: '2027-10-02T12:00:00' }),
      traveler: { loginId: TRAVELER },
    });
    const all = await client.get(trips);
    expect(all.status).toBe(200);
    const ids = all.body.trips.map((t: { tripId: string }) => t.tripId);
    expect(ids).toContain(tripId);
    const hotelTrip = (await other.get(bookingPath('HOTEL-ONLY'))).body.booking.tripId;
    expect(ids).not.toContain(hotelTrip);

    const first = await client.get(`${trips}?limit=1`);
    expect(first.body.trips).toHaveLength(1);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const second = await client.get(`${trips}?limit=1&cursor=${first.body.nextCursor}`);
    expect(second.body.trips).toHaveLength(1);
    expect(second.body.trips[0].tripId).not.toBe(first.body.trips[0].tripId);
    expect((await client.get(`${trips}?cursor=nonsense`)).status).toBe(400);
  });

  it('shows other sources’ bookings in a shared trip without their details', async () => {
    const mine = await client.put(bookingPath('SHARED-CAR'), {
      booking: carBooking({}, { startDateLocal: '2027-09-01T12:00:00', endDateLocal: '2027-09-05T12:00:00' }),
      traveler: { loginId: TRAVELER },
    });
    const sharedTrip = mine.body.booking.tripId;
    const theirs = await other.put(bookingPath('SHARED-HOTEL'), {
      booking: carBooking(
        {},
        { startDateLocal: '2027-09-02T12:00:00', endDateLocal: '2027-09-03T12:00:00', dailyRate: 999 },
      ),
      traveler: { loginId: TRAVELER },
    });
    // Concur places it in the traveler's trip spanning its dates: the one holding the first booking.
    expect(theirs.body.booking.tripId).toBe(sharedTrip);
    const seen = await client.get(`${trips}/${encodeURIComponent(sharedTrip)}`);
    expect(seen.status).toBe(200);
    const foreign = seen.body.itinerary.bookings.find(
      (b: { bookingSource: string }) => b.bookingSource === 'HotelSupplier',
    );
    expect(foreign).toEqual({ bookingSource: 'HotelSupplier' });
  });

  it('keeps other suppliers away from a trip: 404 and no call to Concur', async () => {
    const before = gateway.simulator!.requests.entries.length;
    expect((await other.get(`${trips}/${encodeURIComponent(tripId)}`)).status).toBe(404);
    expect(
      (await other.put(`${trips}/${encodeURIComponent(tripId)}`, tripRequest('x', 'Y', 'HotelSupplier')))
        .status,
    ).toBe(404);
    expect((await other.post(`${trips}/${encodeURIComponent(tripId)}/cancel`)).status).toBe(404);
    expect(gateway.simulator!.requests.entries.length).toBe(before);
  });

  it('reads a trip and posts into one with the same DynamoDB reads however many bookings the supplier has', async () => {
    const bulk = api(gateway, await addSupplier('bulk-supplier', 'BulkSupplier', [COMPANY]));
    const day = (n: number) => `2028-0${1 + Math.floor(n / 28)}-${String(1 + (n % 28)).padStart(2, '0')}`;
    const bookingOn = (n: number) =>
      carBooking({}, { startDateLocal: `${day(n)}T09:00:00`, endDateLocal: `${day(n)}T18:00:00` });
    const first = await bulk.put(bookingPath('BULK-0'), {
      booking: bookingOn(0),
      traveler: { loginId: TRAVELER },
    });
    expect(first.status).toBe(201);
    const tripId = first.body.booking.tripId as string;
    // What the gateway reads from DynamoDB while answering (GetItem, Query, Scan): calls, and bytes of their
    // answers. Writes are left out: the outbound limiter's lands in whichever request opens a new second.
    const readsOf = async (request: () => Promise<{ status: number }>, status: number) => {
      const aws = recordAwsRequests({ dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB! });
      try {
        expect((await request()).status).toBe(status);
      } finally {
        aws.stop();
      }
      const reads = aws.requests.filter(({ target }) => /\.(GetItem|Query|Scan)$/.test(target));
      return { calls: reads.length, bytes: reads.reduce((sum, read) => sum + read.answerBytes, 0) };
    };
    const measure = async (round: number) => ({
      get: await readsOf(() => bulk.get(`${trips}/${encodeURIComponent(tripId)}`), 200),
      postInto: await readsOf(
        () =>
          bulk.put(bookingPath(`BULK-INTO-${round}`), {
            booking: bookingOn(0),
            traveler: { loginId: TRAVELER },
            tripId,
          }),
        201,
      ),
    });
    const few = await measure(1);
    for (let n = 1; n <= 40; n++) {
      const answer = await bulk.put(bookingPath(`BULK-${n}`), {
        booking: bookingOn(n),
        traveler: { loginId: TRAVELER },
      });
      expect(answer.status).toBe(201);
    }
    const many = await measure(2);
    expect(many.get.calls).toBe(few.get.calls);
    expect(many.postInto.calls).toBe(few.postInto.calls);
    // The trip gained one booking between the rounds (about 1 KB of records); forty others are never read.
    expect(many.get.bytes).toBeLessThan(few.get.bytes + 2_000);
    expect(many.postInto.bytes).toBeLessThan(few.postInto.bytes + 2_000);
  });

  it('refuses a trip holding another source’s booking', async () => {
    const answer = await client.post(trips, tripRequest('Not mine', 'R-9', 'SomeoneElse'));
    expect(answer.status).toBe(403);
    expect(answer.body.errors[0].path).toBe('itinerary.bookings[0].bookingSource');
  });

  it('marks the supplier’s bookings a replace drops, and those of a cancelled trip, cancelled', async () => {
    const created = await client.post(trips, tripRequest('Trip with bookings', 'TRIP-OWN-1'));
    expect(created.status).toBe(201);
    const ownTrip = created.body.tripId as string;
    const bookingOf = (confirmationNumber: string) =>
      carBooking(
        {},
        { confirmationNumber, startDateLocal: '2027-05-02T12:00:00', endDateLocal: '2027-05-03T12:00:00' },
      );
    const into = (confirmationNumber: string) =>
      client.put(bookingPath(confirmationNumber), {
        booking: bookingOf(confirmationNumber),
        traveler: { loginId: TRAVELER },
        tripId: ownTrip,
      });
    expect((await into('INTO-DROPPED')).status).toBe(201);
    const posted = await into('INTO-KEPT');
    expect(posted.status).toBe(201);
    const status = async (confirmationNumber: string) =>
      (await client.get(bookingPath(confirmationNumber))).body.booking.status as string;

    // The replace sends the trip's own booking and INTO-KEPT again, not INTO-DROPPED.
    const request = tripRequest('Trip with bookings', 'TRIP-OWN-1');
    request.itinerary.bookings.push({
      bookingSource: 'DemoSupplier',
      recordLocator: posted.body.booking.recordLocator,
      ...bookingOf('INTO-KEPT'),
    });
    const replaced = await client.put(`${trips}/${encodeURIComponent(ownTrip)}`, request);
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(await status('INTO-DROPPED')).toBe('cancelled');
    expect(await status('INTO-KEPT')).toBe('active');

    expect((await client.post(`${trips}/${encodeURIComponent(ownTrip)}/cancel`)).status).toBe(200);
    expect(await status('INTO-KEPT')).toBe('cancelled');
  });

  it('waits for a change of a booking in progress before marking it dropped by a replace', async () => {
    const created = await client.post(trips, tripRequest('Trip with a busy booking', 'TRIP-BUSY-1'));
    const busyTrip = created.body.tripId as string;
    const posted = await client.put(bookingPath('INTO-BUSY'), {
      booking: carBooking(
        {},
        {
          confirmationNumber: 'INTO-BUSY',
          startDateLocal: '2027-05-02T12:00:00',
          endDateLocal: '2027-05-03T12:00:00',
        },
      ),
      traveler: { loginId: TRAVELER },
      tripId: busyTrip,
    });
    expect(posted.status).toBe(201);
    // Another change of the booking holds its lease (a PUT between its Concur call and its write).
    const mappings = new DynamoBookingMappings({
      client: new DynamoDBClient({}),
      tableName: process.env.STATE_TABLE_NAME!,
    });
    const key = { companyId: COMPANY, bookingSource: 'DemoSupplier', confirmationNumber: 'INTO-BUSY' };
    const lease = await mappings.tryLease(key, 'another-change', 30_000);
    expect(lease).toBeDefined();

    let answered = false;
    const replace = client
      .put(`${trips}/${encodeURIComponent(busyTrip)}`, tripRequest('Trip with a busy booking', 'TRIP-BUSY-1'))
      .finally(() => (answered = true));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(answered).toBe(false);
    expect((await mappings.get(key))?.status).toBe('active');

    await mappings.release(lease!);
    expect((await replace).status).toBe(200);
    expect((await client.get(bookingPath('INTO-BUSY'))).body.booking.status).toBe('cancelled');
  });

  it('cancels a trip it created', async () => {
    const cancelled = await client.post(`${trips}/${encodeURIComponent(tripId)}/cancel`);
    expect(cancelled.status).toBe(200);
    for (const booking of cancelled.body.itinerary.bookings) expect(booking.segments).toEqual([]);
  });
});

describe('translation dry runs', () => {
  /** The XML the simulator received for the last call of a route: what the write really sent. */
  const lastSent = (route: 'bookingPost' | 'tripCreate') =>
    gateway.simulator!.requests.of(route).at(-1)!.body;

  it('takes the booking PUT body and answers the XML the PUT posts, defaults from the supplier included', async () => {
    const body = { booking: carBooking(), traveler: { loginId: TRAVELER } };
    const before = gateway.simulator!.requests.entries.length;
    const dry = await client.post('/v1/translate/booking?confirmationNumber=DRY-1', structuredClone(body));
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(gateway.simulator!.requests.entries.length).toBe(before);
    expect(dry.body.xml).toContain('<BookingSource>DemoSupplier</BookingSource>');
    expect(dry.body.xml).toContain('<RecordLocator>DRY-1</RecordLocator>');
    const put = await client.put(`/v1/companies/${COMPANY}/bookings/DRY-1`, structuredClone(body));
    expect(put.status).toBe(201);
    expect(lastSent('bookingPost')).toBe(dry.body.xml);
  });

  it('takes the trip create body and answers the XML the create posts, bookingSource filled in', async () => {
    const body = tripRequest('Dry trip', 'DRY-T1');
    delete (body.itinerary.bookings[0] as { bookingSource?: string }).bookingSource;
    const dry = await client.post('/v1/translate/trip', structuredClone(body));
    expect(dry.status, JSON.stringify(dry.body)).toBe(200);
    expect(dry.body.xml).toContain('<BookingSource>DemoSupplier</BookingSource>');
    const created = await client.post(trips, structuredClone(body));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(lastSent('tripCreate')).toBe(dry.body.xml);
  });

  it('refuses what the write refuses, with the same problems', async () => {
    for (const [write, dry] of [
      [
        () =>
          client.put(`/v1/companies/${COMPANY}/bookings/DRY-2`, {
            booking: carBooking({ bookingSource: 'Else' }),
          }),
        () =>
          client.post('/v1/translate/booking?confirmationNumber=DRY-2', {
            booking: carBooking({ bookingSource: 'Else' }),
          }),
      ],
      [
        () => client.post(trips, { itinerary: { tripStatus: 'HK' } }),
        () => client.post('/v1/translate/trip', { itinerary: { tripStatus: 'HK' } }),
      ],
      [
        () => client.post(trips, tripRequest('Not mine', 'R-9', 'SomeoneElse')),
        () => client.post('/v1/translate/trip', tripRequest('Not mine', 'R-9', 'SomeoneElse')),
      ],
    ] as const) {
      const [refused, dryRefused] = [await write(), await dry()];
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(dryRefused.status).toBe(refused.status);
      expect(dryRefused.body.errors).toEqual(refused.body.errors);
    }
  });

  it('needs the confirmation number the PUT names in its path, and knows only the two profiles', async () => {
    const body = { booking: carBooking(), traveler: { loginId: TRAVELER } };
    const missing = await client.post('/v1/translate/booking', body);
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((e: { path: string }) => e.path)).toEqual(['confirmationNumber']);
    const unknown = await client.post('/v1/translate/trip?profile=nope', tripRequest('T', 'R-1'));
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['profile']);
  });

  it('answers a body that is not JSON with 400 and one that is not declared JSON with 415', async () => {
    expect(
      (await client.post('/v1/translate/trip', '{"itinerary":', { 'content-type': 'application/json' }))
        .status,
    ).toBe(400);
    expect(
      (await client.post('/v1/translate/trip', '<Itinerary/>', { 'content-type': 'application/xml' })).status,
    ).toBe(415);
  });
});

describe('meta routes', () => {
  it('answers /health without a key and unknown routes with a problem', async () => {
    expect((await api(gateway).get('/health')).body).toEqual({ status: 'ok' });
    const unknown = await api(gateway).get('/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
  });
});
