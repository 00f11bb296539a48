/**
 * Fuzz of every route of the route table (so routes added later are fuzzed too): odd path parameters, query
 * values, headers and bodies, sent over HTTP to the local gateway with a valid API key. Whatever comes in,
 * the answer is never a 5xx, and every refusal is problem+json. Prints the counts. Then hostile requests on
 * every route (bodies past every limit, nesting thousands deep, oversized headers) after which the server
 * still answers, and input Concur would refuse, refused with its field's path before any call to Concur.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/http/routes';
import { COMPANY, TRAVELER, api, bookingPath, carBooking, startTestGateway } from '../gateway/support';

const RUNS = 5_000;
const CONCURRENCY = 16;

let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.close());

/** Path segments an attacker would try: too long, encoded controls, malformed encoding, prototype names. */
const pathSegment = fc.oneof(
  fc.constant(COMPANY),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'toString',
    '%0A',
    '%00',
    '%E0%A4%A',
    '%',
    '%2F..%2F',
    'x'.repeat(1100),
    '%C3%A9'.repeat(600),
    'F16726AIUS',
  ),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
);

const queryValue = fc.oneof(
  fc.constantFrom('', 'zzz', '2027-01-01', '2027-02-30', 'true', '-1', '0', '99999', '%E0%A4%A', '%0A'),
  fc.string({ maxLength: 30 }).map(encodeURIComponent),
  fc.constant('q'.repeat(2000)),
);
const queryName = fc.constantFrom(
  'traveler',
  'startDate',
  'endDate',
  'createdAfterDate',
  'createdBeforeDate',
  'lastModifiedDate',
  'bookingType',
  'includeCanceledTrips',
  'limit',
  'cursor',
  'profile',
  '__proto__',
  'constructor',
);

const jsonLeaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
/** Bodies near valid ones (so validation goes deep) and far from them. */
const body = fc.oneof(
  fc.record({
    booking: fc.oneof(
      fc.constant(carBooking()),
      fc.record({
        segments: fc.array(fc.dictionary(fc.string({ maxLength: 12 }), jsonLeaf), { maxLength: 3 }),
      }),
      jsonLeaf,
    ),
    traveler: fc.oneof(
      fc.constant({ loginId: TRAVELER }),
      fc.record({ loginId: jsonLeaf }),
      // Resolved through Concur's Identity search: a known email, odd emails and odd employee ids.
      fc.constant({ email: 'chris.miller@example.com' }),
      fc.record({ email: jsonLeaf }),
      fc.record({ employeeId: jsonLeaf }),
    ),
    tripId: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('\u0000')), { nil: undefined }),
  }),
  fc.record({
    itinerary: fc.oneof(
      fc.record({
        tripName: jsonLeaf,
        startDateLocal: jsonLeaf,
        bookings: fc.array(jsonLeaf, { maxLength: 2 }),
      }),
      jsonLeaf,
    ),
    traveler: fc.record({ loginId: jsonLeaf }),
  }),
  fc.json({ maxDepth: 3 }).map((text) => JSON.parse(text) as unknown),
  fc.constant({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }),
);
const rawBody = fc.oneof(
  body.map((value) => JSON.stringify(value) ?? ''),
  fc.string({ maxLength: 50 }),
  fc.constantFrom('', '{', '[]', 'null', '"x"', '{"a":'),
);

const headers = fc.record(
  {
    'content-type': fc.constantFrom('application/json', 'text/plain', 'application/problem+json', ''),
    'idempotency-key': fc.oneof(fc.uuid(), fc.constantFrom('a,b', '', ' ', 'k'.repeat(300))),
    prefer: fc.constantFrom('respond-async', 'return=minimal', ''),
  },
  { requiredKeys: ['content-type'] },
);

