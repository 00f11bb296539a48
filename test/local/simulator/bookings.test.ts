import { describe, expect, it } from 'vitest';
import { parseConcurXml } from '../../../shared/concur';
import type { Booking } from '../../../shared/concur';
import {
  BOOKING_PATH,
  TRIP_PATH,
  bookingOf,
  bookingXml,
  call,
  carBooking,
  encodeTripId,
  errorMessageOf,
  itineraryOf,
  seed,
  seedRequestPath,
  startTestSimulator,
  tripIdOf,
} from './support';

/** Seed 000's booking request (a car, 2013-12-21 to 12-23), posted without the seed's placeholder tripId. */
const seedBooking = () => seed('000#1').xml;

describe('booking create and update (seeds 000, 001, 003)', () => {
  it('refuses a login the company does not have with 400 and an Error body, on every route, before anything else', async () => {
    const { sim } = await startTestSimulator();
    const stranger = 'userid_type=login_id&userid_value=stranger@example.com';
    const posts = [
      await call(sim, `${BOOKING_PATH}?${stranger}`, { body: seedBooking() }),
      await call(sim, `${TRIP_PATH}?${stranger}`, { body: seed('002#1').xml }),
      await call(sim, `${TRIP_PATH}/?${stranger}`),
      await call(sim, `${BOOKING_PATH}/cancel?bookingSource=Alamo&confirmationNumber=X1&${stranger}`, {
        method: 'POST',
      }),
    ];
    for (const answer of posts) {
      expect(answer.status).toBe(400);
      expect(errorMessageOf(answer)).toMatch(/^Invalid userid_value: the user specified does not exist/);
      expect(answer.text).not.toContain('stranger@example.com');
      expect(answer.text).not.toContain('cm@example.com');
    }
    expect(sim.state.trips()).toEqual([]);
    // The company's users are known whatever the case of their login; one added while the simulator runs too.
    const known = await call(sim, `${BOOKING_PATH}?userid_type=login_id&userid_value=CM@Example.com`, {
      body: seedBooking(),
    });
    expect(known.status).toBe(200);
    sim.users.add('demo-company', { loginId: 'stranger@example.com' });
    expect((await call(sim, `${TRIP_PATH}/?${stranger}`)).status).toBe(200);
  });

  it('joins the traveler first trip whose dates span it, and answers that trip', async () => {
    const { sim } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: seed('002#1').xml })));
    const result = await call(sim, '/api/travel/booking/v1.0', { body: seedBooking(), scheme: 'OAuth' });
    expect(result.status).toBe(200);
    const trip = itineraryOf(result);
    expect(trip.itinLocator).toBe(tripId);
    expect(trip.bookings!.map((b) => b!.recordLocator)).toEqual(['C123456789', '0987654321', 'PANAMA50']);
    const expected = parseConcurXml(seed('000#2').xml).itinerary!;
    const posted = trip.bookings![2]!;
    expect(posted).toMatchObject({
      ...(expected as { bookings: Booking[] }).bookings[0],
      dateModifiedUtc: '2013-12-01T10:00:00',
      passengerCount: 1,
    });
    expect(sim.state.trips()).toHaveLength(1);
  });

  it('makes a new trip for a booking outside every trip of the traveler, with the trip elements derived', async () => {
    const { sim } = await startTestSimulator();
    const first = tripIdOf(itineraryOf(await call(sim, BOOKING_PATH, { body: seedBooking() })));
    const outside = bookingXml(carBooking('LATER1', '2014-02-01T09:00:00', '2014-02-03T09:00:00', 'Alamo'));
    const result = await call(sim, BOOKING_PATH, { body: outside });
    const second = itineraryOf(result);
    expect(second.itinLocator).not.toBe(first);
    expect(second).toMatchObject({
      tripName: 'Trip to SEA',
      startDateLocal: '2014-02-01T09:00:00',
      endDateLocal: '2014-02-03T09:00:00',
      bookedByFirstName: 'Chris',
      bookedByLastName: 'Miller',
      bookedVia: 'EveryGDS',
      itinSourceName: 'TravelSupplier',
    });
    expect(second.clientLocator).toBeTruthy();
    // Inside the first booking's trip: joins it.
    const inside = bookingXml(carBooking('INSIDE1', '2013-12-21T13:00:00', '2013-12-22T13:00:00', 'Alamo'));
    expect(itineraryOf(await call(sim, BOOKING_PATH, { body: inside })).itinLocator).toBe(first);
    // Another traveler's trips never take the booking.
    sim.users.add('demo-company', { loginId: 'other@example.com' });
    const other = await call(sim, `${BOOKING_PATH}?userid_type=login_id&userid_value=other@example.com`, {
      body: bookingXml(carBooking('OTHER1', '2013-12-21T13:00:00', '2013-12-22T13:00:00', 'Alamo')),
    });
    expect(itineraryOf(other).itinLocator).not.toBe(first);
    expect(sim.state.trip(itineraryOf(other).itinLocator!)!.traveler).toBe('other@example.com');
  });

  it('joins the trip named by tripId, as in the seeds request line, even outside its dates', async () => {
    const { sim } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: seed('002#1').xml })));
    const request = seed('001#1');
    const path = seedRequestPath(request).replace('12345678', encodeTripId(tripId));
    expect(path).toMatch(/^\/api\/travel\/booking\/v1\.0\?tripId=/);
    const trip = itineraryOf(await call(sim, path, { body: request.xml }));
    expect(trip.itinLocator).toBe(tripId);
    expect(trip.bookings![2]).toMatchObject({ recordLocator: 'PANAMA50', bookingSource: 'Alamo' });

    const far = bookingXml(carBooking('FAR1', '2014-06-01T09:00:00', '2014-06-02T09:00:00', 'Alamo'));
    const widened = itineraryOf(
      await call(sim, `${BOOKING_PATH}?tripId=${encodeTripId(tripId)}`, { body: far }),
    );
    expect(widened).toMatchObject({ itinLocator: tripId, endDateLocal: '2014-06-02T09:00:00' });

    const unknown = await call(sim, `${BOOKING_PATH}?tripId=12345678`, { body: request.xml });
    expect(unknown.status).toBe(404);
  });

  it('updates a booking in place: it is identified by BookingSource and RecordLocator', async () => {
    const { sim, clock } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, BOOKING_PATH, { body: seed('001#1').xml })));
    clock.advance(5 * 60_000);
    const changed = seed('001#1').xml.replace('<Class>E</Class>', '<Class>F</Class>');
    const trip = itineraryOf(await call(sim, BOOKING_PATH, { body: changed }));
    expect(trip.itinLocator).toBe(tripId);
    expect(trip.bookings).toHaveLength(1);
    expect(trip.bookings![0]).toMatchObject({
      dateCreatedUtc: '2012-07-22T11:55:42',
      dateModifiedUtc: '2013-12-01T10:05:00',
    });
    expect(trip.bookings![0]!.segments![0]).toMatchObject({ kind: 'car', class: 'F' });
    // Same record locator from another source: another booking.
    const otherSource = seed('001#1').xml.replace(
      '<BookingSource>Alamo</BookingSource>',
      '<BookingSource>Hertz</BookingSource>',
    );
    expect(itineraryOf(await call(sim, BOOKING_PATH, { body: otherSource })).bookings).toHaveLength(2);
  });

  it('refuses a booking without BookingSource or RecordLocator, and a body that is not a Booking', async () => {
    const { sim } = await startTestSimulator();
    const noSource = seed('000#1').xml.replace(/<BookingSource>[^<]*<\/BookingSource>/, '');
    const result = await call(sim, BOOKING_PATH, { body: noSource });
    expect(result.status).toBe(400);
    expect(errorMessageOf(result)).toContain('BookingSource is required');
    const trip = await call(sim, BOOKING_PATH, { body: seed('002#1').xml });
    expect(trip.status).toBe(400);
    expect(errorMessageOf(trip)).toContain('Expected a <Booking> document, got <Itinerary>');
  });
});

