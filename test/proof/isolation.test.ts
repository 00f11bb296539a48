/**
 * Isolation proof: two suppliers sharing a company and a traveler. Supplier A books with details that must
 * stay its own; supplier B then calls every route of the route table (so routes added later are covered), with
 * every id of A's and of the shared trip it could name, and valid and invalid bodies. No answer of B's holds
 * A's record locators, names or amounts, and a refused request never reaches Concur (the simulator's request
 * log). Every request naming A's bookings or trips is refused, and B's own requests are answered. Every log line
 * written meanwhile is scanned for secrets. Prints the counts.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { routes } from '../../shared/http/routes';
import {
  COMPANY,
  TRAVELER,
  addSupplier,
  api,
  bookingPath,
  carBooking,
  startTestGateway,
} from '../gateway/support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let supplierA: ReturnType<typeof api>;
let supplierB: ReturnType<typeof api>;
let keyA: string;
let keyB: string;
const written: string[] = [];
const spies: { mockRestore(): void }[] = [];

const SECRETS_OF_A = [
  'A-ISO-LOC',
  'A-ISO-TRIP-LOC',
  'Perpetua',
  'Hiddenfield',
  '4321.98',
  'NOK',
  'IsoSourceA trip',
  'A-ISO-ONLY-LOC',
];

const bookingOfA = (recordLocator: string, day: string) => ({
  booking: {
    ...carBooking(
      { passengers: [{ nameFirst: 'Perpetua', nameLast: 'Hiddenfield' }] },
      {
        startDateLocal: `2030-04-${day}T12:00:00`,
        endDateLocal: `2030-04-${day}T18:00:00`,
        dailyRate: 4321.98,
        currency: 'NOK',
      },
    ),
    recordLocator,
  },
  traveler: { loginId: TRAVELER },
});
const bookingOfB = (day: string) => ({
  booking: carBooking(
    {},
    { startDateLocal: `2030-04-${day}T13:00:00`, endDateLocal: `2030-04-${day}T17:00:00` },
  ),
  traveler: { loginId: TRAVELER },
});
const tripOf = (
  bookingSource: string,
  recordLocator: string,
  own?: { passengers: unknown },
  month = '04',
) => ({
  itinerary: {
    tripName: `${bookingSource} trip`,
    startDateLocal: `2030-${month}-01T08:00:00`,
    endDateLocal: `2030-${month}-28T20:00:00`,
    bookings: [
      {
        bookingSource,
        recordLocator,
        ...carBooking(own ? { passengers: own.passengers } : {}, {
          startDateLocal: `2030-${month}-02T12:00:00`,
          endDateLocal: `2030-${month}-03T12:00:00`,
          ...(own ? { dailyRate: 4321.98, currency: 'NOK' } : {}),
        }),
      },
    ],
  },
  traveler: { loginId: TRAVELER },
});

beforeAll(async () => {
  gateway = await startTestGateway();
  keyA = await addSupplier('iso-a', 'IsoSourceA', [COMPANY]);
  keyB = await addSupplier('iso-b', 'IsoSourceB', [COMPANY]);
  supplierA = api(gateway, keyA);
  supplierB = api(gateway, keyB);
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write.bind(stream);
    spies.push(
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
        written.push(String(chunk));
        return original(chunk, ...rest);
      }) as typeof stream.write),
    );
  }
});
afterAll(async () => {
  for (const spy of spies) spy.mockRestore();
  await gateway.close();
});

describe('isolation of two suppliers sharing a company and a traveler', () => {
  it('B sees none of A’s details in any answer of any route, and refused requests never reach Concur', async () => {
    // A's booking, A's trip; B's booking lands in A's booking's trip (same traveler and dates): a shared trip.
    const a = await supplierA.put(bookingPath('A-ISO-LOC'), bookingOfA('A-ISO-LOC', '10'));
    expect(a.status).toBe(201);
    const aTrip = await supplierA.post(
      `/v1/companies/${COMPANY}/trips`,
      tripOf('IsoSourceA', 'A-ISO-TRIP-LOC', {
        passengers: [{ nameFirst: 'Perpetua', nameLast: 'Hiddenfield' }],
      }),
    );
    expect(aTrip.status).toBe(201);
    const shared = await supplierB.put(bookingPath('B-ISO-SHARED'), bookingOfB('10'));
    expect(shared.body.booking.tripId).toBe(a.body.booking.tripId);
    // Concur files B's booking into the trip A created (the one spanning its dates): its name is A's.
    const filed = await supplierB.put(bookingPath('B-ISO-FILED'), bookingOfB('20'));
    expect(filed.body.booking.tripId).toBe(aTrip.body.tripId);
    // A trip of A's that holds none of B's bookings.
    const aOnly = await supplierA.post(
      `/v1/companies/${COMPANY}/trips`,
      tripOf(
        'IsoSourceA',
        'A-ISO-ONLY-LOC',
        { passengers: [{ nameFirst: 'Perpetua', nameLast: 'Hiddenfield' }] },
        '06',
      ),
    );
    expect(aOnly.status).toBe(201);
    // Log lines worth scanning: a token refresh and a Concur failure answered 502.
    gateway.simulator!.faults.expireAccessToken(COMPANY);
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'malformed-xml' }, 1);
    expect((await supplierB.put(bookingPath('B-ISO-FAIL'), bookingOfB('12'))).status).toBe(502);
    const bTrip = await supplierB.post(`/v1/companies/${COMPANY}/trips`, tripOf('IsoSourceB', 'B-ISO-TRIP'));
    expect(bTrip.status).toBe(201);

    const values: Record<string, string[]> = {
      companyId: [COMPANY],
      confirmationNumber: ['A-ISO-LOC', 'B-ISO-SHARED', 'A-ISO-TRIP-LOC'],
      tripId: [a.body.booking.tripId, aTrip.body.tripId, aOnly.body.tripId, bTrip.body.tripId],
      supplierId: ['iso-a', 'iso-b'],
      operationId: ['00000000-0000-4000-8000-000000000000'],
      asset: ['swagger-ui.css'],
    };
    const bodies = [
      bookingOfB('10'),
      { ...bookingOfB('11'), tripId: aOnly.body.tripId },
      tripOf('IsoSourceB', 'B-ISO-TRIP'),
      {},
    ];
    const queries: Record<string, string[]> = {
      listTrips: ['', `?traveler=${encodeURIComponent(TRAVELER)}&startDate=2030-04-01&endDate=2030-04-30`],
    };
    // What B may reach: its bookings and the trips holding them; A's booking, A's trip holding none of B's, and
    // A's webhook endpoint are out of reach, whatever route names them.
    const ofA = [
      `/bookings/A-ISO-LOC`,
      `/bookings/A-ISO-TRIP-LOC`,
      `/trips/${encodeURIComponent(aOnly.body.tripId)}/`,
      '/webhooks/iso-a',
    ];
    const namesA = (operationId: string, path: string, body: unknown) =>
      ofA.some((part) => `${path}/`.includes(part)) ||
      (operationId === 'putBooking' &&
        (body as { tripId?: string } | undefined)?.tripId === aOnly.body.tripId);
    // B's own reads: answered, never refused.
    const ownReads = new Set([
      bookingPath('B-ISO-SHARED'),
      `/v1/companies/${COMPANY}/trips`,
      ...[a.body.booking.tripId, aTrip.body.tripId, bTrip.body.tripId].map(
        (tripId) => `/v1/companies/${COMPANY}/trips/${encodeURIComponent(tripId)}`,
      ),
    ]);
    let answers = 0;
    let refused = 0;
    const leaks: string[] = [];
    const concurLeaks: string[] = [];
    const answeredThoughOfA: string[] = [];
    const ownRefused: string[] = [];
    for (const route of routes) {
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
      const paths = names.reduce<string[]>(
        (partial, name) =>
          partial.flatMap((path) =>
            (values[name] ?? ['x']).map((value) => path.replace(`{${name}}`, encodeURIComponent(value))),
          ),
        [route.path],
      );
      for (const path of paths.flatMap((p) => (queries[route.operationId] ?? ['']).map((q) => p + q))) {
        for (const body of route.method === 'GET' ? [undefined] : bodies) {
          // B names A's ids in paths (a refusal may echo them back); it never books under them.
          const sent = path + JSON.stringify(body ?? '');
          if (route.method === 'PUT' && SECRETS_OF_A.some((secret) => sent.includes(secret))) continue;
          const before = gateway.simulator!.requests.entries.length;
          const call =
            route.method === 'GET'
              ? supplierB.get(path)
              : route.method === 'PUT'
                ? supplierB.put(path, body)
                : supplierB.post(path, body);
          const answer = await call;
          answers += 1;
          const text = JSON.stringify(answer.body ?? '') + JSON.stringify([...answer.headers]);
          for (const secret of SECRETS_OF_A) {
            if (text.includes(secret) && !sent.includes(secret))
              leaks.push(`${route.method} ${path} → ${answer.status}: ${secret}`);
          }
          const request = `${route.method} ${path} ${JSON.stringify(body ?? '').slice(0, 40)} → ${answer.status}`;
          if (namesA(route.operationId, path, body) && answer.status < 400) answeredThoughOfA.push(request);
          if (route.method === 'GET' && ownReads.has(path.split('?')[0]!) && answer.status !== 200)
            ownRefused.push(request);
          if (answer.status === 403 || answer.status === 404 || answer.status === 400) {
            refused += 1;
            const calls = gateway.simulator!.requests.entries.length - before;
            // A 404 of Concur's own (the trip is gone there) is not a refusal by the gateway.
            if (calls > 0 && answer.body?.type !== 'urn:concur-gateway:problem:concur-not-found')
              concurLeaks.push(`${route.method} ${path} → ${answer.status} after ${calls} Concur calls`);
          }
        }
      }
    }
    console.log(
      `isolation: ${answers} answers to supplier B over ${routes.length} routes, ${refused} refused; ${leaks.length} leaks; ${concurLeaks.length} Concur calls for refused requests`,
    );
    expect(leaks).toEqual([]);
    expect(concurLeaks).toEqual([]);
    expect(answeredThoughOfA).toEqual([]);
    expect(ownRefused).toEqual([]);
    // A still sees its own booking in full.
    expect(
      JSON.stringify(
        (await supplierA.get(`/v1/companies/${COMPANY}/trips/${encodeURIComponent(a.body.booking.tripId)}`))
          .body,
      ),
    ).toContain('A-ISO-LOC');
    // …in its listing and its history, which B's answers above (the same routes) never showed.
    expect(JSON.stringify((await supplierA.get('/v1/bookings')).body)).toContain('A-ISO-LOC');
    const history = await supplierA.get(`${bookingPath('A-ISO-LOC')}/history`);
    expect(history.body.history).toMatchObject([{ action: 'created', recordLocator: 'A-ISO-LOC' }]);
    expect(JSON.stringify((await supplierB.get('/v1/bookings?limit=100')).body)).not.toContain('IsoSourceA');
  }, 120_000);

  it('no log line written during the suite holds a token, an API key or a client secret', async () => {
    const simulator = gateway.simulator!;
    const secrets = [
      simulator.tokens.accessTokenFor(COMPANY),
      simulator.tokens.refreshTokenFor(COMPANY),
      simulator.tokens.clientFor(COMPANY).clientSecret,
      gateway.apiKey,
      keyA,
      keyB,
    ];
    const lines = written.join('').split('\n').filter(Boolean);
    const found = lines.filter((line) => secrets.some((secret) => line.includes(secret)));
    console.log(
      `secrets scan: ${lines.length} log lines, ${secrets.length} secrets, ${found.length} lines with a secret`,
    );
    expect(found).toEqual([]);
  });
});
