/**
 * Limits everywhere: what is too large, too long or not text is refused early with 400/413 problem+json,
 * never stored and never sent to Concur; the local server's edges answer 4xx, never 5xx.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPANY, TRAVELER, api, bookingPath, carBooking, startTestGateway } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = api(gateway, gateway.apiKey);
});
afterAll(() => gateway.close());

const trips = `/v1/companies/${COMPANY}/trips`;
const concurCalls = () => gateway.simulator!.requests.entries.length;

/** Sends raw bytes (a path fetch would normalise, repeated headers). */
function raw(path: string, headers: [string, string][] = [], method = 'GET') {
  const url = new URL(gateway.url);
  return new Promise<{ status: number; contentType: string; body: string }>((resolve, reject) => {
    const flat = [['host', url.host] as [string, string], ...headers].flat();
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers: flat }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, contentType: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

const expectProblem = (answer: { status: number; headers: Headers }, status: number) => {
  expect(answer.status).toBe(status);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
};

describe('limits on what reaches Concur and DynamoDB', () => {
  it('refuses a confirmation number too long for a DynamoDB key with 400, without calling Concur', async () => {
    const before = concurCalls();
    const answer = await client.put(bookingPath('X'.repeat(1020)), {
      booking: { ...carBooking(), recordLocator: 'SHORT' },
      traveler: { loginId: TRAVELER },
    });
    expectProblem(answer, 400);
    expect(answer.body.errors).toEqual([{ path: 'path.confirmationNumber', message: expect.any(String) }]);
    expectProblem(await client.get(bookingPath('é'.repeat(600))), 400);
    expect(concurCalls()).toBe(before);
  });

  it('refuses a path id holding a control character and query values Concur would refuse', async () => {
    const before = concurCalls();
    expectProblem(await client.get(`${trips}/%0A`), 400);
    const badDate = await client.get(`${trips}?startDate=zzz`);
    expectProblem(badDate, 400);
    expect(badDate.body.errors[0].path).toBe('startDate');
    const unknownFilter = await client.get(`${trips}?lastModifiedDate=2027-01-01`);
    expectProblem(unknownFilter, 400);
    expect(JSON.stringify(unknownFilter.body.errors)).toContain('lastModifiedDate');
    expectProblem(await client.get(`${trips}?traveler=ALL`), 400);
    expectProblem(await client.get(`${trips}?traveler=`), 400);
    expectProblem(await client.get(`${trips}?traveler=a%07b`), 400);
    expect(concurCalls()).toBe(before);
  });

  it('refuses a 1.9 MB vendor with 413 and a 300-character one with 400 naming the field; nothing is stored', async () => {
    const before = concurCalls();
    const huge = await client.put(bookingPath('HUGE-VENDOR'), {
      booking: carBooking({}, { vendor: 'V'.repeat(1_900_000) }),
      traveler: { loginId: TRAVELER },
    });
    expectProblem(huge, 413);
    const long = await client.put(bookingPath('LONG-VENDOR'), {
      booking: carBooking({}, { vendor: 'V'.repeat(300) }),
      traveler: { loginId: TRAVELER },
    });
    expectProblem(long, 400);
    expect(long.body.errors).toEqual([
      { path: 'booking.segments[0].vendor', message: 'must be at most 255 characters' },
    ]);
    expect(concurCalls()).toBe(before);
    expect((await client.get(bookingPath('HUGE-VENDOR'))).status).toBe(404);
    expect((await client.get(bookingPath('LONG-VENDOR'))).status).toBe(404);
  });

  it('refuses a control character in traveler.loginId, so it is never stored', async () => {
    const before = concurCalls();
    const answer = await client.put(bookingPath('CTRL-LOGIN'), {
      booking: carBooking(),
      traveler: { loginId: 'cm\u0001@example.com' },
    });
    expectProblem(answer, 400);
    expect(answer.body.errors).toEqual([{ path: 'traveler.loginId', message: expect.any(String) }]);
    expect(concurCalls()).toBe(before);
    expect((await client.get(trips)).status).toBe(200);
  });

  it('an idempotent trip create whose answer exceeds DynamoDB’s item limit answers 201, and a retry replays it without a second trip', async () => {
    const segments = Array.from({ length: 250 }, (_, i) => ({
      kind: 'car',
      vendor: 'ZE',
      confirmationNumber: `BIG-${i}`,
      startDateLocal: '2029-01-02T12:00:00',
      endDateLocal: '2029-01-03T12:00:00',
      startCityCode: 'SEA',
      endCityCode: 'SEA',
      notes: 'n'.repeat(1990),
    }));
    const body = {
      itinerary: {
        tripName: 'Big trip',
        startDateLocal: '2029-01-01T08:00:00',
        endDateLocal: '2029-01-05T20:00:00',
        bookings: [{ ...carBooking(), bookingSource: 'DemoSupplier', recordLocator: 'BIG-TRIP', segments }],
      },
      traveler: { loginId: TRAVELER },
    };
    const headers = { 'idempotency-key': 'big-trip-create' };
    const creates = () => gateway.simulator!.requests.of('tripCreate').length;
    const before = creates();
    const first = await client.post(trips, body, headers);
    expect(first.status).toBe(201);
    expect(JSON.stringify(first.body).length).toBeGreaterThan(400_000);
    const replay = await client.post(trips, body, headers);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.headers.get('idempotent-answer-reduced')).toBe('true');
    expect(replay.body.tripId).toBe(first.body.tripId);
    expect(creates()).toBe(before + 1);
  });
});

describe('the local server’s edges', () => {
  it('answers malformed percent-encoding in a path with 400', async () => {
    const answer = await raw(`/v1/companies/${COMPANY}/bookings/%E0%A4%A`, [
      ['authorization', `Bearer ${gateway.apiKey}`],
    ]);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
  });

  it('never reaches an object prototype through an asset name', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', '..%2Fpackage.json']) {
      const answer = await raw(`/docs/assets/${name}`);
      expect(answer.status, name).toBe(404);
      expect(answer.contentType).toContain('application/problem+json');
    }
  });

  it('does not put a caller’s X-Forwarded-Host into /openapi.json’s servers', async () => {
    const answer = await raw('/openapi.json', [
      ['x-forwarded-host', 'evil.example'],
      ['x-forwarded-proto', 'https'],
    ]);
    const servers = JSON.parse(answer.body).servers as { url: string }[];
    expect(servers).toEqual([{ url: gateway.url }]);
  });

  it('refuses a repeated Authorization or Idempotency-Key header with 400', async () => {
    const auth = ['authorization', `Bearer ${gateway.apiKey}`] as [string, string];
    const twiceAuth = await raw(bookingPath('DUP-1'), [auth, ['authorization', 'Bearer someone-else']]);
    expect(twiceAuth.status).toBe(400);
    expect(twiceAuth.contentType).toContain('application/problem+json');
    const twiceKey = await raw(
      bookingPath('DUP-2'),
      [auth, ['idempotency-key', 'a'], ['idempotency-key', 'b'], ['content-type', 'application/json']],
      'PUT',
    );
    expect(twiceKey.status).toBe(400);
  });
});
