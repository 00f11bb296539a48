/**
 * Failure modes against the simulator's faults: each ends in a successful retry or its typed error, with the
 * attempts made and the waits asked for (waits are recorded, never slept).
 */
import { describe, expect, it } from 'vitest';
import { ConcurApiError, connectCompany } from '../../shared/concur-client';
import {
  carBooking,
  contextFor,
  MARCH_2027,
  recordingClient,
  tripWithCar,
  unique,
  useSimulator,
} from './support';

const simulator = useSimulator();
const context = (overrides = {}) => contextFor(simulator(), overrides);

describe('retries', () => {
  it('honours Retry-After on 503 and succeeds on the third attempt', async () => {
    const { client, waits, logs } = recordingClient();
    simulator().faults.failNext('bookingPost', { kind: 'status', status: 503, retryAfter: 1 }, 2);
    const result = await client.postBooking(context(), carBooking(unique('RETRY'), [2, 2]));
    expect(result).toMatchObject({ status: 200, attempts: 3 });
    expect(waits).toEqual([1000, 1000]);
    const retries = logs.filter((line) => line.message === 'concur retry');
    expect(retries.map((line) => line.fields)).toEqual([
      expect.objectContaining({ attempt: 1, status: 503, waitMs: 1000, correlationId: expect.any(String) }),
      expect.objectContaining({ attempt: 2, status: 503, waitMs: 1000 }),
    ]);
  });

  it('backs off with full jitter on 429 without Retry-After', async () => {
    const { client, waits } = recordingClient({ retry: { baseDelayMs: 100, maxDelayMs: 150 } });
    simulator().faults.failNext('tripList', { kind: 'status', status: 429 }, 3);
    const result = await client.listTrips(context(), MARCH_2027);
    expect(result.attempts).toBe(4);
    // random() is 0.5 of min(150, 100 · 2^(n−1)): 50, then 75 twice (capped).
    expect(waits).toEqual([50, 75, 75]);
  });

  it('ends a lasting 429 as rate-limited, with Retry-After in seconds', async () => {
    const { client, waits } = recordingClient({ retry: { maxAttempts: 2 } });
    simulator().faults.failNext('tripList', { kind: 'status', status: 429, retryAfter: 2 }, 5);
    const error = await client.listTrips(context(), MARCH_2027).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(error).toMatchObject({ kind: 'rate-limited', status: 429, attempts: 2, retryAfterSeconds: 2 });
    expect(waits).toEqual([2000]);
  });

  it('gives up on a lasting 500 as unavailable, with the last status and correlation id', async () => {
    const { client, waits } = recordingClient({ retry: { maxAttempts: 3 } });
    simulator().requests.clear();
    simulator().faults.failNext('tripGet', { kind: 'status', status: 500 }, 5);
    const error = await client.getTrip(context(), 'anything').catch((e: unknown) => e);
    const lastCorrelation = simulator().requests.of('tripGet').at(-1)!.correlationId;
    expect(error).toMatchObject({
      kind: 'unavailable',
      status: 500,
      attempts: 3,
      correlationId: lastCorrelation,
    });
    expect(waits).toHaveLength(2);
  });

  it('retries Concur’s transient 400s (database deadlock, request limit), but no other 400', async () => {
    const { client } = recordingClient({ retry: { maxAttempts: 2 } });
    simulator().faults.failNext(
      'bookingPost',
      { kind: 'status', status: 400, message: 'Database DEADLOCK, resend shortly' },
      1,
    );
    expect((await client.postBooking(context(), carBooking(unique('DEADLOCK'), [3, 3]))).attempts).toBe(2);

    simulator().faults.failNext(
      'tripList',
      { kind: 'status', status: 400, message: 'Request limit exceeded' },
      2,
    );
    await expect(client.listTrips(context(), MARCH_2027)).rejects.toMatchObject({
      kind: 'rate-limited',
      status: 400,
      attempts: 2,
    });

    simulator().faults.failNext('tripList', { kind: 'status', status: 400, message: 'Bad startDate' }, 1);
    await expect(client.listTrips(context(), MARCH_2027)).rejects.toMatchObject({
      kind: 'rejected',
      status: 400,
      attempts: 1,
      concurMessage: 'Bad startDate',
    });
  });

  it('re-sends a booking post whose answer was lost: Concur keys bookings, so there is still one', async () => {
    const { client } = recordingClient();
    const locator = unique('LOST');
    simulator().faults.failNext('bookingPost', { kind: 'destroy', commit: true }, 1);
    const result = await client.postBooking(context(), carBooking(locator, [7, 7]));
    expect(result.attempts).toBe(2);
    const holding = simulator()
      .state.trips()
      .filter((trip) => trip.bookings.some((b) => b.booking.recordLocator === locator));
    expect(holding).toHaveLength(1);
  });
});

