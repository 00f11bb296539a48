/**
 * Every Itinerary v1.1 operation and the OAuth2 refresh, client → simulator over real HTTP: the request Concur
 * gets (path, query, headers) and the typed answer or error that comes back.
 */
import { describe, expect, it } from 'vitest';
import type { Itinerary } from '../../shared/concur';
import { ConcurApiError } from '../../shared/concur-client';
import {
  carBooking,
  contextFor,
  MARCH_2027,
  recordingClient,
  TRAVELER,
  tripWithCar,
  unique,
  useSimulator,
} from './support';

const simulator = useSimulator();
const context = (overrides = {}) => contextFor(simulator(), overrides);

describe('trips', () => {
  it('creates, reads, reads as TripIt, replaces whole and cancels a trip, one attempt each', async () => {
    const { client } = recordingClient();
    const created = await client.createTrip(context(), tripWithCar('Contract trip', [1, 3]));
    expect(created).toMatchObject({ status: 200, attempts: 1, correlationId: expect.any(String) });
    expect(created.reconciled).toBeUndefined();
    const tripId = created.value.itinLocator!;
    expect(created.value.bookings).toHaveLength(1);

    const read = await client.getTrip(context(), tripId);
    expect(read.value).toMatchObject({ tripName: 'Contract trip', itinLocator: tripId });

    const tripIt = await client.getTripInTripItFormat(context(), tripId);
    expect(tripIt.value.trip?.display_name).toBe('Contract trip');
    expect(simulator().requests.last()!.query).toMatchObject({ systemFormat: 'Tripit' });

    const replaced = await client.updateTrip(context(), tripId, {
      ...tripWithCar('Contract trip 2', [1, 3]),
      bookings: [],
    });
    expect(replaced.value.tripName).toBe('Contract trip 2');
    expect(replaced.value.bookings ?? []).toHaveLength(0);
    expect(simulator().requests.last()!.query).toMatchObject({ tripId });

    const cancelled = await client.cancelTrip(context(), tripId);
    expect(cancelled.attempts).toBe(1);
    if ('itinerary' in cancelled.value) expect(cancelled.value.itinerary.itinLocator).toBe(tripId);
    else expect(cancelled.value.message).toMatch(/cancel/i);
    const afterCancel = await client.getTrip(context(), tripId);
    expect(String(afterCancel.value.tripStatus)).toBe('2');
  });

  it('URL-encodes trip ids that contain $', async () => {
    const { client } = recordingClient();
    let tripId = '';
    for (let i = 0; i < 4 && !tripId.includes('$'); i++) {
      tripId = (await client.createTrip(context(), tripWithCar(unique('Dollar'), [5, 5]))).value.itinLocator!;
    }
    expect(tripId).toContain('$');
    expect((await client.getTrip(context(), tripId)).value.itinLocator).toBe(tripId);
    expect(simulator().requests.last()!.path).toContain('%24');
    await client.cancelTrip(context(), tripId);
    expect(simulator().requests.last()!.query.tripId).toBe(tripId);
  });

  it('answers not-found for an unknown trip, without retrying', async () => {
    const { client, waits } = recordingClient();
    const error = await client.getTrip(context(), 'no-such-trip').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(error).toMatchObject({
      kind: 'not-found',
      status: 404,
      attempts: 1,
      correlationId: expect.any(String),
    });
    expect(waits).toEqual([]);
  });

  it('posts an agency proposal, and refuses a trip that is not one before any call', async () => {
    const { client } = recordingClient();
    const proposal: Itinerary = {
      ...tripWithCar('Proposal', [25, 26]),
      tripStatus: 6,
      clientLocator: unique('KK'),
      travelRequestId: '3339',
      customAttributes: [
        { dataType: 'Numeric', name: 'ProposalBatchSize', data: '1', displayOnItinerary: true },
        { dataType: 'Numeric', name: 'ProposalSequenceIndex', data: '1', displayOnItinerary: true },
      ],
    };
    const posted = await client.postAgencyProposal(context(), proposal);
    expect(posted.value).toMatchObject({ tripName: 'Proposal', clientLocator: proposal.clientLocator });
    const booked = await client.postAgencyProposal(
      context(),
      { ...proposal, tripStatus: 7 },
      posted.value.itinLocator!,
    );
    expect(String(booked.value.tripStatus)).toBe('7');

    const before = simulator().requests.entries.length;
    await expect(
      client.postAgencyProposal(context(), tripWithCar('Not a proposal', [27, 27])),
    ).rejects.toThrow(/TripStatus must be 6/);
    await expect(
      client.postAgencyProposal(context(), { ...proposal, clientLocator: undefined }),
    ).rejects.toThrow(/ClientLocator/);
    expect(simulator().requests.entries.length).toBe(before);
  });
});

