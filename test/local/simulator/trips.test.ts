import { describe, expect, it } from 'vitest';
import { parseConcurXml } from '../../../shared/concur';
import type { Itinerary, TripItResponse } from '../../../shared/concur';
import {
  TRIP_PATH,
  bookingXml,
  call,
  encodeTripId,
  errorMessageOf,
  itineraryOf,
  seed,
  seedRequestPath,
  startTestSimulator,
  tripIdOf,
  tripXml,
} from './support';

/** Elements the simulator generates, so they cannot equal the seed's. */
const GENERATED = [
  'id',
  'itinLocator',
  'clientLocator',
  'dateModifiedUtc',
  'dateCreatedUtc',
  'dateBookedLocal',
  'bookedVia',
];

function withoutGenerated(itinerary: Itinerary): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...itinerary };
  for (const key of GENERATED) delete copy[key];
  return copy;
}

describe('trip create (seeds 002, 003, 004)', () => {
  it('creates the trip of seed 002 and answers it as the seed shows, with the generated elements', async () => {
    const { sim } = await startTestSimulator();
    const request = seed('002#1');
    const result = await call(sim, seedRequestPath(request), { body: request.xml, scheme: 'OAuth' });

    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toBe('application/xml');
    expect(result.headers.get('concur-correlationid')).toMatch(/\S{8,}/);
    const trip = itineraryOf(result);
    const expected = parseConcurXml(seed('002#2').xml).itinerary as Itinerary;
    expect(trip).toMatchObject(withoutGenerated(expected));
    const tripId = tripIdOf(trip);
    expect(trip.id).toBe(`${sim.url}${TRIP_PATH}/${tripId}`);
    expect(trip.clientLocator).toMatch(/^SM-CNQ-\w{5}-\w{3}$/);
    expect(trip.dateModifiedUtc).toBe('2013-12-01T10:00:00');
    expect(trip.dateCreatedUtc).toBe('2013-12-01T10:00:00');
    expect(trip.bookedVia).toBe('EveryGDS');
    expect(trip.bookings!.map((b) => [b!.dateModifiedUtc, b!.passengerCount])).toEqual([
      ['2013-12-01T10:00:00', 1],
      ['2013-12-01T10:00:00', 1],
    ]);
    // The XSD puts id and ItinLocator first; Concur's real itineraries open with two elements it lacks.
    expect(result.text).toMatch(
      /^<\?xml[^>]*\?><Itinerary xmlns="[^"]+"><ExternalLinks \/><FormsOfId \/><id>[^<]+<\/id><ItinLocator>/,
    );
  });

  it('creates the trips of seeds 003 and 004 for the traveler named by userid_value', async () => {
    const { sim } = await startTestSimulator();
    for (const id of ['003#5', '004#7']) {
      const request = seed(id);
      const result = await call(sim, seedRequestPath(request), { body: request.xml });
      expect(result.status).toBe(200);
      const trip = itineraryOf(result);
      expect(trip.clientLocator).toBe('KK-CNQ-1M1P6-5HJ');
      expect(trip.bookings!.map((b) => b!.recordLocator)).toEqual(['C123456789', '0987654321']);
      expect(trip.bookings![1]!.segments![0]).toMatchObject({
        kind: 'hotel',
        name: 'CONCUR HOTEL',
        dailyRate: 240.35,
      });
    }
    expect(sim.state.trips().map((t) => t.traveler)).toEqual(['cm@example.com', 'cm@example.com']);
  });

  it('never merges posted trips, even with the same dates, and moves a re-posted booking into the new trip', async () => {
    const { sim } = await startTestSimulator();
    const request = seed('002#1');
    const first = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: request.xml })));
    const second = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: request.xml })));
    expect(second).not.toBe(first);
    // A booking lives in one trip: the first trip gave its bookings to the second.
    expect(sim.state.trip(first)!.bookings).toEqual([]);
    expect(sim.state.trip(second)!.bookings).toHaveLength(2);
  });

  it('generates opaque trip ids, some with a $, that work URL-encoded in the path', async () => {
    const { sim } = await startTestSimulator();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        tripIdOf(
          itineraryOf(
            await call(sim, TRIP_PATH, {
              body: tripXml(`Trip ${i}`, [['2013-12-21T08:00:00', '2013-12-22T08:00:00']]),
            }),
          ),
        ),
      );
    }
    expect(ids.filter((id) => id.includes('$')).length).toBeGreaterThan(0);
    for (const id of ids) {
      const details = await call(sim, `${TRIP_PATH}/${encodeTripId(id)}`);
      expect(details.status).toBe(200);
      expect(itineraryOf(details).itinLocator).toBe(id);
    }
    expect(sim.requests.of('tripGet').some((entry) => entry.path.includes('%24'))).toBe(true);
  });

  it('derives the trip name and dates from the bookings when the request has none', async () => {
    const { sim } = await startTestSimulator();
    const body = tripXml('ignored', [
      ['2013-12-22T09:00:00', '2013-12-23T10:00:00'],
      ['2013-12-21T12:00:00', '2013-12-22T12:00:00'],
    ]).replace(/<TripName>[^<]*<\/TripName>/, '');
    const trip = itineraryOf(await call(sim, TRIP_PATH, { body }));
    expect(trip).toMatchObject({
      tripName: 'Trip to SEA',
      startDateLocal: '2013-12-21T12:00:00',
      endDateLocal: '2013-12-23T10:00:00',
      bookedByFirstName: 'Chris',
      bookedByLastName: 'Miller',
    });
  });

  it('accepts the agency proposal of seed 003 and refuses a proposal without its required elements', async () => {
    const { sim } = await startTestSimulator();
    const request = seed('003#6');
    const accepted = await call(sim, seedRequestPath(request), { body: request.xml });
    expect(accepted.status).toBe(200);
    expect(itineraryOf(accepted)).toMatchObject({ tripStatus: 7, travelRequestId: '3339' });
    expect(itineraryOf(accepted).customAttributes).toHaveLength(2);

    const withoutLocator = request.xml.replace(/<ClientLocator>[^<]*<\/ClientLocator>/, '');
    const refused = await call(sim, TRIP_PATH, { body: withoutLocator });
    expect(refused.status).toBe(400);
    expect(errorMessageOf(refused)).toContain('ClientLocator');

    const badBatch = request.xml.replace('<Data>3</Data>', '<Data>4</Data>');
    const refusedBatch = await call(sim, TRIP_PATH, { body: badBatch });
    expect(refusedBatch.status).toBe(400);
    expect(errorMessageOf(refusedBatch)).toContain('ProposalBatchSize');

    const noAttributes = request.xml.replace(/<CustomAttributes>[\s\S]*?<\/CustomAttributes>/, '');
    expect(errorMessageOf(await call(sim, TRIP_PATH, { body: noAttributes }))).toContain('CustomAttributes');
    expect(sim.state.trips()).toHaveLength(1);
  });

  it('answers bad XML and documents that are not an Itinerary with a 400 Error body', async () => {
    const { sim } = await startTestSimulator();
    for (const body of [
      '<Itinerary><TripName>unclosed',
      '{"itinerary":{}}',
      bookingXml({ recordLocator: 'X', bookingSource: 'Y' }),
      '',
    ]) {
      const result = await call(sim, TRIP_PATH, { body });
      expect(result.status).toBe(400);
      expect(result.document).toHaveProperty('error');
      expect(result.document.error).toMatchObject({ id: result.headers.get('concur-correlationid') });
      expect((result.document.error as Record<string, unknown>)['server-Time']).toBe('2013-12-01T10:00:00');
    }
    expect(sim.state.trips()).toEqual([]);
  });
});

