/**
 * Idempotency-Key proof, the way it breaks: dozens of identical requests at once per key, through the local
 * server and dynalite, with Concur's calls counted at the simulator. Each key runs once; every other answer
 * is the stored one (`Idempotent-Replayed: true`) or 409 while the first still runs; never a 5xx. A key reused
 * with another body is 422 and destroys nothing. Keys belong to their supplier.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPANY,
  TRAVELER,
  addSupplier,
  api,
  bookingPath,
  carBooking,
  startTestGateway,
} from '../gateway/support';
import type { Answer } from '../gateway/support';
import { awaitOperation } from '../events/support';
import type { ApiRoute } from '../../shared/sandbox/fault-rules';

const KEYS = 8;
const COPIES = 16;

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1 } });
  client = api(gateway, gateway.apiKey);
}, 60_000);
afterAll(() => gateway?.close());

const bookingBody = (confirmationNumber: string, notes = 'first') => ({
  booking: carBooking({}, { confirmationNumber, notes }),
  traveler: { loginId: TRAVELER },
});
const tripBody = (name: string, day: string) => ({
  itinerary: {
    tripName: name,
    startDateLocal: `2031-02-${day}T08:00:00`,
    endDateLocal: `2031-02-${day}T20:00:00`,
    bookings: [
      {
        recordLocator: `LOC-${name}`,
        ...carBooking(
          {},
          {
            confirmationNumber: `LOC-${name}`,
            startDateLocal: `2031-02-${day}T09:00:00`,
            endDateLocal: `2031-02-${day}T19:00:00`,
          },
        ),
      },
    ],
  },
  traveler: { loginId: TRAVELER },
});

/** Concur calls of one operation whose body mentions `text`. */
const concurCalls = (route: ApiRoute, text: string) =>
  gateway.simulator!.requests.of(route).filter((entry) => entry.body.includes(text)).length;

/** Sends `COPIES` identical requests at once; checks the answers' shape and returns them. */
async function burst(send: () => Promise<Answer>, expectedStatus: number): Promise<Answer[]> {
  const answers = await Promise.all(Array.from({ length: COPIES }, send));
  const statuses = answers.map((answer) => answer.status);
  expect(statuses.filter((status) => status !== expectedStatus && status !== 409)).toEqual([]);
  const fresh = answers.filter(
    (answer) => answer.status === expectedStatus && answer.headers.get('idempotent-replayed') !== 'true',
  );
  expect(fresh).toHaveLength(1);
  for (const answer of answers) {
    if (answer.status === 409) {
      expect(answer.body.type).toBe('urn:concur-gateway:problem:idempotency-in-progress');
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    } else expect(answer.body).toEqual(fresh[0]!.body);
  }
  return answers;
}

