import { describe, expect, it } from 'vitest';
import { buildConcurXml, parseConcurXml } from '../../../shared/concur';
import type { ConnectResponse, ItineraryInfo } from '../../../shared/concur';
import type { Simulator } from '../../../local/simulator';
import {
  BOOKING_PATH,
  TRIP_PATH,
  bookingXml,
  call,
  carBooking,
  encodeTripId,
  errorMessageOf,
  itineraryOf,
  seed,
  startTestSimulator,
  tripIdOf,
  tripInfosOf,
  tripXml,
} from './support';

/** Creates a trip with one car booking from `start` to `end`; answers its id. */
async function trip(
  sim: Simulator,
  name: string,
  start: string,
  end: string,
  path = TRIP_PATH,
): Promise<string> {
  const result = await call(sim, path, { body: tripXml(name, [[start, end]]) });
  expect(result.status).toBe(200);
  return tripIdOf(itineraryOf(result));
}

const names = (infos: ItineraryInfo[]) => infos.map((i) => i.tripName);

describe('trip list (seeds 003, 004)', () => {
  it('lists trip summaries shaped like the seed example', async () => {
    const { sim } = await startTestSimulator();
    const tripId = await trip(sim, 'Trip to Seattle', '2013-12-21T07:25:00', '2013-12-24T23:59:00');
    const result = await call(sim, `${TRIP_PATH}/`, { scheme: 'OAuth' });
    expect(result.status).toBe(200);
    expect(result.text).toContain(
      '<ItineraryInfoList xmlns="http://www.concursolutions.com/api/travel/trip/2010/06">',
    );
    const [info] = tripInfosOf(result);
    const seedInfo = (parseConcurXml(seed('003#1').xml).itineraryInfoList as ItineraryInfo[])[0]!;
    expect(Object.keys(info!).sort()).toEqual(Object.keys(seedInfo).sort());
    expect(info).toEqual({
      tripId,
      tripName: 'Trip to Seattle',
      startDateLocal: '2013-12-21T07:25:00',
      endDateLocal: '2013-12-24T23:59:00',
      userLoginId: 'cm@example.com',
      dateModifiedUtc: '2013-12-01T10:00:00',
      id: `${sim.url}${TRIP_PATH}/${tripId}`,
    });
    // The path without the trailing slash is the same list.
    expect(tripInfosOf(await call(sim, TRIP_PATH))).toEqual([info]);
  });

  it('defaults to trips ongoing from today - 30 days to today + 12 months', async () => {
    const { sim } = await startTestSimulator(); // today: 2013-12-01
    await trip(sim, 'long ago', '2013-10-15T09:00:00', '2013-10-20T09:00:00');
    await trip(sim, 'ending in the window', '2013-10-25T09:00:00', '2013-11-02T09:00:00');
    await trip(sim, 'soon', '2013-12-21T09:00:00', '2013-12-24T09:00:00');
    await trip(sim, 'last day', '2014-12-01T09:00:00', '2014-12-03T09:00:00');
    await trip(sim, 'too far', '2014-12-02T09:00:00', '2014-12-05T09:00:00');
    expect(names(tripInfosOf(await call(sim, TRIP_PATH)))).toEqual([
      'ending in the window',
      'soon',
      'last day',
    ]);
  });

  it('selects trips overlapping startDate/endDate, sent as YYYY-MM-DD or URL-encoded YYYY/MM/DD', async () => {
    const { sim } = await startTestSimulator();
    await trip(sim, 'before', '2012-01-10T09:00:00', '2012-01-31T09:00:00');
    await trip(sim, 'straddles start', '2012-01-30T09:00:00', '2012-02-02T09:00:00');
    await trip(sim, 'inside', '2012-02-15T09:00:00', '2012-02-21T17:30:00');
    await trip(sim, 'straddles end', '2013-12-31T09:00:00', '2014-01-03T09:00:00');
    await trip(sim, 'after', '2014-01-01T09:00:00', '2014-01-03T09:00:00');
    const expected = ['straddles start', 'inside', 'straddles end'];
    // The seeds' own request line.
    expect(
      names(tripInfosOf(await call(sim, `${TRIP_PATH}/?startDate=2012%2F02%2F01&endDate=2013%2F12%2F31`))),
    ).toEqual(expected);
    expect(
      names(tripInfosOf(await call(sim, `${TRIP_PATH}/?startDate=2012-02-01&endDate=2013-12-31`))),
    ).toEqual(expected);
    // Only a start date: open-ended.
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?startDate=2013%2F12%2F31`)))).toEqual([
      'straddles end',
      'after',
    ]);
    const bad = await call(sim, `${TRIP_PATH}/?startDate=yesterday`);
    expect(bad.status).toBe(400);
    expect(errorMessageOf(bad)).toContain('startDate');
  });

  it('filters by creation and modification dates', async () => {
    const { sim, clock } = await startTestSimulator();
    const first = await trip(sim, 'created Dec 1', '2012-02-15T09:00:00', '2012-02-16T09:00:00');
    clock.set('2013-12-03T08:00:00Z');
    await trip(sim, 'created Dec 3', '2012-03-26T09:00:00', '2012-03-29T17:30:00');
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?createdAfterDate=2013%2F12%2F02`)))).toEqual([
      'created Dec 3',
    ]);
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?createdBeforeDate=2013-12-01`)))).toEqual([
      'created Dec 1',
    ]);
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?createdAfterDate=2012%2F02%2F01`)))).toHaveLength(
      2,
    );
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?lastModifiedDate=2013-12-03T00:00:00`)))).toEqual(
      ['created Dec 3'],
    );
    clock.set('2013-12-04T08:00:00Z');
    await call(sim, `${BOOKING_PATH}?tripId=${encodeTripId(first)}`, {
      body: bookingXml(carBooking('LATE1', '2012-02-15T10:00:00', '2012-02-15T11:00:00', 'Alamo')),
    });
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?lastModifiedDate=2013-12-04`)))).toEqual([
      'created Dec 1',
    ]);
  });

  it('filters by bookingType', async () => {
    const { sim } = await startTestSimulator();
    await trip(sim, 'car trip', '2013-12-10T09:00:00', '2013-12-11T09:00:00');
    const body = buildConcurXml({
      itinerary: {
        tripName: 'air trip',
        bookings: [
          {
            recordLocator: 'AIR1',
            bookingSource: 'ConcurAir',
            segments: [
              {
                kind: 'air',
                vendor: 'US',
                flightNumber: '1',
                startCityCode: 'PHX',
                endCityCode: 'ORD',
                startDateLocal: '2013-12-12T07:45:00',
                endDateLocal: '2013-12-12T13:03:00',
              },
            ],
          },
        ],
      },
    });
    await call(sim, TRIP_PATH, { body });
    expect(
      names(tripInfosOf(await call(sim, `${TRIP_PATH}/?startDate=2013%2F12%2F01&bookingType=Air`))),
    ).toEqual(['air trip']);
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?bookingType=car`)))).toEqual(['car trip']);
    expect((await call(sim, `${TRIP_PATH}/?bookingType=Spaceship`)).status).toBe(400);
  });

  it('lists cancelled trips, with TripStatus on every summary, only with includeCanceledTrips=true', async () => {
    const { sim } = await startTestSimulator();
    const canceled = await trip(sim, 'cancelled', '2013-12-10T09:00:00', '2013-12-11T09:00:00');
    await trip(sim, 'live', '2013-12-12T09:00:00', '2013-12-13T09:00:00');
    await call(sim, `${TRIP_PATH}/cancel?tripId=${encodeTripId(canceled)}`, { method: 'POST' });
    const plain = tripInfosOf(await call(sim, TRIP_PATH));
    expect(names(plain)).toEqual(['live']);
    expect(plain[0]).not.toHaveProperty('tripStatus');
    const all = tripInfosOf(await call(sim, `${TRIP_PATH}/?includeCanceledTrips=true`));
    expect(all.map((i) => [i.tripName, i.tripStatus])).toEqual([
      ['cancelled', 2],
      ['live', 0],
    ]);
  });

  it('lists personal, virtual and guest trips only when asked to', async () => {
    const { sim } = await startTestSimulator();
    await call(sim, TRIP_PATH, {
      body: tripXml('personal', [['2013-12-10T09:00:00', '2013-12-11T09:00:00']], { isPersonal: true }),
    });
    const virtual = await trip(sim, 'virtual', '2013-12-12T09:00:00', '2013-12-13T09:00:00');
    const guest = await trip(sim, 'guest', '2013-12-14T09:00:00', '2013-12-15T09:00:00');
    sim.state.setTripFlags(virtual, { virtual: true });
    // The same through the admin API.
    const flagged = await fetch(`${sim.url}/_sim/state/trip-flags`, {
      method: 'POST',
      body: JSON.stringify({ tripId: guest, guest: true }),
    });
    expect(flagged.status).toBe(204);
    expect(names(tripInfosOf(await call(sim, TRIP_PATH)))).toEqual([]);
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?includePersonalTrips=true`)))).toEqual([
      'personal',
    ]);
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?includeVirtualTrip=1`)))).toEqual(['virtual']);
    expect(names(tripInfosOf(await call(sim, `${TRIP_PATH}/?includeGuestBookings=true`)))).toEqual(['guest']);
  });

  it('lists the token traveler by default and another with userid_value; refuses userid_value=ALL', async () => {
    const { sim } = await startTestSimulator({
      companies: [{ id: 'demo-company' }, { id: 'other-company' }],
    });
    // The same login at both companies: a user of each.
    for (const company of ['demo-company', 'other-company'])
      sim.users.add(company, { loginId: 'other@example.com' });
    await trip(sim, 'mine', '2013-12-10T09:00:00', '2013-12-11T09:00:00');
    await trip(
      sim,
      'theirs',
      '2013-12-12T09:00:00',
      '2013-12-13T09:00:00',
      `${TRIP_PATH}?userid_type=login_id&userid_value=other@example.com`,
    );
    expect(names(tripInfosOf(await call(sim, TRIP_PATH)))).toEqual(['mine']);
    const theirs = tripInfosOf(
      await call(sim, `${TRIP_PATH}/?userid_type=login&userid_value=other@example.com`),
    );
    expect(theirs.map((i) => [i.tripName, i.userLoginId])).toEqual([['theirs', 'other@example.com']]);
    // Another company never sees them.
    const otherCompany = await call(sim, `${TRIP_PATH}/?userid_type=login&userid_value=other@example.com`, {
      token: sim.accessTokenFor('other-company'),
    });
    expect(otherCompany.status).toBe(200);
    expect(tripInfosOf(otherCompany)).toEqual([]);
    // Company-wide lists were withdrawn in 2022: one user per request, in whatever case ALL is spelled.
    for (const query of ['userid_type=login&userid_value=ALL', 'userid_type=login_id&userid_value=all']) {
      const refused = await call(sim, `${TRIP_PATH}/?${query}&startDate=2013-12-01&endDate=2013-12-31`);
      expect(refused.status).toBe(400);
      expect(errorMessageOf(refused)).toMatch(/userid_value=ALL is not supported.*one user at a time/);
    }
  });

  it('pages with includeMetadata: NextPageURL and PreviousPageURL work, and are empty at the ends', async () => {
    const { sim } = await startTestSimulator();
    for (let day = 1; day <= 5; day++)
      await trip(sim, `trip ${day}`, `2013-12-1${day}T09:00:00`, `2013-12-1${day}T18:00:00`);
    // Seed 003's paging request.
    const first = await call(
      sim,
      `${TRIP_PATH}/?createdAfterDate=2012%2F02%2F01&includeMetadata=true&ItemsPerPage=2&Page=1`,
    );
    const paging = (result: typeof first) =>
      (result.document.connectResponse as ConnectResponse).metadata!.paging!;
    expect(paging(first)).toEqual({
      totalPages: 3,
      totalItems: 5,
      currentPage: 1,
      itemsPerPage: 2,
      previousPageURL: '',
      nextPageURL: `${sim.url}${TRIP_PATH}/?createdAfterDate=2012%2F02%2F01&includeMetadata=true&ItemsPerPage=2&Page=2`,
    });
    const seen = [...names(tripInfosOf(first))];
    let page = first;
    while (paging(page).nextPageURL) {
      page = await call(sim, paging(page).nextPageURL!);
      seen.push(...names(tripInfosOf(page)));
    }
    expect(seen).toEqual(['trip 1', 'trip 2', 'trip 3', 'trip 4', 'trip 5']);
    expect(paging(page)).toMatchObject({ currentPage: 3, nextPageURL: '' });
    const back = await call(sim, paging(page).previousPageURL!);
    expect(paging(back).currentPage).toBe(2);
    expect(names(tripInfosOf(back))).toEqual(['trip 3', 'trip 4']);
  });

  it('defaults ItemsPerPage to 200 when Page is sent and to 1000 otherwise', async () => {
    const { sim } = await startTestSimulator();
    await trip(sim, 'one', '2013-12-10T09:00:00', '2013-12-11T09:00:00');
    const perPage = async (query: string) =>
      (
        (await call(sim, `${TRIP_PATH}/?includeMetadata=true${query}`)).document
          .connectResponse as ConnectResponse
      ).metadata!.paging!.itemsPerPage;
    expect(await perPage('')).toBe(1000);
    expect(await perPage('&Page=1')).toBe(200);
    expect(await perPage('&itemsPerPage=7')).toBe(7);
    expect((await call(sim, `${TRIP_PATH}/?Page=0`)).status).toBe(400);
  });
});