describe('booking cancel', () => {
  it('cancels by RecordLocator: answers the full booking, and its trip shows it without segments', async () => {
    const { sim, clock } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: seed('002#1').xml })));
    await call(sim, BOOKING_PATH, { body: seedBooking() });
    clock.advance(60_000);
    const result = await call(sim, `${BOOKING_PATH}/cancel?bookingSource=Alamo&confirmationNumber=PANAMA50`, {
      method: 'POST',
    });
    expect(result.status).toBe(200);
    const booking = bookingOf(result);
    const expected = parseConcurXml(seed('000#3').xml).booking as Booking;
    expect(Object.keys(booking)).toEqual(expect.arrayContaining(Object.keys(expected)));
    expect(booking).toMatchObject({
      recordLocator: 'PANAMA50',
      bookingSource: 'Alamo',
      dateModifiedUtc: '2013-12-01T10:01:00',
    });
    expect(booking.segments![0]).toMatchObject({
      kind: 'car',
      dateCancelledUtc: '2013-12-01T10:01:00',
      startCityCode: 'SEA',
    });
    expect(booking.segments![0]!.cancellationNumber).toMatch(/^\d{10}$/);

    const trip = itineraryOf(await call(sim, `${TRIP_PATH}/${encodeTripId(tripId)}`));
    expect(trip.bookings!.map((b) => [b!.recordLocator, b!.segments!.length])).toEqual([
      ['C123456789', 1],
      ['0987654321', 1],
      ['PANAMA50', 0],
    ]);
    expect(trip.tripStatus).toBe('HK');
  });

  it('cancels by a segment ConfirmationNumber; the last live booking cancelled cancels the trip', async () => {
    const { sim } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, BOOKING_PATH, { body: seed('001#1').xml })));
    const result = await call(
      sim,
      `${BOOKING_PATH}/cancel?bookingSource=Alamo&confirmationNumber=F16726AIUS`,
      { method: 'POST' },
    );
    expect(result.status).toBe(200);
    expect(bookingOf(result).recordLocator).toBe('PANAMA50');
    expect(itineraryOf(await call(sim, `${TRIP_PATH}/${encodeTripId(tripId)}`)).tripStatus).toBe(2);
    // Cancelling again answers the same cancelled booking.
    const again = await call(
      sim,
      `/api/travel/booking/v1.0/cancel?bookingSource=Alamo&confirmationNumber=PANAMA50`,
      { method: 'POST' },
    );
    expect(bookingOf(again).segments![0]!.dateCancelledUtc).toBe(
      bookingOf(result).segments![0]!.dateCancelledUtc,
    );
  });

  it('brings a cancelled booking, and its cancelled trip, back when the booking is posted again', async () => {
    const { sim } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, BOOKING_PATH, { body: seedBooking() })));
    await call(sim, `${BOOKING_PATH}/cancel?bookingSource=Alamo&confirmationNumber=PANAMA50`, {
      method: 'POST',
    });
    expect(sim.state.trip(tripId)!.canceled).toBe(true);
    const trip = itineraryOf(await call(sim, BOOKING_PATH, { body: seedBooking() }));
    expect(trip.itinLocator).toBe(tripId);
    expect(trip.tripStatus).toBeUndefined();
    expect(trip.bookings![0]!.segments).toHaveLength(1);
  });

  it('answers an unknown booking with 404 and <Status>NotFound</Status>', async () => {
    const { sim } = await startTestSimulator();
    const result = await call(
      sim,
      `${BOOKING_PATH}/cancel?bookingSource=FastTravel&confirmationNumber=0987654321`,
      { method: 'POST' },
    );
    expect(result.status).toBe(404);
    expect(result.document).toEqual({ status: 'NotFound' });
  });

  it('refuses a cancel whose bookingSource is not the booking source with 403', async () => {
    const { sim } = await startTestSimulator();
    await call(sim, BOOKING_PATH, { body: seedBooking() });
    const result = await call(
      sim,
      `${BOOKING_PATH}/cancel?bookingSource=FastTravel&confirmationNumber=PANAMA50`,
      { method: 'POST' },
    );
    expect(result.status).toBe(403);
    expect(errorMessageOf(result)).toMatch(/^Booking source mismatch/);
    expect(sim.state.trips()[0]!.bookings[0]!.canceled).toBe(false);
  });
});