const request = fc.record({
  route: fc.constantFrom(...routes),
  segments: fc.array(pathSegment, { minLength: 4, maxLength: 4 }),
  query: fc.array(fc.tuple(queryName, queryValue), { maxLength: 3 }),
  headers,
  body: fc.option(rawBody, { nil: undefined }),
});
type FuzzRequest = typeof request extends fc.Arbitrary<infer T> ? T : never;

function pathOf(sample: FuzzRequest): string {
  let index = 0;
  return sample.route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'companyId' && index++ % 2 === 0 ? COMPANY : sample.segments[index++ % 4]!,
  );
}

describe('fuzz of every route', () => {
  it(`answers ${RUNS} odd requests without a 5xx, every refusal as problem+json`, async () => {
    const samples = fc.sample(request, { numRuns: RUNS, seed: 20_261_129 });
    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    const send = async (sample: FuzzRequest) => {
      const query = sample.query.map(([name, value]) => `${name}=${value}`).join('&');
      const url = `${gateway.url}${pathOf(sample)}${query ? `?${query}` : ''}`;
      const withBody = sample.route.method !== 'GET' && sample.body !== undefined;
      let response: Response;
      try {
        response = await fetch(url, {
          method: sample.route.method,
          headers: {
            authorization: `Bearer ${gateway.apiKey}`,
            ...Object.fromEntries(Object.entries(sample.headers).filter(([, v]) => v !== '')),
          },
          ...(withBody ? { body: sample.body } : {}),
        });
      } catch {
        // fetch itself refuses some URLs (e.g. a lone %); nothing reached the gateway.
        return;
      }
      const text = await response.text();
      byStatus.set(response.status, (byStatus.get(response.status) ?? 0) + 1);
      const contentType = response.headers.get('content-type') ?? '';
      if (response.status >= 500)
        failures.push(`${response.status} ${sample.route.method} ${url}: ${text.slice(0, 200)}`);
      else if (response.status >= 400 && !contentType.startsWith('application/problem+json'))
        failures.push(`${response.status} without problem+json: ${sample.route.method} ${url}`);
    };
    const queue = [...samples];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await send(next);
      }),
    );
    const total = [...byStatus.values()].reduce((a, b) => a + b, 0);
    console.log(
      `fuzz: ${total} requests over ${routes.length} routes; by status ${JSON.stringify(Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)))}; ${failures.length} failures`,
    );
    expect(failures).toEqual([]);
    expect(total).toBeGreaterThanOrEqual(RUNS * 0.95);
  }, 300_000);
});