describe('trip details', () => {
  it('answers an unknown trip id with 404 and an Error body', async () => {
    const { sim } = await startTestSimulator();
    const result = await call(sim, `${TRIP_PATH}/CNQR1234567890`);
    expect(result.status).toBe(404);
    expect(errorMessageOf(result)).toContain('CNQR1234567890');
  });

  it('finds a trip for its traveler only when userid_value names one', async () => {
    const { sim } = await startTestSimulator();
    const request = seed('003#5'); // for userid_value=cm@example.com
    const tripId = tripIdOf(itineraryOf(await call(sim, seedRequestPath(request), { body: request.xml })));
    const path = `${TRIP_PATH}/${encodeTripId(tripId)}`;
    expect((await call(sim, `${path}?userid_type=login&userid_value=cm@example.com`)).status).toBe(200);
    // Company-wide requests were withdrawn: ALL names no one, and is refused.
    expect((await call(sim, `${path}?userid_type=login&userid_value=ALL`)).status).toBe(400);
    // Another user of the company: not their trip.
    sim.users.add('demo-company', { loginId: 'someone@example.com' });
    expect((await call(sim, `${path}?userid_type=login&userid_value=someone@example.com`)).status).toBe(404);
  });

  it('answers the TripIt format with the Trip and an AirObject per air booking, shaped like seed 003', async () => {
    const { sim } = await startTestSimulator();
    const body = `<Itinerary xmlns="http://www.concursolutions.com/api/travel/trip/2010/06">
      <TripName>Strategy Team meeting</TripName><IsPersonal>true</IsPersonal>
      <Bookings><Booking><RecordLocator>4294993825</RecordLocator><BookingSource>ConcurAir</BookingSource>
        <Passengers><Passenger><NameFirst>William</NameFirst><NameLast>Never</NameLast></Passenger></Passengers>
        <Segments>
          <Air><Vendor>US</Vendor><FlightNumber>1</FlightNumber><ClassOfService>Y</ClassOfService><Cabin>Economy</Cabin>
            <ConfirmationNumber>CN10001005</ConfirmationNumber><StartCityCode>PHX</StartCityCode><EndCityCode>ORD</EndCityCode>
            <StartDateLocal>2013-08-21T07:45:00</StartDateLocal><EndDateLocal>2013-08-21T13:03:00</EndDateLocal>
            <StartGate>A11</StartGate><AircraftCode>320</AircraftCode><Miles>1433</Miles><NumStops>0</NumStops></Air>
          <Air><Vendor>US</Vendor><FlightNumber>1728</FlightNumber><ClassOfService>Y</ClassOfService>
            <ConfirmationNumber>CN10001005</ConfirmationNumber><StartCityCode>ORD</StartCityCode><EndCityCode>PHX</EndCityCode>
            <StartDateLocal>2013-08-24T13:55:00</StartDateLocal><EndDateLocal>2013-08-24T16:58:00</EndDateLocal></Air>
        </Segments></Booking></Bookings></Itinerary>`;
    const tripId = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body })));
    const result = await call(sim, `${TRIP_PATH}/${encodeTripId(tripId)}?systemFormat=Tripit`);
    expect(result.status).toBe(200);
    const tripIt = result.document.response as TripItResponse;
    expect(tripIt.trip).toEqual({
      id: tripId,
      relative_url: `${TRIP_PATH}/${tripId}`,
      start_date: '2013-08-21',
      end_date: '2013-08-24',
      display_name: 'Strategy Team meeting',
      is_private: 'true',
    });
    const seedTripIt = parseConcurXml(seed('003#4').xml).response as TripItResponse;
    const [air] = tripIt.airObject!;
    expect(Object.keys(air!)).toEqual(Object.keys(seedTripIt.airObject![0]!));
    expect(Object.keys(air!.segment![0]!)).toEqual(Object.keys(seedTripIt.airObject![0]!.segment![0]!));
    expect(air).toMatchObject({
      record_locator: '4294993825',
      supplier_conf_num: 'CN10001005',
      is_purchased: '1',
    });
    expect(
      air!.segment!.map((s) => [s!.start_airport_code, s!.end_airport_code, s!.marketing_flight_number]),
    ).toEqual([
      ['PHX', 'ORD', '1'],
      ['ORD', 'PHX', '1728'],
    ]);
    expect(air!.segment![0]).toMatchObject({
      startDateTime: { date: '2013-08-21', time: '07:45:00' },
      service_class: 'Economy',
      stops: 'Nonstop',
      distance: '1433',
    });
    expect(air!.traveler).toEqual([expect.objectContaining({ first_name: 'William', last_name: 'Never' })]);
  });
});

