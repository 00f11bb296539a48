/**
 * Rehearsing failures in test mode: a test key sets faults on its own sandbox company through the gateway
 * (`/v1/sandbox/faults`), and only that company's calls meet them. A second supplier's test key and the live key
 * booking at the same moment are untouched; a live key is refused; a body the simulator would not take is a 400
 * naming the field; clearing restores. A merged trip: a trip booked elsewhere (`/v1/sandbox/trips`) takes the
 * test key's next booking within its dates. The real local gateway: dynalite, the handlers, the simulator over
 * HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import { administration } from '../../shared/composition/administration';
import { generateTestApiKey, sandboxCompanyId } from '../../shared/sandbox';
import { api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';

const SANDBOX = sandboxCompanyId('demo-supplier');
const OTHER_SANDBOX = sandboxCompanyId('acme');
const dataDir = mkdtempSync(join(tmpdir(), 'cgw-sandbox-faults-'));

let gateway: LocalGateway;
let liveKey: string;
let testKey: string;
let otherTestKey: string;

const start = () => startLocalGateway({ port: 0, dataDir, simulatorPort: 0, supplierRatePerSecond: 1_000 });

beforeAll(async () => {
  // A second supplier with a test key, registered before the start that gives it its sandbox company.
  const first = await start();
  const admin = administration();
  await admin.registerSupplier(
    { id: 'acme', bookingSource: 'Acme', companies: [COMPANY], profile: 'tmc' },
    admin.generateApiKey(),
  );
  otherTestKey = generateTestApiKey();
  await admin.addApiKey('acme', otherTestKey);
  await first.close();
  gateway = await start();
  liveKey = gateway.demoApiKey!;
  testKey = gateway.demoTestApiKey!;
}, 120_000);

afterAll(async () => {
  await gateway?.close();
});

const book = (key: string, company: string, confirmationNumber: string, dates: Record<string, string> = {}) =>
  api(gateway, key).put(bookingPath(confirmationNumber, company), {
    booking: carBooking({}, { confirmationNumber, ...dates }),
    traveler: { loginId: TRAVELER },
  });

describe('fault rehearsals of a test key', () => {
  it('storms its own sandbox company with 503s while another supplier’s sandbox and the live company book', async () => {
    const set = await api(gateway, testKey).put('/v1/sandbox/faults', {
      errorRates: [{ route: 'bookingPost', status: 503, rate: 1 }],
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body).toEqual({
      companyId: SANDBOX,
      faults: { latency: [], errorRates: [{ route: 'bookingPost', status: 503, rate: 1 }], next: [] },
      livemode: false,
    });
    // Only the company's own set holds it: the set every call meets is untouched.
    expect(gateway.simulator!.faults.rules().errorRates).toEqual([]);

    const [stormed, other, live] = await Promise.all([
      book(testKey, SANDBOX, 'STORM1'),
      book(otherTestKey, OTHER_SANDBOX, 'CALM1'),
      book(liveKey, COMPANY, 'LIVE1'),
    ]);
    // The gateway's answer to Concur's own 503 after its retries: 503 with Retry-After 300 s.
    expect(stormed.status, JSON.stringify(stormed.body)).toBe(503);
    expect(stormed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(stormed.headers.get('retry-after')).toBe('300');
    expect(stormed.body).toMatchObject({
      type: 'urn:concur-gateway:problem:concur-unavailable',
      concur: { status: 503, attempts: 4 },
    });
    expect(other.status, JSON.stringify(other.body)).toBe(201);
    expect(other.body.booking.companyId).toBe(OTHER_SANDBOX);
    expect(live.status, JSON.stringify(live.body)).toBe(201);
    expect(gateway.simulator!.state.trips(SANDBOX).flatMap((trip) => trip.bookings)).toEqual([]);
    const faulted = gateway.simulator!.requests.entries.filter((entry) => entry.fault !== undefined);
    expect(faulted).toHaveLength(4);
    expect(faulted.every((entry) => entry.body.includes('STORM1'))).toBe(true);
  });

  it('clears its faults: the next booking goes through', async () => {
    expect((await api(gateway, testKey).delete('/v1/sandbox/faults')).status).toBe(204);
    const read = await api(gateway, testKey).get('/v1/sandbox/faults');
    expect(read.body).toEqual({
      companyId: SANDBOX,
      faults: { latency: [], errorRates: [], next: [] },
      livemode: false,
    });
    const booked = await book(testKey, SANDBOX, 'STORM1');
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
  });

  it('loses an answer after the booking took effect: the gateway posts again and answers once', async () => {
    const set = await api(gateway, testKey).put('/v1/sandbox/faults', {
      next: [{ route: 'bookingPost', action: { kind: 'destroy', commit: true } }],
    });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const [lost, other] = await Promise.all([
      book(testKey, SANDBOX, 'LOST1'),
      book(otherTestKey, OTHER_SANDBOX, 'CALM2'),
    ]);
    // Booking posts are safe to repeat: the second attempt updates the booking the first one made.
    expect(lost.status, JSON.stringify(lost.body)).toBe(201);
    expect(lost.body.concur.attempts).toBe(2);
    expect(other.status).toBe(201);
    const lostPosts = gateway.simulator!.requests.entries.filter(
      (entry) => entry.route === 'bookingPost' && entry.body.includes('LOST1'),
    );
    expect(lostPosts.map((entry) => entry.outcome)).toEqual(['destroyed', 'answered']);
    const bookings = gateway.simulator!.state.trips(SANDBOX).flatMap((trip) => trip.bookings);
    expect(bookings.filter((stored) => stored.booking.recordLocator === 'LOST1')).toHaveLength(1);
    // The scripted failure is spent.
    expect((await api(gateway, testKey).get('/v1/sandbox/faults')).body.faults.next).toEqual([]);
  });

  it('refuses a live key without touching any fault', async () => {
    await api(gateway, testKey).put('/v1/sandbox/faults', {
      latency: [{ route: 'tripGet', ms: 1 }],
    });
    for (const answer of [
      await api(gateway, liveKey).get('/v1/sandbox/faults'),
      await api(gateway, liveKey).put('/v1/sandbox/faults', {
        errorRates: [{ status: 503, rate: 1 }],
      }),
      await api(gateway, liveKey).delete('/v1/sandbox/faults'),
    ]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ type: 'urn:concur-gateway:problem:test-mode-only' });
    }
    expect(gateway.simulator!.faults.rules()).toEqual({ latency: [], errorRates: [], next: [] });
    expect(gateway.simulator!.faults.company(COMPANY).rules().errorRates).toEqual([]);
    expect(gateway.simulator!.faults.company(SANDBOX).rules().latency).toEqual([{ route: 'tripGet', ms: 1 }]);
  });

  it('refuses a body the simulator would not take with 400 naming the field, and keeps the faults', async () => {
    for (const [body, path] of [
      [{ next: [{ route: 'bookingPost', action: { kind: 'explode' } }] }, 'next[0].action.kind'],
      [{ errorRates: [{ route: 'bookingPost', status: 503, rate: 2 }] }, 'errorRates[0].rate'],
      [{ latency: [{ route: 'nowhere', ms: 5 }] }, 'latency[0].route'],
      [{ errorRate: [] }, 'errorRate'],
    ] as const) {
      const answer = await api(gateway, testKey).put('/v1/sandbox/faults', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect((await api(gateway, testKey).get('/v1/sandbox/faults')).body.faults.latency).toEqual([
      { route: 'tripGet', ms: 1 },
    ]);
    expect((await api(gateway, testKey).delete('/v1/sandbox/faults')).status).toBe(204);
  });
});

describe('a merged trip rehearsed by a test key', () => {
  const agencyTrip = {
    traveler: { loginId: TRAVELER },
    startDateLocal: '2027-06-10T09:00:00',
    endDateLocal: '2027-06-20T18:00:00',
  };
  // Inside the trip's dates, and outside those of every trip the tests above made.
  const within = { startDateLocal: '2027-06-12T12:00:00', endDateLocal: '2027-06-14T12:00:00' };

  it('books a trip elsewhere that the test key’s next booking within its dates joins, beside the agency’s booking', async () => {
    const booked = await api(gateway, testKey).post('/v1/sandbox/trips', agencyTrip);
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    const tripId = booked.body.trip.tripId as string;
    expect(booked.body).toEqual({
      companyId: SANDBOX,
      trip: { tripId, startDateLocal: agencyTrip.startDateLocal, endDateLocal: agencyTrip.endDateLocal },
      livemode: false,
    });

    // Within the trip's dates, without a trip id: Concur merges it into the trip; not so in another sandbox.
    const [merged, other] = await Promise.all([
      book(testKey, SANDBOX, 'MERGED1', within),
      book(otherTestKey, OTHER_SANDBOX, 'APART1', within),
    ]);
    expect(merged.status, JSON.stringify(merged.body)).toBe(201);
    expect(merged.body.booking.tripId).toBe(tripId);
    expect(other.status).toBe(201);
    expect(other.body.booking.tripId).not.toBe(tripId);

    const trip = await api(gateway, testKey).get(
      `/v1/companies/${SANDBOX}/trips/${encodeURIComponent(tripId)}`,
    );
    expect(trip.status, JSON.stringify(trip.body)).toBe(200);
    const text = JSON.stringify(trip.body);
    expect(text).toContain('MERGED1');
    // The agency's booking is there, reduced to its source: none of its details reach the supplier.
    expect(text).toContain('{"bookingSource":"TravelAgency"}');
    expect(text).not.toContain('AGENCY');
    const [stored] = gateway.simulator!.state.trips(SANDBOX).filter((t) => t.id === tripId);
    expect(stored!.bookings.map(({ booking }) => booking.bookingSource)).toEqual([
      'TravelAgency',
      'DemoSupplier',
    ]);
  });

  it('refuses a live key, an unknown traveler, and a body that is not a trip', async () => {
    const before = gateway.simulator!.state.trips().length;
    const live = await api(gateway, liveKey).post('/v1/sandbox/trips', agencyTrip);
    expect(live.status).toBe(403);
    expect(live.body.type).toBe('urn:concur-gateway:problem:test-mode-only');
    const stranger = await api(gateway, testKey).post('/v1/sandbox/trips', {
      ...agencyTrip,
      traveler: { loginId: 'nobody@example.com' },
    });
    expect(stranger.status, JSON.stringify(stranger.body)).toBe(404);
    for (const [body, path] of [
      [{ ...agencyTrip, endDateLocal: '2027-06-09T09:00:00' }, 'endDateLocal'],
      [{ ...agencyTrip, startDateLocal: 'tomorrow' }, 'startDateLocal'],
      [{ ...agencyTrip, traveler: {} }, 'traveler.loginId'],
    ] as const) {
      const answer = await api(gateway, testKey).post('/v1/sandbox/trips', body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
    expect(gateway.simulator!.state.trips()).toHaveLength(before);
  });
});
