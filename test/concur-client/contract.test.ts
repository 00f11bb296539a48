/**
 * The Concur client against the Concur simulator over real HTTP: every operation, and every failure mode ending
 * in its typed error or a successful retry, with the attempts and the waits it asked for.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Booking, Itinerary } from '../../shared/concur';
import { ConcurApiError, ConcurClient } from '../../shared/concur-client';
import type { ConcurCallContext, ConcurClientOptions } from '../../shared/concur-client';
import { startSimulator } from '../../shared/simulator';
import type { Simulator } from '../../shared/simulator';

let simulator: Simulator;
const TRAVELER = 'cm@example.com';

beforeAll(async () => {
  simulator = await startSimulator({ port: 0 });
});
afterEach(() => simulator.faults.clear());
afterAll(() => simulator.close());

/** A client whose waits are recorded instead of slept. */
function recordingClient(options: ConcurClientOptions = {}) {
  const waits: number[] = [];
  const logged: string[] = [];
  const client = new ConcurClient({
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    logger: {
      debug: (message, fields) => logged.push(JSON.stringify({ message, fields })),
      warn: (message, fields) => logged.push(JSON.stringify({ message, fields })),
    },
    ...options,
  });
  return { client, waits, logged };
}

const context = (overrides: Partial<ConcurCallContext> = {}): ConcurCallContext => ({
  baseUrl: simulator.url,
  accessToken: simulator.tokens.accessTokenFor(),
  loginId: TRAVELER,
  deadline: Date.now() + 20_000,
  ...overrides,
});

let counter = 0;
const car = (days: [number, number]) => ({
  kind: 'car' as const,
  vendor: 'ZE',
  confirmationNumber: `CF${++counter}`,
  startDateLocal: `2027-03-${String(days[0]).padStart(2, '0')}T10:00:00`,
  endDateLocal: `2027-03-${String(days[1]).padStart(2, '0')}T18:00:00`,
  startCityCode: 'SEA',
  endCityCode: 'SEA',
});
const booking = (
  recordLocator: string,
  days: [number, number],
  bookingSource = 'ContractTests',
): Booking => ({
  bookingSource,
  recordLocator,
  passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
  segments: [car(days)],
});
const trip = (tripName: string, days: [number, number]): Itinerary => ({
  tripName,
  startDateLocal: `2027-03-${String(days[0]).padStart(2, '0')}T10:00:00`,
  endDateLocal: `2027-03-${String(days[1]).padStart(2, '0')}T18:00:00`,
  bookings: [booking(`TR-${tripName}`, days)],
});

