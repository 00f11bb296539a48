/**
 * Two suppliers sharing a company and a traveler: neither sees the other's booking details in any answer that
 * carries a Concur trip, and neither changes the other's bookings through a trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPANY, TRAVELER, addSupplier, api, bookingPath, carBooking, startTestGateway } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let supplierA: ReturnType<typeof api>;
let supplierB: ReturnType<typeof api>;

beforeAll(async () => {
  gateway = await startTestGateway();
  supplierA = api(gateway, await addSupplier('supplier-a', 'SourceA', [COMPANY]));
  supplierB = api(gateway, await addSupplier('supplier-b', 'SourceB', [COMPANY]));
});
afterAll(() => gateway.close());

const trips = `/v1/companies/${COMPANY}/trips`;
const tripPath = (tripId: string) => `${trips}/${encodeURIComponent(tripId)}`;

/** A's booking, with details that must never reach B. */
const secretOfA = (recordLocator: string, month: string) => ({
  booking: {
    ...carBooking(
      { passengers: [{ nameFirst: 'Araminta', nameLast: 'Privatestone' }] },
      {
        startDateLocal: `2028-${month}-10T12:00:00`,
        endDateLocal: `2028-${month}-12T12:00:00`,
        dailyRate: 987.65,
        currency: 'CHF',
      },
    ),
    recordLocator,
  },
  traveler: { loginId: TRAVELER },
});
const bookingOfB = (month: string, tripId?: string) => ({
  booking: carBooking(
    {},
    { startDateLocal: `2028-${month}-10T13:00:00`, endDateLocal: `2028-${month}-11T12:00:00` },
  ),
  traveler: { loginId: TRAVELER },
  ...(tripId ? { tripId } : {}),
});
const tripOfB = (month: string, recordLocator: string) => ({
  itinerary: {
    tripName: 'B trip',
    startDateLocal: `2028-${month}-01T08:00:00`,
    endDateLocal: `2028-${month}-28T20:00:00`,
    bookings: [
      {
        recordLocator,
        bookingSource: 'SourceB',
        ...carBooking(
          {},
          // Concur dates a trip by its segments: the car spans the month, so others' bookings join the trip.
          { startDateLocal: `2028-${month}-02T12:00:00`, endDateLocal: `2028-${month}-27T12:00:00` },
        ),
      },
    ],
  },
  traveler: { loginId: TRAVELER },
});

function expectNoSecretOfA(answer: unknown, recordLocator: string) {
  const text = JSON.stringify(answer);
  for (const secret of [recordLocator, 'Araminta', 'Privatestone', '987.65', 'CHF']) {
    expect(text).not.toContain(secret);
  }
}

const concurBooking = (recordLocator: string) =>
  gateway
    .simulator!.state.trips()
    .flatMap((trip) => trip.bookings)
    .find((stored) => stored.booking.recordLocator === recordLocator);