describe('timeouts and the deadline', () => {
  it('times out attempts that hang, retries, and ends as timed-out', async () => {
    const { client, waits } = recordingClient({ perAttemptTimeoutMs: 100, retry: { maxAttempts: 2 } });
    simulator().requests.clear();
    simulator().faults.failNext('tripList', { kind: 'hang' }, 2);
    const error = await client.listTrips(context(), MARCH_2027).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timed-out', attempts: 2 });
    expect(waits).toHaveLength(1);
    expect(simulator().requests.of('tripList')).toHaveLength(2);
  });

  it('times out a slow answer (latency) and succeeds once Concur is fast again', async () => {
    const { client } = recordingClient({ perAttemptTimeoutMs: 100 });
    simulator().faults.setLatency({ route: 'tripGet', ms: 400 });
    const tripId = (await client.createTrip(context(), tripWithCar(unique('Slow'), [9, 9]))).value
      .itinLocator!;
    await expect(client.getTrip(context(), tripId)).rejects.toMatchObject({ kind: 'timed-out', attempts: 4 });
    simulator().faults.clear();
    expect((await client.getTrip(context(), tripId)).attempts).toBe(1);
  });

  it('takes no wait that would end past the deadline: the call ends with the last error', async () => {
    const { client, waits } = recordingClient();
    simulator().faults.failNext('tripList', { kind: 'status', status: 503, retryAfter: 30 }, 1);
    const error = await client
      .listTrips(context({ deadline: Date.now() + 5_000 }), MARCH_2027)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unavailable', status: 503, attempts: 1, retryAfterSeconds: 30 });
    expect(waits).toEqual([]);
  });

  it('bounds an attempt by the deadline when it is nearer than the per-attempt timeout', async () => {
    const { client, waits } = recordingClient({ perAttemptTimeoutMs: 60_000 });
    simulator().faults.failNext('tripList', { kind: 'hang' }, 1);
    const error = await client
      .listTrips(context({ deadline: Date.now() + 150 }), MARCH_2027)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timed-out', attempts: 1 });
    expect(waits).toEqual([]);
  });
});

describe('unusable answers', () => {
  it.each([
    { kind: 'malformed-xml' as const },
    { kind: 'hostile-xml' as const, variant: 'entity-bomb' as const },
    { kind: 'hostile-xml' as const, variant: 'external-entity' as const },
  ])('reports $kind $variant as malformed-response, not retried', async (action) => {
    const { client } = recordingClient();
    simulator().faults.failNext('tripList', action, 1);
    const error = await client.listTrips(context(), MARCH_2027).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(error).toMatchObject({
      kind: 'malformed-response',
      status: 200,
      attempts: 1,
      correlationId: expect.any(String),
    });
  });
});