describe('bookings', () => {
  it('posts a booking into the trip spanning it, or into the trip named by tripId', async () => {
    const { client } = recordingClient();
    const host = await client.createTrip(context(), tripWithCar('Host', [10, 14]));
    const hostId = host.value.itinLocator!;
    const joined = await client.postBooking(context(), carBooking(unique('JOIN'), [11, 12]));
    expect(joined.value.itinLocator).toBe(hostId);
    expect(simulator().requests.last()!.query.tripId).toBeUndefined();
    const explicit = await client.postBooking(context(), carBooking(unique('EXPLICIT'), [20, 21]), hostId);
    expect(explicit.value.itinLocator).toBe(hostId);
    expect(simulator().requests.last()!.query.tripId).toBe(hostId);
    expect(explicit).toMatchObject({ status: 200, attempts: 1, correlationId: expect.any(String) });
  });

  it('cancels a booking by source and confirmation number; an unknown one is not-found', async () => {
    const { client } = recordingClient();
    const locator = unique('CANCEL');
    await client.postBooking(context(), carBooking(locator, [6, 6]));
    const cancelled = await client.cancelBooking(context(), 'ContractTests', locator);
    expect(cancelled.value).toHaveProperty('booking');
    expect(simulator().requests.last()!.query).toMatchObject({
      bookingSource: 'ContractTests',
      confirmationNumber: locator,
      userid_type: 'login_id',
      userid_value: TRAVELER,
    });

    const unknown = await client
      .cancelBooking(context(), 'ContractTests', 'NEVER-POSTED')
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(ConcurApiError);
    expect(unknown).toMatchObject({ kind: 'not-found', status: 404, attempts: 1 });
  });

  it('refuses to cancel another source’s booking as forbidden, with Concur’s message', async () => {
    const { client } = recordingClient();
    const locator = unique('OWNED');
    await client.postBooking(context(), carBooking(locator, [28, 28]));
    const supplier = simulator().tokens.issueTokenPair(undefined, { bookingSource: 'SomeoneElse' });
    const error = await client
      .cancelBooking(context({ accessToken: supplier.accessToken }), 'SomeoneElse', locator)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(error).toMatchObject({ kind: 'forbidden', status: 403, attempts: 1 });
    expect((error as ConcurApiError).concurMessage).toMatch(/^Booking source mismatch/);
  });
});

