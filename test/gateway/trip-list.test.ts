/**
 * The trip listing over real HTTP: served from the gateway's records (dynalite) without calling Concur, paged
 * with a bound cursor, filtered by dates; `?traveler=` asks the simulator for one traveler per calendar month.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPANY, TRAVELER, addSupplier, api, bookingPath, carBooking, startTestGateway } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let mine: ReturnType<typeof api>;
let theirs: ReturnType<typeof api>;

const SECOND_COMPANY = 'second-company';
const trips = (company = COMPANY) => `/v1/companies/${company}/trips`;
const concurCalls = () => gateway.simulator!.requests.entries.length;

interface Listed {
  tripId: string;
  tripName?: string;
  startDateLocal?: string;
  endDateLocal?: string;
  userLoginId: string;
  bookingSource: string;
  recordLocator: string;
  created: boolean;
  bookings: { confirmationNumber: string; recordLocator: string; status: string }[];
  tripStatus?: number;
}

/** A car booking of the traveler over two days from `day` (YYYY-MM-DD). */
const carOn = (day: string, confirmationNumber: string, traveler = TRAVELER) => ({
  booking: carBooking(
    {},
    {
      confirmationNumber,
      startDateLocal: `${day}T12:00:00`,
      endDateLocal: `${day.slice(0, 8)}${String(Number(day.slice(8)) + 1).padStart(2, '0')}T12:00:00`,
    },
  ),
  traveler: { loginId: traveler },
});