describe('answers carrying a Concur trip show only the caller’s bookings in full', () => {
  it('a booking PUT that lands in a trip holding another source’s booking', async () => {
    const a = await supplierA.put(bookingPath('A-LOC-PUT'), secretOfA('A-LOC-PUT', '01'));
    expect(a.status).toBe(201);
    const b = await supplierB.put(bookingPath('B-PUT'), bookingOfB('01'));
    expect(b.status).toBe(201);
    expect(b.body.booking.tripId).toBe(a.body.booking.tripId);
    const foreign = b.body.concur.document.itinerary.bookings.filter(
      (booking: { bookingSource: string }) => booking.bookingSource === 'SourceA',
    );
    expect(foreign).toEqual([{ bookingSource: 'SourceA' }]);
    expectNoSecretOfA(b.body, 'A-LOC-PUT');
  });

  it('a rebooking answer and a booking cancel answer', async () => {
    const a = await supplierA.put(bookingPath('A-LOC-RB'), secretOfA('A-LOC-RB', '02'));
    expect(a.status).toBe(201);
    expect((await supplierB.put(bookingPath('B-RB-OLD'), bookingOfB('02'))).status).toBe(201);
    const rebooked = await supplierB.put(bookingPath('B-RB-NEW'), {
      ...bookingOfB('02'),
      previousConfirmationNumber: 'B-RB-OLD',
    });
    expect(rebooked.status).toBe(201);
    expectNoSecretOfA(rebooked.body, 'A-LOC-RB');
    const cancelled = await supplierB.post(`${bookingPath('B-RB-NEW')}/cancel`);
    expect(cancelled.status).toBe(200);
    expectNoSecretOfA(cancelled.body, 'A-LOC-RB');
  });

  it('a booking PUT naming another supplier’s trip is refused without calling Concur', async () => {
    const a = await supplierA.put(bookingPath('A-LOC-TRIP'), secretOfA('A-LOC-TRIP', '03'));
    const before = gateway.simulator!.requests.entries.length;
    const b = await supplierB.put(bookingPath('B-INTO-A'), bookingOfB('04', a.body.booking.tripId));
    expect(b.status).toBe(404);
    expect(b.body.errors).toEqual([{ path: 'tripId', message: expect.any(String) }]);
    expectNoSecretOfA(b.body, 'A-LOC-TRIP');
    expect(gateway.simulator!.requests.entries.length).toBe(before);
    expect((await supplierB.get(bookingPath('B-INTO-A'))).status).toBe(404);
  });

  it('re-PUTting one’s own booking with another supplier’s trip id is refused without calling Concur', async () => {
    const a = await supplierA.put(bookingPath('A-LOC-REPUT'), secretOfA('A-LOC-REPUT', '10'));
    expect(a.status).toBe(201);
    const own = await supplierB.put(bookingPath('B-REPUT'), bookingOfB('11'));
    expect(own.status).toBe(201);
    expect(own.body.booking.tripId).not.toBe(a.body.booking.tripId);
    const before = gateway.simulator!.requests.entries.length;
    const moved = await supplierB.put(bookingPath('B-REPUT'), bookingOfB('11', a.body.booking.tripId));
    expect(moved.status).toBe(404);
    expect(moved.body.errors).toEqual([{ path: 'tripId', message: expect.any(String) }]);
    expectNoSecretOfA(moved.body, 'A-LOC-REPUT');
    expect(gateway.simulator!.requests.entries.length).toBe(before);
    expect((await supplierB.get(bookingPath('B-REPUT'))).body.booking.tripId).toBe(own.body.booking.tripId);
  });

  it('a booking PUT may name a trip the supplier created or one holding its bookings', async () => {
    const created = await supplierB.post(trips, tripOfB('05', 'B-TRIP-05'));
    expect(created.status).toBe(201);
    const into = await supplierB.put(bookingPath('B-INTO-OWN'), bookingOfB('06', created.body.tripId));
    expect(into.status).toBe(201);
    expect(into.body.booking.tripId).toBe(created.body.tripId);
  });
});