describe('the trip list', () => {
  it('sends every filter under Concur’s names, for one traveler, and never userid_value=ALL', async () => {
    const { client } = recordingClient();
    await client.listTrips(context(), {
      ...MARCH_2027,
      createdAfterDate: '2026-01-01',
      createdBeforeDate: '2030-01-01',
      lastModifiedDate: '2026-01-01T00:00:00',
      bookingType: 'Car',
      includeCanceledTrips: true,
      includePersonalTrips: true,
      includeVirtualTrip: true,
      includeGuestBookings: true,
    });
    expect(simulator().requests.last()!.query).toEqual({
      startDate: '2027-03-01',
      endDate: '2027-03-31',
      createdAfterDate: '2026-01-01',
      createdBeforeDate: '2030-01-01',
      lastModifiedDate: '2026-01-01T00:00:00',
      bookingType: 'Car',
      includeCanceledTrips: 'true',
      includePersonalTrips: 'true',
      includeVirtualTrip: '1',
      includeGuestBookings: 'true',
      userid_type: 'login_id',
      userid_value: TRAVELER,
    });
    const sent = simulator().requests.entries.length;
    // Concur withdrew the company-wide list: the client refuses to send it, whatever the login id says.
    for (const loginId of ['ALL', 'all', ' All ']) {
      await expect(client.listTrips(context({ loginId }), MARCH_2027)).rejects.toThrow(/userid_value=ALL/);
    }
    expect(simulator().requests.entries.length).toBe(sent);
  });

  it('filters by booking type and by cancellation', async () => {
    const { client } = recordingClient();
    const name = unique('Filtered');
    const tripId = (await client.createTrip(context(), tripWithCar(name, [8, 8]))).value.itinLocator!;
    const cars = await client.listTrips(context(), { ...MARCH_2027, bookingType: 'Car' });
    expect(cars.value.trips.map((t) => t.tripId)).toContain(tripId);
    const air = await client.listTrips(context(), { ...MARCH_2027, bookingType: 'Air' });
    expect(air.value.trips.map((t) => t.tripId)).not.toContain(tripId);
    await client.cancelTrip(context(), tripId);
    const live = await client.listTrips(context(), MARCH_2027);
    expect(live.value.trips.map((t) => t.tripId)).not.toContain(tripId);
    const all = await client.listTrips(context(), { ...MARCH_2027, includeCanceledTrips: true });
    expect(all.value.trips.find((t) => t.tripId === tripId)?.tripStatus).toBe(2);
  });

  it('reads one page with its paging, and follows every page one after another', async () => {
    const concurrency = { now: 0, max: 0 };
    const { client } = recordingClient({
      fetch: async (input, init) => {
        concurrency.max = Math.max(concurrency.max, ++concurrency.now);
        try {
          const response = await fetch(input, init);
          // Hold the answer until its body is read, so an overlapping page request would show.
          return new Response(await response.text(), response);
        } finally {
          concurrency.now--;
        }
      },
    });
    for (let i = 0; i < 5; i++)
      await client.createTrip(context(), tripWithCar(unique('Paged'), [15 + i, 15 + i]));

    const page = await client.listTrips(context(), MARCH_2027, { page: 1, itemsPerPage: 2 });
    expect(page.value.trips).toHaveLength(2);
    expect(page.value.paging).toMatchObject({ currentPage: 1, itemsPerPage: 2 });
    const { totalItems, totalPages } = page.value.paging!;
    expect(totalPages).toBe(Math.ceil(totalItems / 2));
    expect(simulator().requests.last()!.query).toMatchObject({
      includeMetadata: 'true',
      ItemsPerPage: '2',
      Page: '1',
    });

    simulator().requests.clear();
    concurrency.max = 0;
    const all = await client.listAllTrips(context(), MARCH_2027, { itemsPerPage: 2 });
    expect(all.value).toHaveLength(totalItems);
    expect(new Set(all.value.map((t) => t.tripId)).size).toBe(totalItems);
    expect(all.attempts).toBe(totalPages);
    expect(
      simulator()
        .requests.of('tripList')
        .map((entry) => entry.query.Page),
    ).toEqual(Array.from({ length: totalPages }, (_, i) => String(i + 1)));
    expect(concurrency.max).toBe(1);
  });
});