/** Every page of a listing, following nextCursor; each page must hold at most `limit` trips. */
async function allPages(client: ReturnType<typeof api>, query: string, limit: number) {
  const listed: Listed[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const answer = await client.get(
      `${trips()}?${query ? `${query}&` : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.trips.length).toBeLessThanOrEqual(limit);
    listed.push(...(answer.body.trips as Listed[]));
    cursor = answer.body.nextCursor;
    pages += 1;
  } while (cursor);
  return { listed, pages };
}

const tripIdOfBooking = async (client: ReturnType<typeof api>, confirmationNumber: string) =>
  (await client.get(bookingPath(confirmationNumber))).body.booking.tripId as string;

/** Trip ids of the demo supplier's bookings, by confirmation number. */
const tripOf: Record<string, string> = {};
let createdTripId: string;
let theirTripId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  mine = api(gateway, gateway.apiKey);
  theirs = api(gateway, await addSupplier('list-other', 'ListOther', [COMPANY, SECOND_COMPANY]));
  // Five trips of the demo supplier, one a month from January to May 2031, and one it creates in June.
  for (const [index, day] of [
    '2031-01-10',
    '2031-02-10',
    '2031-03-10',
    '2031-04-10',
    '2031-05-10',
  ].entries()) {
    const confirmationNumber = `LIST-${index + 1}`;
    const put = await mine.put(bookingPath(confirmationNumber), carOn(day, confirmationNumber));
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    tripOf[confirmationNumber] = put.body.booking.tripId;
  }
  const created = await mine.post(trips(), {
    itinerary: {
      tripName: 'Created in June',
      startDateLocal: '2031-06-01T08:00:00',
      endDateLocal: '2031-06-03T20:00:00',
      bookings: [
        {
          bookingSource: 'DemoSupplier',
          recordLocator: 'CREATED-LOC',
          ...carBooking({}, { startDateLocal: '2031-06-01T12:00:00', endDateLocal: '2031-06-02T12:00:00' }),
        },
      ],
    },
    traveler: { loginId: TRAVELER },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  createdTripId = created.body.tripId;
  // The other supplier: a booking in the demo supplier's March trip (shared), and a trip of its own in July.
  expect((await theirs.put(bookingPath('THEIRS-SHARED'), carOn('2031-03-10', 'THEIRS-SHARED'))).status).toBe(
    201,
  );
  expect((await theirs.put(bookingPath('THEIRS-OWN'), carOn('2031-07-10', 'THEIRS-OWN'))).status).toBe(201);
  theirTripId = await tripIdOfBooking(theirs, 'THEIRS-OWN');
});
afterAll(() => gateway.close());

describe('the trip list from the gateway’s records', () => {
  it('lists every trip of the supplier with its name, dates, traveler and own bookings, without calling Concur', async () => {
    const before = concurCalls();
    const answer = await mine.get(trips());
    expect(concurCalls()).toBe(before);
    expect(answer.status).toBe(200);
    expect(answer.body.concur).toEqual({ attempts: 0 });
    expect(answer.body.nextCursor).toBeUndefined();
    const listed = answer.body.trips as Listed[];
    expect(listed.map((trip) => trip.tripId).sort()).toEqual(
      [...Object.values(tripOf), createdTripId].sort(),
    );
    const march = listed.find((trip) => trip.tripId === tripOf['LIST-3'])!;
    expect(march).toEqual({
      tripId: tripOf['LIST-3'],
      tripName: expect.any(String),
      startDateLocal: expect.stringMatching(/^2031-03-10T/),
      endDateLocal: expect.stringMatching(/^2031-03-11T/),
      userLoginId: TRAVELER,
      bookingSource: 'DemoSupplier',
      // The shared trip shows the supplier's own booking only: nothing of ListOther's.
      recordLocator: 'LIST-3',
      created: false,
      bookings: [{ confirmationNumber: 'LIST-3', recordLocator: 'LIST-3', status: 'active' }],
    });
    expect(JSON.stringify(listed)).not.toContain('THEIRS');
    expect(JSON.stringify(listed)).not.toContain('ListOther');
    const created = listed.find((trip) => trip.tripId === createdTripId)!;
    expect(created).toMatchObject({
      tripName: 'Created in June',
      startDateLocal: expect.stringMatching(/^2031-06-01T/),
      created: true,
      recordLocator: 'CREATED-LOC',
      bookings: [],
    });
  });

  it('never lists another supplier’s trip; the shared trip is listed for both, each with its own bookings', async () => {
    const listed = (await theirs.get(trips())).body.trips as Listed[];
    expect(listed.map((trip) => trip.tripId).sort()).toEqual([tripOf['LIST-3'], theirTripId].sort());
    const shared = listed.find((trip) => trip.tripId === tripOf['LIST-3'])!;
    expect(shared.recordLocator).toBe('THEIRS-SHARED');
    expect(shared.bookings.map((booking) => booking.confirmationNumber)).toEqual(['THEIRS-SHARED']);
    const ours = (await mine.get(trips())).body.trips as Listed[];
    expect(ours.map((trip) => trip.tripId)).not.toContain(theirTripId);
  });

  it('pages through more than one page with the cursor: every trip once, no call to Concur', async () => {
    const before = concurCalls();
    const { listed, pages } = await allPages(mine, '', 2);
    expect(concurCalls()).toBe(before);
    expect(pages).toBe(3);
    const ids = listed.map((trip) => trip.tripId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual([...Object.values(tripOf), createdTripId].sort());
  });

  it('keeps the trips ongoing between startDate and endDate', async () => {
    const before = concurCalls();
    const ongoing = async (query: string) =>
      ((await mine.get(`${trips()}?${query}`)).body.trips as Listed[]).map((trip) => trip.tripId).sort();
    expect(await ongoing('startDate=2031-02-11&endDate=2031-04-10')).toEqual(
      [tripOf['LIST-2'], tripOf['LIST-3'], tripOf['LIST-4']].sort(),
    );
    expect(await ongoing('startDate=2031-05-11')).toEqual([tripOf['LIST-5'], createdTripId].sort());
    expect(await ongoing('endDate=2031-01-31')).toEqual([tripOf['LIST-1']]);
    expect(await ongoing('startDate=2032-01-01')).toEqual([]);
    // Filters and paging together: the same trips, one at a time.
    const { listed } = await allPages(mine, 'startDate=2031-02-11&endDate=2031-04-10', 1);
    expect(listed.map((trip) => trip.tripId).sort()).toEqual(
      [tripOf['LIST-2'], tripOf['LIST-3'], tripOf['LIST-4']].sort(),
    );
    const reversed = await mine.get(`${trips()}?startDate=2031-05-01&endDate=2031-04-01`);
    expect(reversed.status).toBe(400);
    expect(reversed.body.errors[0].path).toBe('endDate');
    expect(concurCalls()).toBe(before);
  });

  it('shows a cancelled booking as cancelled, in the trip that holds it', async () => {
    expect((await mine.post(`${bookingPath('LIST-1')}/cancel`)).status).toBe(200);
    const listed = (await mine.get(`${trips()}?endDate=2031-01-31`)).body.trips as Listed[];
    expect(listed).toHaveLength(1);
    expect(listed[0]!.bookings).toEqual([
      { confirmationNumber: 'LIST-1', recordLocator: 'LIST-1', status: 'cancelled' },
    ]);
  });

  it('refuses a cursor of another supplier, another company, other filters, or an altered one (400 cursor)', async () => {
    const first = await mine.get(`${trips()}?limit=1`);
    const cursor = first.body.nextCursor as string;
    expect(cursor).toEqual(expect.any(String));
    const theirCursor = (await theirs.get(`${trips()}?limit=1`)).body.nextCursor as string;
    const [payload, digest] = cursor.split('.') as [string, string];
    const flipped = `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}.${digest}`;
    const forged = `${Buffer.from(JSON.stringify(['r', 'someone-else', 'BOOKING#X'])).toString('base64url')}.${digest}`;
    const before = concurCalls();
    const refusals = [
      await mine.get(`${trips()}?limit=1&cursor=${encodeURIComponent(theirCursor)}`),
      await theirs.get(`${trips()}?limit=1&cursor=${encodeURIComponent(cursor)}`),
      await theirs.get(`${trips(SECOND_COMPANY)}?limit=1&cursor=${encodeURIComponent(theirCursor)}`),
      await mine.get(`${trips()}?limit=1&startDate=2031-01-01&cursor=${encodeURIComponent(cursor)}`),
      await mine.get(`${trips()}?limit=1&traveler=${TRAVELER}&cursor=${encodeURIComponent(cursor)}`),
      await mine.get(`${trips()}?limit=1&cursor=${encodeURIComponent(flipped)}`),
      await mine.get(`${trips()}?limit=1&cursor=${encodeURIComponent(forged)}`),
      await mine.get(`${trips()}?limit=1&cursor=nonsense`),
    ];
    for (const answer of refusals) {
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.errors.map((error: { path: string }) => error.path)).toEqual(['cursor']);
    }
    // Longer than any query value the API takes: refused before it reaches the listing.
    expect((await mine.get(`${trips()}?limit=1&cursor=${'x'.repeat(600)}`)).status).toBe(400);
    expect(concurCalls()).toBe(before);
    // The genuine cursor still works: the next page, and a trip not on the first.
    const second = await mine.get(`${trips()}?limit=1&cursor=${encodeURIComponent(cursor)}`);
    expect(second.status).toBe(200);
    expect(second.body.trips[0].tripId).not.toBe(first.body.trips[0].tripId);
  });
});

describe('a cursor forged with the scheme’s own digest', () => {
  // Anyone can read how the digest is made: a forged cursor must still reach nothing but the caller's own
  // records, and never hand DynamoDB an invalid start key.
  const forge = (fields: string[], bookingSource = 'DemoSupplier') => {
    const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
    const scope = JSON.stringify([COMPANY, bookingSource, null, null, null]);
    const digest = createHash('sha256').update(scope).update('\n').update(payload).digest('base64url');
    return encodeURIComponent(`${payload}.${digest.slice(0, 22)}`);
  };

  it('is refused when its key is not one the listing writes, and otherwise stays within the caller’s records', async () => {
    for (const fields of [
      ['r', 'T', ''],
      ['r', '', 'BOOKING#X'],
      ['r', 'T', 'APIKEY#abc'],
      ['x', 'T', 'BOOKING#X'],
    ]) {
      const answer = await mine.get(`${trips()}?cursor=${forge(fields)}`);
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.body.errors[0].path).toBe('cursor');
    }
    const genuine = forge(['r', theirTripId, 'BOOKING#THEIRS-OWN']);
    const answer = await mine.get(`${trips()}?cursor=${genuine}`);
    expect(answer.status).toBe(200);
    expect(JSON.stringify(answer.body)).not.toContain('THEIRS');
    expect(answer.body.trips.map((trip: Listed) => trip.tripId)).not.toContain(theirTripId);
  });
});

describe('one traveler’s trips at Concur (?traveler=)', () => {
  const listRequests = () => gateway.simulator!.requests.of('tripList');

  it('asks Concur for that traveler one calendar month at a time, and lists only the supplier’s trips', async () => {
    const before = listRequests().length;
    const answer = await mine.get(
      `${trips()}?traveler=${encodeURIComponent(TRAVELER)}&startDate=2031-02-05&endDate=2031-04-15`,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const sent = listRequests().slice(before);
    expect(sent.map((request) => [request.query.startDate, request.query.endDate])).toEqual([
      ['2031-02-01', '2031-02-28'],
      ['2031-03-01', '2031-03-31'],
      ['2031-04-01', '2031-04-30'],
    ]);
    for (const request of sent) {
      expect(request.query).toMatchObject({ userid_type: 'login_id', userid_value: TRAVELER });
      expect(request.status).toBe(200);
    }
    expect(answer.body.concur.attempts).toBe(3);
    const listed = answer.body.trips as Listed[];
    // Concur's list, by start date, cut to the range and to the supplier's trips (the demo supplier's January
    // and May trips are outside the range; nothing of ListOther's shows in the shared one).
    expect(listed.map((trip) => trip.tripId)).toEqual([tripOf['LIST-2'], tripOf['LIST-3'], tripOf['LIST-4']]);
    expect(listed[1]).toMatchObject({
      tripId: tripOf['LIST-3'],
      userLoginId: TRAVELER,
      recordLocator: 'LIST-3',
      tripStatus: expect.any(Number),
      bookings: [{ confirmationNumber: 'LIST-3', recordLocator: 'LIST-3', status: 'active' }],
    });
    expect(JSON.stringify(listed)).not.toContain('THEIRS');
  });

  it('answers a repeat within 10 minutes, and its next pages, from the kept answers: no second call', async () => {
    const before = listRequests().length;
    const query = `traveler=${encodeURIComponent(TRAVELER)}&startDate=2031-02-05&endDate=2031-04-15`;
    const { listed, pages } = await allPages(mine, query, 1);
    expect(pages).toBe(3);
    expect(listed.map((trip) => trip.tripId)).toEqual([tripOf['LIST-2'], tripOf['LIST-3'], tripOf['LIST-4']]);
    expect(listRequests().length).toBe(before);
    // Another supplier of the company asking about the same traveler and months is served the same way.
    const theirAnswer = await theirs.get(`${trips()}?${query}`);
    expect((theirAnswer.body.trips as Listed[]).map((trip) => trip.tripId)).toEqual([tripOf['LIST-3']]);
    expect(listRequests().length).toBe(before);
  });

  it('refuses a range of more than 12 calendar months before calling Concur', async () => {
    const before = concurCalls();
    const answer = await mine.get(
      `${trips()}?traveler=${encodeURIComponent(TRAVELER)}&startDate=2031-01-15&endDate=2032-01-01`,
    );
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { path: 'endDate', message: expect.stringContaining('12 calendar months') },
    ]);
    expect(concurCalls()).toBe(before);
    const twelve = await mine.get(
      `${trips()}?traveler=${encodeURIComponent(TRAVELER)}&startDate=2031-01-01&endDate=2031-12-31`,
    );
    expect(twelve.status).toBe(200);
  });

  it('refuses ALL as a traveler, in any spelling, without calling Concur', async () => {
    const before = concurCalls();
    for (const traveler of ['ALL', 'all', 'aLl']) {
      const answer = await mine.get(`${trips()}?traveler=${traveler}`);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].path).toBe('traveler');
    }
    expect(concurCalls()).toBe(before);
  });
});

describe('the simulator’s request log', () => {
  it('holds no request that carried userid_value=ALL', () => {
    const entries = gateway.simulator!.requests.entries;
    expect(entries.length).toBeGreaterThan(20);
    const lists = entries.filter((entry) => entry.route === 'tripList');
    expect(lists.length).toBeGreaterThan(0);
    for (const entry of entries) {
      expect(entry.query.userid_value?.trim().toUpperCase()).not.toBe('ALL');
      expect(decodeURIComponent(entry.path).toUpperCase()).not.toContain('USERID_VALUE=ALL');
    }
    // Every list names one traveler.
    for (const entry of lists) expect(entry.query.userid_value).toBe(TRAVELER);
  });
});