describe('no supplier changes another’s bookings through a trip', () => {
  it('replacing a trip that holds another source’s booking is refused with 409 naming the source; nothing changes', async () => {
    const created = await supplierB.post(trips, tripOfB('07', 'B-TRIP-07'));
    expect(created.status).toBe(201);
    const a = await supplierA.put(bookingPath('A-LOC-REPL'), secretOfA('A-LOC-REPL', '07'));
    expect(a.body.booking.tripId).toBe(created.body.tripId);

    const writesBefore = gateway.simulator!.requests.of('tripUpdate').length;
    const replaced = await supplierB.put(tripPath(created.body.tripId), tripOfB('07', 'B-TRIP-07'));
    expect(replaced.status).toBe(409);
    expect(replaced.headers.get('content-type')).toContain('application/problem+json');
    expect(replaced.body.detail).toContain('SourceA');
    expectNoSecretOfA(replaced.body, 'A-LOC-REPL');
    expect(gateway.simulator!.requests.of('tripUpdate').length).toBe(writesBefore);
    expect(concurBooking('A-LOC-REPL')?.canceled).toBe(false);
    expect((await supplierA.get(bookingPath('A-LOC-REPL'))).body.booking.status).toBe('active');
  });

  it('cancelling a trip that holds another source’s booking is refused with 409; A’s booking stays active at Concur and in its mapping', async () => {
    const created = await supplierB.post(trips, tripOfB('08', 'B-TRIP-08'));
    const a = await supplierA.put(bookingPath('A-LOC-CXL'), secretOfA('A-LOC-CXL', '08'));
    expect(a.body.booking.tripId).toBe(created.body.tripId);

    const cancelsBefore = gateway.simulator!.requests.of('tripCancel').length;
    const cancelled = await supplierB.post(`${tripPath(created.body.tripId)}/cancel`);
    expect(cancelled.status).toBe(409);
    expect(cancelled.body.detail).toContain('SourceA');
    expectNoSecretOfA(cancelled.body, 'A-LOC-CXL');
    expect(gateway.simulator!.requests.of('tripCancel').length).toBe(cancelsBefore);
    expect(concurBooking('A-LOC-CXL')?.canceled).toBe(false);
    expect((await supplierA.get(bookingPath('A-LOC-CXL'))).body.booking.status).toBe('active');
  });

  it('a trip replace or cancel keeps the supplier’s own mappings in step with Concur', async () => {
    const created = await supplierB.post(trips, tripOfB('09', 'B-TRIP-09'));
    const tripId = created.body.tripId;
    const own = await supplierB.put(bookingPath('B-OWN-09'), bookingOfB('09', tripId));
    expect(own.body.booking.tripId).toBe(tripId);

    // The replace does not send B-OWN-09 again: Concur drops it, so its mapping is cancelled.
    const replaced = await supplierB.put(tripPath(tripId), tripOfB('09', 'B-TRIP-09'));
    expect(replaced.status).toBe(200);
    expect(concurBooking('B-OWN-09')).toBeUndefined();
    expect((await supplierB.get(bookingPath('B-OWN-09'))).body.booking.status).toBe('cancelled');

    const again = await supplierB.put(bookingPath('B-OWN-09B'), bookingOfB('09', tripId));
    expect(again.status).toBe(201);
    const cancelled = await supplierB.post(`${tripPath(tripId)}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(concurBooking('B-OWN-09B')?.canceled).toBe(true);
    expect((await supplierB.get(bookingPath('B-OWN-09B'))).body.booking.status).toBe('cancelled');
  });
});

describe('trip names stay with their owner', () => {
  it('B’s booking filed by Concur into A’s trip: B’s listings show the trip without A’s name', async () => {
    const created = await supplierA.post(trips, {
      itinerary: {
        tripName: 'Araminta private retreat',
        startDateLocal: '2028-12-01T08:00:00',
        endDateLocal: '2028-12-28T20:00:00',
        bookings: [
          {
            ...secretOfA('A-NAMED-TRIP', '12').booking,
            segments: carBooking(
              {},
              { startDateLocal: '2028-12-02T12:00:00', endDateLocal: '2028-12-27T12:00:00' },
            ).segments,
          },
        ],
      },
      traveler: { loginId: TRAVELER },
    });
    expect(created.status).toBe(201);
    const b = await supplierB.put(bookingPath('B-IN-NAMED'), bookingOfB('12'));
    expect(b.status).toBe(201);
    expect(b.body.booking.tripId).toBe(created.body.tripId);
    const listings = [
      await supplierB.get(`${trips}?startDate=2028-12-01&endDate=2028-12-31`),
      await supplierB.get(`${trips}?traveler=${TRAVELER}&startDate=2028-12-01&endDate=2028-12-31`),
    ];
    for (const listing of listings) {
      expect(listing.status).toBe(200);
      const shared = listing.body.trips.find(
        (trip: { tripId: string }) => trip.tripId === created.body.tripId,
      );
      expect(shared).toMatchObject({ tripId: created.body.tripId, startDateLocal: '2028-12-01T08:00:00' });
      expect(JSON.stringify(listing.body)).not.toContain('Araminta');
      expectNoSecretOfA(listing.body, 'A-NAMED-TRIP');
    }
    const read = await supplierB.get(tripPath(created.body.tripId));
    expect(JSON.stringify(read.body)).not.toContain('Araminta');
    // A, whose trip it is, still sees its name.
    const ownListing = await supplierA.get(
      `${trips}?traveler=${TRAVELER}&startDate=2028-12-01&endDate=2028-12-31`,
    );
    expect(JSON.stringify(ownListing.body)).toContain('Araminta private retreat');
  });
});
