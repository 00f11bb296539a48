/**
 * The simulator as a hosted sandbox, its state in the state table (dynalite): each company started from its own
 * item and written back conditionally on the version read, so requests at once lose nothing; admin routes limited
 * to the company's faults and trips; other companies and other admin routes not found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostedSandbox } from '../../../local/simulator/hosted/hosted-sandbox';
import type { HostedRequest } from '../../../local/simulator/hosted/hosted-sandbox';
import { DEFAULT_USERS } from '../../../local/simulator/identity';
import type { SimulatorSnapshot } from '../../../local/simulator/snapshot';
import {
  DynamoVersionedDocuments,
  SANDBOX_STATE_PARTITION_PREFIX,
} from '../../../shared/adapters/dynamodb/versioned-documents';
import { isSandboxCompany } from '../../../shared/sandbox';
import { createTestTables, startTestDynalite } from '../../support/dynalite';
import type { TestDynalite } from '../../support/dynalite';
import { BOOKING_PATH, bookingXml, carBooking } from './support';

let dynamo: TestDynalite;
let store: DynamoVersionedDocuments<SimulatorSnapshot>;
let serve: ReturnType<typeof createHostedSandbox>;
const PUBLIC_URL = 'https://sandbox.example';
const token = (companyId: string) => `access.${companyId}`;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  const { state } = await createTestTables(dynamo, 'hosted-sandbox');
  store = new DynamoVersionedDocuments({
    client: dynamo.client,
    tableName: state,
    prefix: SANDBOX_STATE_PARTITION_PREFIX,
  });
  serve = createHostedSandbox({
    store,
    serves: isSandboxCompany,
    company: (companyId) => ({
      company: {
        id: companyId,
        accessToken: token(companyId),
        refreshToken: `refresh.${companyId}`,
        // The stack's sandbox function gives every company the demo travelers.
        users: [...DEFAULT_USERS],
      },
      client: { companyId, clientId: 'client', clientSecret: 'secret' },
    }),
    deadline: () => Date.now() + 10_000,
  });
}, 60_000);

afterAll(() => dynamo?.close());

const request = (companyId: string, method: string, path: string, body = '', query = ''): HostedRequest => ({
  method,
  path: `/companies/${companyId}${path}`,
  query,
  headers: {
    authorization: `Bearer ${token(companyId)}`,
    'content-type': body.startsWith('<') ? 'application/xml' : 'application/json',
  },
  body,
});

const postBooking = (companyId: string, recordLocator: string) =>
  serve(
    request(
      companyId,
      'POST',
      BOOKING_PATH,
      bookingXml(carBooking(recordLocator, '2027-03-01T09:00:00', '2027-03-03T09:00:00')),
    ),
    PUBLIC_URL,
  );

const tripsOf = async (companyId: string) =>
  JSON.parse((await serve(request(companyId, 'GET', '/_sim/state'), PUBLIC_URL)).body) as {
    trips: { bookings: { booking: { recordLocator: string } }[] }[];
  };

describe('the hosted sandbox', () => {
  it('keeps every one of 24 bookings posted at once for one company: conditional writes, retried on a newer version', async () => {
    const company = 'sandbox-burst';
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, index) => postBooking(company, `BURST${index}`)),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
    const locators = (await tripsOf(company)).trips.flatMap((trip) =>
      trip.bookings.map((b) => b.booking.recordLocator),
    );
    expect(locators.sort()).toEqual(Array.from({ length: 24 }, (_, index) => `BURST${index}`).sort());
    const saved = await store.load(company);
    expect(saved!.version).toBeGreaterThanOrEqual(24);
  }, 60_000);

  it('starts each request from the stored state: a booking is found again, its trip id unchanged', async () => {
    const company = 'sandbox-reread';
    const first = await postBooking(company, 'AGAIN1');
    const again = await postBooking(company, 'AGAIN1');
    expect(first.status).toBe(200);
    const tripOf = (xml: string) => /<ItinLocator>([^<]+)<\/ItinLocator>/.exec(xml)?.[1];
    expect(tripOf(again.body)).toBe(tripOf(first.body));
    expect((await tripsOf(company)).trips).toHaveLength(1);
  });

  it('injects a fault into the company named in the path only, which its next call meets once', async () => {
    const faulted = await serve(
      request(
        'sandbox-a',
        'POST',
        '/_sim/faults/next',
        JSON.stringify({ route: 'bookingPost', action: { kind: 'status', status: 503 } }),
      ),
      PUBLIC_URL,
    );
    expect(faulted.status).toBe(200);
    expect((await postBooking('sandbox-b', 'OTHER1')).status).toBe(200);
    expect((await postBooking('sandbox-a', 'MINE1')).status).toBe(503);
    expect((await postBooking('sandbox-a', 'MINE1')).status).toBe(200);
  });

  it('replaces the company’s own faults, kept in its state, and refuses another company’s in its path', async () => {
    const storm = JSON.stringify({ errorRates: [{ route: 'bookingPost', status: 503, rate: 1 }] });
    const set = await serve(
      request('sandbox-c', 'PUT', '/_sim/faults', storm, 'companyId=sandbox-c'),
      PUBLIC_URL,
    );
    expect(set.status, set.body).toBe(200);
    expect((await postBooking('sandbox-c', 'STORM1')).status).toBe(503);
    expect((await postBooking('sandbox-d', 'CALM1')).status).toBe(200);
    // The path's company is the only one this request's simulator knows.
    const elsewhere = await serve(
      request('sandbox-c', 'PUT', '/_sim/faults', storm, 'companyId=sandbox-d'),
      PUBLIC_URL,
    );
    expect(elsewhere.status).toBe(404);
    expect((await postBooking('sandbox-d', 'CALM2')).status).toBe(200);
    const cleared = await serve(
      request('sandbox-c', 'DELETE', '/_sim/faults', '', 'companyId=sandbox-c'),
      PUBLIC_URL,
    );
    expect(cleared.status).toBe(204);
    expect((await postBooking('sandbox-c', 'STORM1')).status).toBe(200);
  });

  it('books a trip elsewhere for the company’s traveler, which a booking within its dates joins', async () => {
    const booked = await serve(
      request(
        'sandbox-e',
        'POST',
        '/_sim/trips',
        JSON.stringify({
          companyId: 'sandbox-e',
          traveler: 'cm@example.com',
          startDateLocal: '2027-02-28T09:00',
          endDateLocal: '2027-03-05T09:00',
        }),
      ),
      PUBLIC_URL,
    );
    expect(booked.status, booked.body).toBe(201);
    const tripId = (JSON.parse(booked.body) as { trip: { ItinLocator: string } }).trip.ItinLocator;
    expect((await postBooking('sandbox-e', 'JOINS1')).status).toBe(200);
    const [trip] = (await tripsOf('sandbox-e')).trips as unknown as {
      id: string;
      bookings: { booking: { recordLocator: string } }[];
    }[];
    expect(trip!.id).toBe(tripId);
    expect(trip!.bookings.map(({ booking }) => booking.recordLocator)).toEqual(['AGENCY1', 'JOINS1']);
  });

  it('serves no company but a sandbox one, and no admin route but faults and trips', async () => {
    expect((await postBooking('acme', 'X1')).status).toBe(404);
    for (const [method, path] of [
      ['POST', '/_sim/reset'],
      ['GET', '/_sim/tokens'],
      ['GET', '/_sim/requests'],
      ['POST', '/_sim/ess/subscriptions'],
    ] as const) {
      expect((await serve(request('sandbox-a', method, path, '{}'), PUBLIC_URL)).status, path).toBe(404);
    }
    const unauthorized = await serve(
      {
        ...request('sandbox-a', 'GET', '/api/travel/trip/v1.1'),
        headers: { authorization: 'Bearer access.sandbox-b' },
      },
      PUBLIC_URL,
    );
    expect(unauthorized.status).toBe(403);
  });

  it('answers the token endpoint with the company’s own address as its geolocation', async () => {
    const answer = await serve(
      {
        ...request('sandbox-geo', 'POST', '/oauth2/v0/token'),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: 'client',
          client_secret: 'secret',
          refresh_token: 'refresh.sandbox-geo',
        }).toString(),
      },
      PUBLIC_URL,
    );
    expect(answer.status, answer.body).toBe(200);
    const tokens = JSON.parse(answer.body) as { geolocation: string; refresh_token: string };
    expect(tokens.geolocation).toBe(`${PUBLIC_URL}/companies/sandbox-geo`);
    // The gateway keeps the static refresh token: a refresh must leave it working.
    expect(tokens.refresh_token).toBe('refresh.sandbox-geo');
  });
});