describe('every operation, client → simulator', () => {
  it('creates, reads, replaces and cancels a trip, with correlation ids and one attempt each', async () => {
    const { client } = recordingClient();
    const created = await client.createTrip(context(), trip('Contract trip', [1, 3]));
    expect(created).toMatchObject({ status: 200, attempts: 1, correlationId: expect.any(String) });
    const tripId = created.value.itinLocator!;
    expect((await client.getTrip(context(), tripId)).value.tripName).toBe('Contract trip');
    const tripIt = await client.getTripInTripItFormat(context(), tripId);
    expect(tripIt.value.trip?.display_name).toBe('Contract trip');
    const replaced = await client.updateTrip(context(), tripId, {
      ...trip('Contract trip 2', [1, 3]),
      bookings: [],
    });
    expect(replaced.value.tripName).toBe('Contract trip 2');
    const cancelled = await client.cancelTrip(context(), tripId);
    expect('itinerary' in cancelled.value || 'message' in cancelled.value).toBe(true);
  });

  it('encodes trip ids that contain $', async () => {
    const { client } = recordingClient();
    let tripId = '';
    for (let i = 0; i < 4 && !tripId.includes('$'); i++) {
      tripId = (await client.createTrip(context(), trip(`Dollar ${i}`, [5 + i, 5 + i]))).value.itinLocator!;
    }
    expect(tripId).toContain('$');
    expect((await client.getTrip(context(), tripId)).value.itinLocator).toBe(tripId);
    expect(simulator.requests.last()!.path).toContain('%24');
  });

  it('posts bookings into a given trip or the trip spanning them, and cancels them by source and number', async () => {
    const { client } = recordingClient();
    const host = await client.createTrip(context(), trip('Host', [10, 14]));
    const hostId = host.value.itinLocator!;
    const joined = await client.postBooking(context(), booking('JOIN-1', [11, 12]));
    expect(joined.value.itinLocator).toBe(hostId);
    const explicit = await client.postBooking(context(), booking('EXPLICIT-1', [20, 21]), hostId);
    expect(explicit.value.itinLocator).toBe(hostId);
    const cancelled = await client.cancelBooking(context(), 'ContractTests', 'JOIN-1');
    expect(cancelled.value).toHaveProperty('booking');
    const unknown = await client.cancelBooking(context(), 'ContractTests', 'NEVER-POSTED').catch((e) => e);
    expect(unknown).toBeInstanceOf(ConcurApiError);
    expect(unknown).toMatchObject({ kind: 'not-found', status: 404, attempts: 1 });
  });

  it('lists trips one page at a time and all pages in sequence', async () => {
    const { client } = recordingClient();
    for (let i = 0; i < 3; i++) await client.createTrip(context(), trip(`Listed ${i}`, [15 + i, 15 + i]));
    const page = await client.listTrips(context(), {}, { page: 1, itemsPerPage: 2 });
    expect(page.value.trips).toHaveLength(2);
    expect(page.value.paging).toMatchObject({ currentPage: 1, itemsPerPage: 2 });
    const total = page.value.paging!.totalItems;
    simulator.requests.clear();
    const all = await client.listAllTrips(context(), {});
    expect(all.value).toHaveLength(total);
    const filtered = await client.listTrips(context(), { bookingType: 'Air' });
    expect(filtered.value.trips).toEqual([]);
    const company = await client.listTrips(context(), { allUsers: true, includeCanceledTrips: true });
    expect(company.value.trips.length).toBeGreaterThanOrEqual(total);
  });

  it('posts agency proposals and refuses a trip that is not one', async () => {
    const { client } = recordingClient();
    const proposal: Itinerary = {
      ...trip('Proposal', [25, 26]),
      tripStatus: 6,
      clientLocator: 'KK-1',
      travelRequestId: '3339',
      customAttributes: [
        { dataType: 'Numeric', name: 'ProposalBatchSize', data: '1', displayOnItinerary: true },
        { dataType: 'Numeric', name: 'ProposalSequenceIndex', data: '1', displayOnItinerary: true },
      ],
    };
    expect((await client.postAgencyProposal(context(), proposal)).value.tripName).toBe('Proposal');
    await expect(client.postAgencyProposal(context(), trip('Not a proposal', [27, 27]))).rejects.toThrow(
      TypeError,
    );
  });

  it('refuses another source’s booking with Concur’s message', async () => {
    const { client } = recordingClient();
    await client.postBooking(context(), booking('OWNED-1', [28, 28]));
    const supplier = simulator.tokens.issueTokenPair(undefined, { bookingSource: 'SomeoneElse' });
    const error = await client
      .cancelBooking(context({ accessToken: supplier.accessToken }), 'SomeoneElse', 'OWNED-1')
      .catch((e) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(['forbidden', 'rejected']).toContain(error.kind);
    expect(error.concurMessage).toEqual(expect.any(String));
  });

  it('accepts the seeds’ OAuth scheme and reports an expired token as auth-expired', async () => {
    const { client } = recordingClient();
    const pair = simulator.tokens.issueTokenPair();
    await client.listTrips(context({ accessToken: pair.accessToken, authScheme: 'OAuth' }));
    simulator.faults.expireAccessToken(simulator.defaultCompanyId);
    const error = await client.listTrips(context({ accessToken: pair.accessToken })).catch((e) => e);
    expect(error).toMatchObject({ kind: 'auth-expired', attempts: 1 });
  });

  it('refreshes tokens with rotation; the spent refresh token is refused', async () => {
    const { client } = recordingClient();
    const { clientId, clientSecret } = simulator.tokens.clientFor();
    const pair = simulator.tokens.issueTokenPair();
    const refreshed = await client.refreshToken({
      baseUrl: simulator.url,
      clientId,
      clientSecret,
      refreshToken: pair.refreshToken,
    });
    expect(refreshed.refreshToken).not.toBe(pair.refreshToken);
    expect(refreshed.expiresInSeconds).toBe(3600);
    expect(refreshed.geolocation).toBe(simulator.url);
    const spent = await client
      .refreshToken({ baseUrl: simulator.url, clientId, clientSecret, refreshToken: pair.refreshToken })
      .catch((e) => e);
    expect(spent).toMatchObject({ kind: 'refresh-rejected', status: 400 });
  });
});

describe('failure modes: typed errors or successful retries, attempts and waits', () => {
  it('honours Retry-After on 503 and succeeds on the third attempt', async () => {
    const { client, waits } = recordingClient();
    simulator.faults.failNext('bookingPost', { kind: 'status', status: 503, retryAfter: 1 }, 2);
    const result = await client.postBooking(context(), booking('RETRY-1', [2, 2]));
    expect(result.attempts).toBe(3);
    expect(waits).toEqual([1000, 1000]);
  });

  it('backs off with full jitter on 429 without Retry-After', async () => {
    const { client, waits } = recordingClient({ retry: { baseDelayMs: 100, maxDelayMs: 1000 } });
    simulator.faults.failNext('tripList', { kind: 'status', status: 429 }, 2);
    const result = await client.listTrips(context());
    expect(result.attempts).toBe(3);
    // random() is 0.5: half of 100 · 2^0 and of 100 · 2^1.
    expect(waits).toEqual([50, 100]);
  });

  it('gives up as unavailable after the last attempt, with status and correlation id', async () => {
    const { client, waits } = recordingClient({ retry: { maxAttempts: 3 } });
    simulator.faults.failNext('tripGet', { kind: 'status', status: 500 }, 5);
    const error = await client.getTrip(context(), 'anything').catch((e) => e);
    expect(error).toMatchObject({
      kind: 'unavailable',
      status: 500,
      attempts: 3,
      correlationId: expect.any(String),
    });
    expect(waits).toHaveLength(2);
  });

  it('retries Concur’s transient 400s (database deadlock)', async () => {
    const { client } = recordingClient();
    simulator.faults.failNext(
      'bookingPost',
      { kind: 'status', status: 400, message: 'Database deadlock, resend shortly' },
      1,
    );
    expect((await client.postBooking(context(), booking('DEADLOCK-1', [3, 3]))).attempts).toBe(2);
  });

  it('times out an attempt that hangs, retries, and ends as timed-out', async () => {
    const { client } = recordingClient({ perAttemptTimeoutMs: 100, retry: { maxAttempts: 2 } });
    simulator.faults.failNext('tripList', { kind: 'hang' }, 2);
    const error = await client.listTrips(context()).catch((e) => e);
    expect(error).toMatchObject({ kind: 'timed-out', attempts: 2 });
  });

  it('takes no wait that would end past the deadline', async () => {
    const { client, waits } = recordingClient();
    simulator.faults.failNext('tripList', { kind: 'status', status: 503, retryAfter: 30 }, 1);
    const error = await client.listTrips(context({ deadline: Date.now() + 5_000 })).catch((e) => e);
    expect(error).toMatchObject({ kind: 'unavailable', attempts: 1, retryAfterSeconds: 30 });
    expect(waits).toEqual([]);
  });

  it.each(['malformed-xml', 'hostile-xml'] as const)(
    'reports a %s answer as malformed-response',
    async (kind) => {
      const { client } = recordingClient();
      simulator.faults.failNext('tripList', { kind }, 1);
      await expect(client.listTrips(context())).rejects.toMatchObject({ kind: 'malformed-response' });
    },
  );

  it('sends Content-Length, never a chunked body', async () => {
    const { client } = recordingClient();
    simulator.requests.clear();
    await client.postBooking(context(), booking('LENGTH-1', [4, 4]));
    const [entry] = simulator.requests.of('bookingPost');
    expect(entry!.headers['content-length']).toBe(String(Buffer.byteLength(entry!.body)));
    expect(entry!.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('a trip create is never sent twice', () => {
  it('finds the trip whose answer was lost after Concur created it, with one create sent', async () => {
    const { client } = recordingClient({ perAttemptTimeoutMs: 200 });
    simulator.requests.clear();
    simulator.faults.failNext('tripCreate', { kind: 'hang', commit: true }, 1);
    const result = await client.createTrip(context(), trip('Lost answer', [20, 22]));
    expect(result.reconciled).toBe(true);
    expect(result.value.tripName).toBe('Lost answer');
    expect(simulator.requests.of('tripCreate')).toHaveLength(1);
  });

  it('sends the create once more when Concur never made the trip', async () => {
    const { client } = recordingClient();
    simulator.requests.clear();
    simulator.faults.failNext('tripCreate', { kind: 'destroy', commit: false }, 1);
    const result = await client.createTrip(context(), trip('Never made', [23, 24]));
    expect(result.reconciled).toBeUndefined();
    expect(simulator.requests.of('tripCreate')).toHaveLength(2);
    const named = simulator.state.trips().filter((t) => t.header.tripName === 'Never made');
    expect(named).toHaveLength(1);
  });

  it('does not retry a 5xx to a create blindly, and reports ambiguity as outcome-unknown', async () => {
    const { client } = recordingClient();
    await client.createTrip(context(), trip('Twin', [26, 27]));
    await client.createTrip(context(), trip('Twin', [26, 27]));
    simulator.requests.clear();
    simulator.faults.failNext('tripCreate', { kind: 'status', status: 502 }, 1);
    const error = await client.createTrip(context(), trip('Twin', [26, 27])).catch((e) => e);
    expect(error).toMatchObject({ kind: 'outcome-unknown' });
    expect(simulator.requests.of('tripCreate')).toHaveLength(1);
  });

  it('logs no token or secret', async () => {
    const { client, logged } = recordingClient();
    simulator.faults.failNext('bookingPost', { kind: 'status', status: 503, retryAfter: 0 }, 1);
    await client.postBooking(context(), booking('LOG-1', [5, 5]));
    const { clientSecret } = simulator.tokens.clientFor();
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(simulator.tokens.accessTokenFor());
      expect(line).not.toContain(clientSecret);
    }
  });
});