/** Sends a request with raw Node HTTP, so that any body size and header goes out as given. */
function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<{ status: number; contentType: string; text: string }> {
  const url = new URL(gateway.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, contentType: String(res.headers['content-type']), text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

const concretePath = (path: string) =>
  path
    .replace('{companyId}', COMPANY)
    .replace('{supplierId}', 'demo-supplier')
    .replace('{operationId}', 'op_00000000000000000000000000')
    .replace('{asset}', 'swagger-ui.css')
    .replace(/\{\w+\}/g, 'HOSTILE-1');

describe('hostile requests on every route', () => {
  it('bodies past every limit, 10,000 levels of nesting and oversized headers: 4xx problem+json, and the server lives on', async () => {
    const auth = { authorization: `Bearer ${gateway.apiKey}`, 'content-type': 'application/json' };
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    const deepInBody = `{"booking":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)},"itinerary":${deep}}`;
    const huge = Buffer.alloc(7 * 1024 * 1024, 'a');
    const failures: string[] = [];
    const expectRefusal = (what: string, answer: { status: number; contentType: string; text: string }) => {
      if (
        answer.status < 400 ||
        answer.status >= 500 ||
        !answer.contentType.startsWith('application/problem+json')
      )
        failures.push(`${what} → ${answer.status} ${answer.contentType}: ${answer.text.slice(0, 120)}`);
    };
    for (const route of routes) {
      const path = concretePath(route.path);
      const what = `${route.method} ${route.path}`;
      if (route.method !== 'GET') {
        expectRefusal(`${what} with 7 MiB`, await send(route.method, path, auth, huge));
        for (const prefer of [{}, { prefer: 'respond-async' }] as Record<string, string>[]) {
          for (const body of [deep, deepInBody]) {
            const answer = await send(route.method, path, { ...auth, ...prefer }, body);
            expectRefusal(`${what} nested 10,000 deep ${JSON.stringify(prefer)}`, answer);
            if (!route.signed && route.authenticated && answer.status !== 400)
              failures.push(`${what} nested 10,000 deep → ${answer.status}, not 400`);
          }
        }
      }
      expectRefusal(
        `${what} with 20 KiB of headers`,
        await send(route.method, path, { ...auth, 'x-big': 'h'.repeat(20_000) }),
      );
    }
    expect(failures).toEqual([]);
    const health = await fetch(`${gateway.url}/health`);
    expect(health.status).toBe(200);
  }, 120_000);

  it('input Concur would refuse is a 400 naming the field, before any call to Concur', async () => {
    const client = api(gateway, gateway.apiKey);
    const booking = (segment: Record<string, unknown> = {}, fields: Record<string, unknown> = {}) => ({
      booking: carBooking(fields, { confirmationNumber: 'HOSTILE-OK', ...segment }),
      traveler: { loginId: TRAVELER },
    });
    const tripBooking = (recordLocator: string) => ({
      recordLocator,
      ...carBooking({}, { confirmationNumber: recordLocator }),
    });
    const trip = (bookings: unknown[]) => ({
      itinerary: {
        tripName: 'Hostile',
        startDateLocal: '2027-03-21T08:00:00',
        endDateLocal: '2027-03-23T20:00:00',
        bookings,
      },
      traveler: { loginId: TRAVELER },
    });
    const trips = `/v1/companies/${COMPANY}/trips`;
    const cases: [
      string,
      () => Promise<{ status: number; body: { errors?: { path: string }[] } }>,
      string,
    ][] = [
      [
        'a confirmation number of one space',
        () => client.put(bookingPath(' '), booking()),
        'path.confirmationNumber',
      ],
      [
        'a blank record locator',
        () => client.put(bookingPath('HOSTILE-2'), booking({}, { recordLocator: '  ' })),
        'booking.recordLocator',
      ],
      [
        'a blank segment confirmation number',
        () => client.put(bookingPath('HOSTILE-3'), booking({ confirmationNumber: ' ' })),
        'booking.segments[0].confirmationNumber',
      ],
      [
        'a trip with the same booking twice',
        () => client.post(trips, trip([tripBooking('HOSTILE-T1'), tripBooking('HOSTILE-T1')])),
        'itinerary.bookings[1].recordLocator',
      ],
      [
        'a trip booking with a blank record locator',
        () => client.post(trips, trip([tripBooking(' ')])),
        'itinerary.bookings[0].recordLocator',
      ],
      [
        'the same, answered asynchronously',
        () =>
          client.post(trips, trip([tripBooking('HOSTILE-T2'), tripBooking('HOSTILE-T2')]), {
            prefer: 'respond-async',
          }),
        'itinerary.bookings[1].recordLocator',
      ],
      [
        'its dry run',
        () => client.post('/v1/translate/trip', trip([tripBooking('HOSTILE-T3'), tripBooking('HOSTILE-T3')])),
        'itinerary.bookings[1].recordLocator',
      ],
    ];
    const before = gateway.simulator!.requests.entries.length;
    for (const [what, call, path] of cases) {
      const answer = await call();
      expect({ what, status: answer.status, paths: answer.body.errors?.map((e) => e.path) }).toEqual({
        what,
        status: 400,
        paths: expect.arrayContaining([path]),
      });
    }
    expect(gateway.simulator!.requests.entries.length).toBe(before);
  }, 60_000);
});