describe('trip update', () => {
  it('replaces the whole trip: bookings and segments not sent again disappear', async () => {
    const { sim, clock } = await startTestSimulator();
    const created = itineraryOf(await call(sim, TRIP_PATH, { body: seed('002#1').xml }));
    const tripId = tripIdOf(created);
    clock.advance(60_000);

    const update = tripXml('Trip from Dallas to Seattle, shortened', [
      ['2013-12-21T12:00:00', '2013-12-22T12:00:00'],
    ]);
    const result = await call(sim, `${TRIP_PATH}?tripId=${encodeTripId(tripId)}`, { body: update });
    expect(result.status).toBe(200);
    const updated = itineraryOf(result);
    expect(updated.itinLocator).toBe(tripId);
    expect(updated.clientLocator).toBe(created.clientLocator);
    expect(updated.tripName).toBe('Trip from Dallas to Seattle, shortened');
    expect(updated.bookings!.map((b) => b!.recordLocator)).toEqual(['TripfromDallastoSeat0']);
    expect(updated.dateModifiedUtc).toBe('2013-12-01T10:01:00');
    expect(updated.dateCreatedUtc).toBe('2013-12-01T10:00:00');
    // The TripLink status "HK" was not sent again either.
    expect(updated.tripStatus).toBeUndefined();
    expect(itineraryOf(await call(sim, `${TRIP_PATH}/${encodeTripId(tripId)}`))).toEqual(updated);
  });

  it('answers an update of an unknown trip with 404', async () => {
    const { sim } = await startTestSimulator();
    const result = await call(sim, `${TRIP_PATH}/?tripId=nope`, { body: seed('002#1').xml });
    expect(result.status).toBe(404);
    expect(sim.state.trips()).toEqual([]);
  });
});

