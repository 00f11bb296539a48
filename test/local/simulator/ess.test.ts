import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EssEvent, Simulator } from '../../../local/simulator';
import {
  BOOKING_PATH,
  bookingXml,
  call,
  carBooking,
  itineraryOf,
  startTestSimulator,
  tripIdOf,
  until,
} from './support';

interface Received {
  body: string;
  signature: string;
  event: EssEvent;
}

/** An ESS endpoint on 127.0.0.1 answering `statuses` in turn (then 200). */
async function receiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        body,
        signature: String(request.headers['concur-signature']),
        event: JSON.parse(body),
      });
      response.writeHead(statuses.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ess`, received };
}
const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

const verifies = (sim: Simulator, r: Received) =>
  createVerify('sha256').update(r.body).verify(sim.ess.publicKeyPem, r.signature, 'base64');

async function postBooking(sim: Simulator, recordLocator: string, source = 'TravelBookings.com') {
  const result = await call(sim, BOOKING_PATH, {
    body: bookingXml(carBooking(recordLocator, '2013-12-21T09:00:00', '2013-12-23T09:00:00', source)),
  });
  expect(result.status).toBe(200);
  return tripIdOf(itineraryOf(result));
}

describe('ESS itinerary events and Itinerary v4', () => {
  it('delivers a signed event per change whose v4 link reads the trip; the traveler cancel shows cancelled segments', async () => {
    const { sim } = await startTestSimulator();
    const endpoint = await receiver();
    const subscribed = await fetch(`${sim.url}/_sim/ess/subscriptions`, {
      method: 'POST',
      body: JSON.stringify({ url: endpoint.url }),
    });
    expect(subscribed.status).toBe(201);
    const tripId = await postBooking(sim, 'ESS001');
    await until(() => endpoint.received.length === 1);
    const created = endpoint.received[0]!;
    expect(verifies(sim, created)).toBe(true);
    expect(created.event).toMatchObject({
      eventType: 'ItineraryCreated',
      topic: 'public.concur.travel.itinerary',
      facts: { companyId: sim.defaultCompanyId },
    });
    // A tampered body does not verify.
    expect(verifies(sim, { ...created, body: created.body.replace('Created', 'Deleted') })).toBe(false);

    const cancel = await fetch(`${sim.url}/_sim/trips/${encodeURIComponent(tripId)}/traveler-cancel`, {
      method: 'POST',
    });
    expect(cancel.status).toBe(200);
    await until(() => endpoint.received.length === 2);
    const cancelled = endpoint.received[1]!.event;
    expect(cancelled.eventType).toBe('ItineraryCancelled');
    const v4 = await fetch(cancelled.facts.hrefs!.v4, {
      headers: { Authorization: `Bearer ${sim.accessTokenFor()}` },
    });
    expect(v4.status).toBe(200);
    const trip = (await v4.json()) as Record<string, unknown> & {
      Bookings: { RecordLocator: string; Segments: { Car: Record<string, unknown>[] } }[];
    };
    expect(trip).toMatchObject({ ItinLocator: tripId, TripStatus: 2, ID: cancelled.facts.id });
    expect(trip.Bookings[0]!.RecordLocator).toBe('ESS001');
    expect(trip.Bookings[0]!.Segments.Car[0]).toMatchObject({
      ConfirmationNumber: 'C-ESS001',
      StartDateLocal: '2013-12-21T09:00:00.000-00:00',
    });
    expect(trip.Bookings[0]!.Segments.Car[0]!.DateCancelledUtc).toMatch(/\+00:00$/);
    // v4 takes a company token; none is 401.
    expect((await fetch(cancelled.facts.hrefs!.v4)).status).toBe(401);
  });

  it('changes one booking as the traveler, then deletes and anonymizes: events without hrefs, no name left', async () => {
    const { sim } = await startTestSimulator();
    const endpoint = await receiver();
    sim.ess.subscribe(endpoint.url);
    const tripId = await postBooking(sim, 'ESS002');
    await postBooking(sim, 'OTHER2', 'OtherSource');
    const change = await fetch(`${sim.url}/_sim/trips/${encodeURIComponent(tripId)}/traveler-change`, {
      method: 'POST',
      body: JSON.stringify({ confirmationNumber: 'C-ESS002', startDateLocal: '2013-12-22T09:00:00' }),
    });
    expect(change.status).toBe(200);
    const shown = (await change.json()) as {
      trip: { Bookings: { Segments: { Car: { StartDateLocal: string }[] } }[] };
    };
    expect(shown.trip.Bookings[0]!.Segments.Car[0]!.StartDateLocal).toBe('2013-12-22T09:00:00.000-00:00');
    expect(sim.state.trip(tripId)!.bookings.map((b) => b.canceled)).toEqual([false, false]);

    sim.traveler.anonymizeTrip(tripId);
    expect(JSON.stringify(sim.state.trip(tripId))).not.toMatch(/Chris|Miller|cm@example\.com/);
    sim.traveler.deleteTrip(tripId);
    expect(sim.state.trip(tripId)).toBeUndefined();
    await until(() => endpoint.received.length === 5);
    expect(endpoint.received.map((r) => r.event.eventType)).toEqual([
      'ItineraryCreated',
      'ItineraryUpdated',
      'ItineraryUpdated',
      'ItineraryAnonymized',
      'ItineraryDeleted',
    ]);
    expect(endpoint.received[3]!.event.facts.hrefs).toBeUndefined();
    expect(endpoint.received.every((r) => verifies(sim, r))).toBe(true);
    const unknown = await fetch(`${sim.url}/_sim/trips/nope/traveler-cancel`, { method: 'POST' });
    expect(unknown.status).toBe(404);
  });

  it('retries 5xx, 401 and 429 with the same event, and does not retry another 4xx', async () => {
    const { sim } = await startTestSimulator({ essRetryDelaysMs: [10, 10, 10, 10] });
    const endpoint = await receiver([503, 401, 429, 200, 400]);
    sim.ess.subscribe(endpoint.url);
    const tripId = await postBooking(sim, 'ESS003');
    sim.traveler.cancelTrip(tripId);
    await until(() => sim.ess.attempts().length === 5);
    expect(endpoint.received.slice(0, 4).map((r) => r.event.id)).toEqual(
      Array(4).fill(endpoint.received[0]!.event.id),
    );
    expect(sim.ess.attempts().map((a) => a.outcome)).toEqual([
      'retrying',
      'retrying',
      'retrying',
      'delivered',
      'refused',
    ]);
    // Events of one subscription come one at a time, in order.
    expect(endpoint.received[4]!.event.eventType).toBe('ItineraryCancelled');
  });
});