describe('the wire', () => {
  it('sends Content-Length and never a chunked body, with or without a body', async () => {
    const { client } = recordingClient();
    simulator().requests.clear();
    const locator = unique('LENGTH');
    await client.postBooking(context(), carBooking(locator, [4, 4]));
    const tripId = (await client.createTrip(context(), tripWithCar(unique('Length'), [4, 4]))).value
      .itinLocator!;
    await client.cancelTrip(context(), tripId);
    await client.cancelBooking(context(), 'ContractTests', locator);
    const posts = simulator().requests.entries.filter((entry) => entry.method === 'POST');
    expect(posts.map((entry) => entry.route)).toEqual([
      'bookingPost',
      'tripCreate',
      'tripCancel',
      'bookingCancel',
    ]);
    for (const entry of posts) {
      expect(entry.headers['content-length']).toBe(String(Buffer.byteLength(entry.body)));
      expect(entry.headers['transfer-encoding']).toBeUndefined();
      expect(entry.headers.accept).toBe('application/xml');
    }
    expect(posts[0]!.headers['content-type']).toMatch(/^application\/xml/);
    expect(posts[2]!.headers['content-length']).toBe('0');
  });

  it('sends Content-Length to the token endpoint, the company connect and the user search too', async () => {
    const { client } = recordingClient();
    const { clientId, clientSecret } = simulator().tokens.clientFor();
    const companyId = simulator().defaultCompanyId;
    simulator().requests.clear();
    await client.refreshToken({
      baseUrl: simulator().url,
      clientId,
      clientSecret,
      refreshToken: simulator().tokens.issueTokenPair().refreshToken,
    });
    const minted = await fetch(`${simulator().url}/_sim/tokens/request-token`, {
      method: 'POST',
      body: JSON.stringify({ companyId }),
    });
    const { requestToken } = (await minted.json()) as { requestToken: string };
    await connectCompany({
      baseUrl: simulator().url,
      clientId,
      clientSecret,
      companyUuid: companyId,
      requestToken,
    });
    // Refused for want of the Identity scopes (the simulator's default app): the request is what counts here.
    await client.searchUsers(context(), { email: 'chris.miller@example.com' }).catch(() => undefined);
    const posts = simulator().requests.entries;
    expect(posts.map((entry) => [entry.route, entry.status])).toEqual([
      ['token', 200],
      ['token', 200],
      ['identitySearch', 403],
    ]);
    for (const entry of posts) {
      // The log keeps the token forms' secrets redacted, so their length is not the logged body's.
      if (entry.route === 'token') expect(Number(entry.headers['content-length'])).toBeGreaterThan(100);
      else expect(entry.headers['content-length']).toBe(String(Buffer.byteLength(entry.body)));
      expect(entry.headers['transfer-encoding']).toBeUndefined();
    }
  });

  it('logs method, path, status, attempts, waits and correlation ids, and never a token or secret', async () => {
    const { client, logs } = recordingClient();
    const { clientId, clientSecret } = simulator().tokens.clientFor();
    const pair = simulator().tokens.issueTokenPair();
    simulator().faults.failNext('bookingPost', { kind: 'status', status: 503, retryAfter: 0 }, 1);
    await client.postBooking(context({ accessToken: pair.accessToken }), carBooking(unique('LOG'), [5, 5]));
    const refreshed = await client.refreshToken({
      baseUrl: simulator().url,
      clientId,
      clientSecret,
      refreshToken: pair.refreshToken,
    });
    await client
      .refreshToken({ baseUrl: simulator().url, clientId, clientSecret, refreshToken: pair.refreshToken })
      .catch(() => undefined);

    expect(logs.map((line) => line.fields)).toContainEqual(
      expect.objectContaining({ method: 'POST', path: '/api/travel/booking/v1.1', status: 503, attempt: 1 }),
    );
    expect(logs.map((line) => line.fields)).toContainEqual(expect.objectContaining({ waitMs: 0 }));
    const text = JSON.stringify(logs);
    for (const secret of [
      pair.accessToken,
      pair.refreshToken,
      clientSecret,
      refreshed.accessToken,
      refreshed.refreshToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text.toLowerCase()).not.toContain('authorization');
  });
});