describe('Idempotency-Key under concurrent retries', () => {
  it(`booking PUT: ${COPIES} identical requests at once for each of ${KEYS} keys post once per key`, async () => {
    await Promise.all(
      Array.from({ length: KEYS }, async (_, i) => {
        const confirmationNumber = `IDEM-PUT-${i}`;
        const headers = { 'idempotency-key': `put-key-${i}` };
        await burst(
          () => client.put(bookingPath(confirmationNumber), bookingBody(confirmationNumber), headers),
          201,
        );
        // Once the first has finished, every copy is the stored answer.
        const again = await client.put(
          bookingPath(confirmationNumber),
          bookingBody(confirmationNumber),
          headers,
        );
        expect(again.status).toBe(201);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
      }),
    );
    for (let i = 0; i < KEYS; i++) expect(concurCalls('bookingPost', `IDEM-PUT-${i}<`)).toBe(1);
  }, 120_000);

  it(`trip create: ${COPIES} identical requests at once for each of ${KEYS} keys create one trip per key`, async () => {
    await Promise.all(
      Array.from({ length: KEYS }, async (_, i) => {
        const name = `IdemTrip${i}`;
        const headers = { 'idempotency-key': `trip-key-${i}` };
        const body = tripBody(name, String(10 + i));
        await burst(() => client.post(`/v1/companies/${COMPANY}/trips`, body, headers), 201);
      }),
    );
    for (let i = 0; i < KEYS; i++) expect(concurCalls('tripCreate', `IdemTrip${i}<`)).toBe(1);
  }, 120_000);

  it(`Prefer: respond-async: ${COPIES} identical requests at once per key accept one operation, applied once`, async () => {
    const accepted = await Promise.all(
      Array.from({ length: KEYS }, async (_, i) => {
        const confirmationNumber = `IDEM-ASYNC-${i}`;
        const headers = { 'idempotency-key': `async-key-${i}`, prefer: 'respond-async' };
        const answers = await burst(
          () => client.put(bookingPath(confirmationNumber), bookingBody(confirmationNumber), headers),
          202,
        );
        return answers.find((answer) => answer.status === 202)!;
      }),
    );
    for (const answer of accepted) {
      const done = await awaitOperation(gateway, gateway.apiKey, answer.body.operation.href);
      expect(done.body.operation.status).toBe('succeeded');
    }
    for (let i = 0; i < KEYS; i++) expect(concurCalls('bookingPost', `IDEM-ASYNC-${i}<`)).toBe(1);
  }, 120_000);

  it('a key reused with another body is 422 and destroys nothing: the first body still gets its stored answer', async () => {
    for (const async of [false, true]) {
      const prefer: Record<string, string> = async ? { prefer: 'respond-async' } : {};
      const confirmationNumber = async ? 'IDEM-REUSE-ASYNC' : 'IDEM-REUSE';
      const headers = { 'idempotency-key': `reuse-${confirmationNumber}`, ...prefer };
      const path = bookingPath(confirmationNumber);
      const first = await client.put(path, bookingBody(confirmationNumber, 'body X'), headers);
      expect(first.status).toBe(async ? 202 : 201);
      if (async) await awaitOperation(gateway, gateway.apiKey, first.body.operation.href);
      const other = await client.put(path, bookingBody(confirmationNumber, 'body Y'), headers);
      expect(other.status).toBe(422);
      expect(other.body.type).toBe('urn:concur-gateway:problem:idempotency-key-reused');
      const again = await client.put(path, bookingBody(confirmationNumber, 'body X'), headers);
      expect(again.status).toBe(first.status);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(concurCalls('bookingPost', `${confirmationNumber}<`)).toBe(1);
    }
  }, 60_000);

  it('a key reused with another body while the first runs is 422 or 409, and the first still completes once', async () => {
    const path = bookingPath('IDEM-RACE');
    const headers = { 'idempotency-key': 'race-key' };
    const answers = await Promise.all(
      Array.from({ length: COPIES }, (_, i) =>
        client.put(path, bookingBody('IDEM-RACE', i % 2 === 0 ? 'body X' : 'body Y'), headers),
      ),
    );
    const ran = answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') !== 'true');
    expect(ran).toHaveLength(1);
    expect(answers.map((a) => a.status).filter((s) => ![201, 409, 422].includes(s))).toEqual([]);
    expect(concurCalls('bookingPost', 'IDEM-RACE<')).toBe(1);
  }, 60_000);

  it('a first attempt that fails frees its key without a 500 for the copies racing it; the retry runs once', async () => {
    const path = bookingPath('IDEM-FAIL');
    const headers = { 'idempotency-key': 'fail-key' };
    gateway.simulator!.faults.setLatency({ route: 'bookingPost', ms: 200 });
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'status', status: 400, message: 'refused' }, 1);
    try {
      const answers = await Promise.all(
        Array.from({ length: COPIES }, () => client.put(path, bookingBody('IDEM-FAIL'), headers)),
      );
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status >= 500 && status !== 502)).toEqual([]);
      expect(statuses.filter((status) => ![201, 409].includes(status))).toHaveLength(1);
      expect(
        answers.filter((a) => a.status === 201 && a.headers.get('idempotent-replayed') !== 'true').length,
      ).toBeLessThanOrEqual(1);
    } finally {
      gateway.simulator!.faults.clear();
    }
    const retried = await client.put(path, bookingBody('IDEM-FAIL'), headers);
    expect(retried.status).toBe(201);
    const accepted = gateway
      .simulator!.requests.of('bookingPost')
      .filter((entry) => entry.body.includes('IDEM-FAIL<') && entry.status === 200);
    expect(accepted).toHaveLength(1);
  }, 60_000);

  it('a key belongs to its supplier: another supplier’s identical request runs as its own', async () => {
    const otherKey = await addSupplier('idem-other', 'IdemOtherSource', [COMPANY]);
    const other = api(gateway, otherKey);
    const headers = { 'idempotency-key': 'shared-key' };
    const path = bookingPath('IDEM-SCOPE');
    const mine = await client.put(path, bookingBody('IDEM-SCOPE'), headers);
    expect(mine.status).toBe(201);
    const theirs = await other.put(path, bookingBody('IDEM-SCOPE'), headers);
    expect(theirs.status).toBe(201);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.body.booking.bookingSource ?? theirs.body.booking.supplierId).not.toBe(
      mine.body.booking.bookingSource ?? mine.body.booking.supplierId,
    );
    expect(concurCalls('bookingPost', 'IDEM-SCOPE<')).toBe(2);
  }, 60_000);
});