describe('booking sources', () => {
  it('lets only the source that created a booking update or cancel it', async () => {
    const { sim } = await startTestSimulator();
    const alamo = sim.tokens.issueTokenPair(undefined, { bookingSource: 'Alamo' }).accessToken;
    const hertz = sim.tokens.issueTokenPair(undefined, { bookingSource: 'Hertz' }).accessToken;
    const tripId = tripIdOf(
      itineraryOf(await call(sim, BOOKING_PATH, { body: seedBooking(), token: alamo })),
    );

    const update = await call(sim, BOOKING_PATH, { body: seedBooking(), token: hertz });
    expect(update.status).toBe(403);
    expect(errorMessageOf(update)).toContain(
      'only the booking source that created a booking may update or cancel it',
    );
    const cancel = await call(sim, `${BOOKING_PATH}/cancel?bookingSource=Alamo&confirmationNumber=PANAMA50`, {
      method: 'POST',
      token: hertz,
    });
    expect(cancel.status).toBe(403);
    const tripCancel = await call(sim, `${TRIP_PATH}/cancel?tripId=${encodeTripId(tripId)}`, {
      method: 'POST',
      token: hertz,
    });
    expect(tripCancel.status).toBe(403);
    const tripUpdate = await call(sim, `${TRIP_PATH}?tripId=${encodeTripId(tripId)}`, {
      body: seed('002#1').xml,
      token: alamo,
    });
    expect(tripUpdate.status).toBe(403);
    expect(sim.state.trip(tripId)!.bookings[0]!.canceled).toBe(false);

    const own = await call(sim, `${BOOKING_PATH}/cancel?bookingSource=Alamo&confirmationNumber=PANAMA50`, {
      method: 'POST',
      token: alamo,
    });
    expect(own.status).toBe(200);
  });

  it('a supplier cancelling a trip cancels only its own bookings (seed 002)', async () => {
    const { sim } = await startTestSimulator();
    const alamo = sim.tokens.issueTokenPair(undefined, { bookingSource: 'Alamo' }).accessToken;
    const tripId = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: seed('002#1').xml })));
    await call(sim, `${BOOKING_PATH}?tripId=${encodeTripId(tripId)}`, { body: seedBooking(), token: alamo });
    const result = await call(sim, `${TRIP_PATH}/cancel?tripId=${encodeTripId(tripId)}`, {
      method: 'POST',
      token: alamo,
    });
    expect(result.status).toBe(200);
    const trip = itineraryOf(result);
    expect(trip.bookings!.map((b) => b!.segments!.length)).toEqual([1, 1, 0]);
    expect(trip.tripStatus).toBe('HK');
  });

  it('returns amounts only to the booking own source; TMC tokens (no source) see them all', async () => {
    const { sim } = await startTestSimulator();
    const alamo = sim.tokens.issueTokenPair(undefined, { bookingSource: 'Alamo' }).accessToken;
    const hertz = sim.tokens.issueTokenPair(undefined, { bookingSource: 'Hertz' }).accessToken;
    const tripId = tripIdOf(
      itineraryOf(await call(sim, BOOKING_PATH, { body: seed('001#1').xml, token: alamo })),
    );
    const path = `${TRIP_PATH}/${encodeTripId(tripId)}`;

    const own = itineraryOf(await call(sim, path, { token: alamo })).bookings![0]!.segments![0]!;
    expect(own).toMatchObject({ dailyRate: 35, totalRate: 105, currency: 'USD' });
    const tmc = itineraryOf(await call(sim, path)).bookings![0]!.segments![0]!;
    expect(tmc).toMatchObject({ dailyRate: 35, totalRate: 105 });
    const foreign = await call(sim, path, { token: hertz });
    const segment = itineraryOf(foreign).bookings![0]!.segments![0]! as unknown as Record<string, unknown>;
    expect(segment).toMatchObject({ kind: 'car', vendor: 'AL', currency: 'USD' });
    expect(segment).not.toHaveProperty('dailyRate');
    expect(segment).not.toHaveProperty('totalRate');
    expect(foreign.text).not.toMatch(/Rate>|<Amount>/);
  });

  it('takes the booking source of a token from its OAuth client, as configured per company and client', async () => {
    const { sim } = await startTestSimulator({
      companies: [{ id: 'acme', bookingSource: 'AcmeTravel' }],
      clients: [{ clientId: 'alamo-app', clientSecret: 's3cret', companyId: 'acme', bookingSource: 'Alamo' }],
    });
    expect(sim.tokens.clientFor('acme')).toEqual({ clientId: 'alamo-app', clientSecret: 's3cret' });
    // The company's own token books as AcmeTravel.
    const refused = await call(sim, BOOKING_PATH, { body: seedBooking() });
    expect(refused.status).toBe(403);
    // Tokens of the alamo-app client book as Alamo.
    const response = await fetch(`${sim.url}/oauth2/v0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: 'alamo-app',
        client_secret: 's3cret',
        grant_type: 'refresh_token',
        refresh_token: sim.tokens.refreshTokenFor('acme'),
      }),
    });
    const { access_token } = (await response.json()) as { access_token: string };
    expect((await call(sim, BOOKING_PATH, { body: seedBooking(), token: access_token })).status).toBe(200);
  });
});