describe('trip cancel', () => {
  it('answers the trip with an empty Segments per booking and marks it cancelled (seed 002)', async () => {
    const { sim, clock } = await startTestSimulator();
    const tripId = tripIdOf(itineraryOf(await call(sim, TRIP_PATH, { body: seed('002#1').xml })));
    clock.advance(1000);
    const result = await call(sim, `${TRIP_PATH}/cancel?tripId=${encodeTripId(tripId)}`, { method: 'POST' });
    expect(result.status).toBe(200);
    expect(result.text).toContain('<Segments/>');
    const canceled = itineraryOf(result);
    const expected = parseConcurXml(seed('002#3').xml).itinerary as Itinerary;
    expect(canceled.bookings!.map((b) => b!.segments)).toEqual(expected.bookings!.map((b) => b!.segments));
    expect(canceled.bookings!.map((b) => b!.recordLocator)).toEqual(
      expected.bookings!.map((b) => b!.recordLocator),
    );
    expect(canceled).toMatchObject({
      tripStatus: 2,
      tripName: expected.tripName,
      startDateLocal: expected.startDateLocal,
    });
    // The segments are kept, cancelled, for the bookings' own sources.
    const stored = sim.state.trip(tripId)!;
    expect(stored.canceled).toBe(true);
    expect(stored.bookings[0]!.booking.segments![0]).toMatchObject({
      dateCancelledUtc: '2013-12-01T10:00:01',
    });
    // 004 spells the parameter tripid.
    expect(
      (await call(sim, `${TRIP_PATH}/cancel?tripid=${encodeTripId(tripId)}`, { method: 'POST' })).status,
    ).toBe(200);
  });
});