describe('tokens', () => {
  it('sends the seeds’ OAuth scheme when asked, Bearer otherwise', async () => {
    const { client } = recordingClient();
    await client.listTrips(context({ authScheme: 'OAuth' }), MARCH_2027);
    expect(simulator().requests.last()!.headers.authorization).toMatch(/^OAuth \*+/);
    await client.listTrips(context(), MARCH_2027);
    expect(simulator().requests.last()!.headers.authorization).toMatch(/^Bearer \*+/);
  });

  it('sends a concur-correlationid of its own, a new UUID on every request, token refresh included', async () => {
    const { client } = recordingClient();
    await client.listTrips(context(), MARCH_2027);
    await client.listTrips(context(), MARCH_2027);
    const { clientId, clientSecret } = simulator().tokens.clientFor();
    const pair = simulator().tokens.issueTokenPair();
    await client.refreshToken({
      baseUrl: simulator().url,
      clientId,
      clientSecret,
      refreshToken: pair.refreshToken,
    });
    const sent = simulator()
      .requests.entries.slice(-3)
      .map((entry) => entry.headers['concur-correlationid']);
    for (const id of sent)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(sent).size).toBe(3);
  });

  it('reports an expired token and an unknown one (403 each) as auth-expired, without retrying', async () => {
    const { client, waits } = recordingClient();
    const pair = simulator().tokens.issueTokenPair();
    await client.listTrips(context({ accessToken: pair.accessToken }), MARCH_2027);
    simulator().faults.expireAccessToken(simulator().defaultCompanyId);
    const expired = await client
      .listTrips(context({ accessToken: pair.accessToken }))
      .catch((e: unknown) => e);
    expect(expired).toMatchObject({ kind: 'auth-expired', status: 403, attempts: 1 });
    const unknown = await client.listTrips(context({ accessToken: 'not-a-token' })).catch((e: unknown) => e);
    // "The access token is not valid.": a token trouble a refresh cures, unlike a refusal of access.
    expect(unknown).toMatchObject({ kind: 'auth-expired', status: 403, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('refreshes: a new access token and the refresh token Concur answers, the same one or, rotated, a new one that spends the old', async () => {
    const { client } = recordingClient();
    const { clientId, clientSecret } = simulator().tokens.clientFor();
    const pair = simulator().tokens.issueTokenPair();
    const input = { baseUrl: simulator().url, clientId, clientSecret, refreshToken: pair.refreshToken };
    const refreshed = await client.refreshToken(input);
    expect(refreshed).toEqual({
      accessToken: expect.any(String),
      refreshToken: pair.refreshToken,
      expiresInSeconds: 3600,
      refreshExpiresAt: expect.any(String),
      geolocation: simulator().url,
      scope: 'openid ITINER',
    });
    expect(refreshed.accessToken).not.toBe(pair.accessToken);
    const request = simulator().requests.last()!;
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(new URLSearchParams(request.body).get('grant_type')).toBe('refresh_token');

    await client.listTrips(
      context({ baseUrl: refreshed.geolocation, accessToken: refreshed.accessToken }),
      MARCH_2027,
    );

    simulator().tokens.setRefreshRotation(clientId, true);
    try {
      const rotated = await client.refreshToken(input);
      expect(rotated.refreshToken).not.toBe(pair.refreshToken);
      const spent = await client.refreshToken(input).catch((e: unknown) => e);
      expect(spent).toBeInstanceOf(ConcurApiError);
      expect(spent).toMatchObject({ kind: 'refresh-rejected', status: 400, attempts: 1 });
      const badClient = await client
        .refreshToken({ ...input, refreshToken: rotated.refreshToken, clientSecret: 'wrong' })
        .catch((e: unknown) => e);
      expect(badClient).toMatchObject({ kind: 'rejected', status: 401 });
    } finally {
      simulator().tokens.setRefreshRotation(clientId, undefined);
    }
  });

  it('sends a refresh refused for living elsewhere once more, to the geolocation Concur names, and reports it', async () => {
    const { client } = recordingClient();
    const { clientId, clientSecret } = simulator().tokens.clientFor();
    const pair = simulator().tokens.issueTokenPair();
    const elsewhere = simulator().url.replace('127.0.0.1', 'localhost');
    const before = simulator().requests.of('token').length;
    const refreshed = await client.refreshToken({
      baseUrl: elsewhere,
      clientId,
      clientSecret,
      refreshToken: pair.refreshToken,
    });
    expect(refreshed.geolocation).toBe(simulator().url);
    const tokenCalls = simulator().requests.of('token').slice(before);
    expect(tokenCalls.map((entry) => entry.status)).toEqual([400, 200]);
  });
});
