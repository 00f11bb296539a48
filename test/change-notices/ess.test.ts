/**
 * Changes made in Concur, through the local default's whole stack (real HTTP all the way): the simulator's ESS
 * delivers signed itinerary events to `POST /v1/concur/events`, the applier reads the trip with Itinerary v4,
 * and only the supplier whose booking changed hears of it, at its own webhook endpoint.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbClient } from '../../shared/composition/dynamodb';
import { api, bookingPath, carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation } from '../events/support';
import { messageIdOf } from '../../shared/webhooks-out/message-ids';
import { startReceiver, verifiedWebhook } from '../webhooks-out/support';
import type { Receiver } from '../webhooks-out/support';
import { bodyOf, bookingOf, simulatorAdmin, twoSuppliersOf } from './support';
import type { TestEndpoint, TwoSuppliers } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let otherKey: string;
let ownEndpoint: TestEndpoint;
let otherEndpoint: TestEndpoint;
let sharedTrip: TwoSuppliers['sharedTrip'];
/** Every ESS event the simulator sends, as sent (a second subscription). */
let essCopy: Receiver;

beforeAll(async () => {
  gateway = await startTestGateway({ events: { secondsScale: 0.1 }, concurEvents: true });
  ({ otherKey, ownEndpoint, otherEndpoint, sharedTrip } = await twoSuppliersOf(gateway));
  essCopy = await startReceiver();
  gateway.simulator!.ess.subscribe(essCopy.url);
}, 60_000);

afterAll(async () => {
  for (const receiver of [ownEndpoint?.receiver, otherEndpoint?.receiver, essCopy]) await receiver?.close();
  await gateway?.close();
});

const own = () => api(gateway, gateway.apiKey);
const other = () => api(gateway, otherKey);
const sim = () => gateway.simulator!;
const admin = (path: string, body?: unknown) => simulatorAdmin(gateway, path, body);

/** Waits until every ESS event sent so far has been delivered to the gateway and its queue is empty. */
async function settled() {
  const until = Date.now() + 20_000;
  for (;;) {
    const attempts = sim().ess.attempts();
    const pending = attempts.some((a) => a.outcome === 'retrying');
    const delivered = new Set(
      attempts.filter((a) => a.outcome === 'delivered').map((a) => `${a.subscriptionId}/${a.eventId}`),
    );
    const events = new Set(attempts.map((a) => `${a.subscriptionId}/${a.eventId}`));
    if (!pending && delivered.size === events.size) break;
    if (Date.now() > until)
      throw new Error(`ESS deliveries did not settle: ${JSON.stringify(attempts.slice(-4))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // The applier's queue drains within the local poller's rounds; an event that met a change in progress waits 5 s.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
}

/** The message ids an ESS event sent so far names for `parts` (the supplier, what it tells of). */
const messageIdsOfEvents = (...parts: string[]) =>
  essCopy.received.map((copy) => messageIdOf((JSON.parse(copy.body) as { id: string }).id, ...parts));

describe('changes made in Concur, told through ESS', () => {
  it('a booking the traveler cancels reaches its owner once as booking.cancelled_in_concur, and the other supplier in the trip hears nothing', async () => {
    const tripId = await sharedTrip('04', 'ESS-OWN-1', 'ESS-OTHER-1');
    await settled();
    // The gateway's own writes (a create, an update) are no change made in Concur: nobody heard of them.
    expect(ownEndpoint.receiver.received.map((r) => r.body)).toEqual([]);
    expect(otherEndpoint.receiver.received.map((r) => r.body)).toEqual([]);
    expect(otherEndpoint.receiver.received).toHaveLength(0);

    await admin(`/_sim/trips/${encodeURIComponent(tripId)}/traveler-change`, {
      confirmationNumber: 'ESS-OWN-1',
      cancel: true,
    });
    const [webhook] = await ownEndpoint.receiver.waitFor(1);
    expect(verifiedWebhook(ownEndpoint.secret, webhook!)).toBeTruthy();
    const event = bodyOf(webhook!);
    expect(event.type).toBe('booking.cancelled_in_concur');
    expect(event.data).toMatchObject({
      companyId: COMPANY,
      confirmationNumber: 'ESS-OWN-1',
      tripId,
      change: { state: 'cancelled_in_concur', reason: 'cancelled' },
      booking: { confirmationNumber: 'ESS-OWN-1', concurState: 'cancelled_in_concur', status: 'active' },
    });
    expect(webhook!.body).not.toContain('ESS-OTHER-1');
    await settled();
    expect(ownEndpoint.receiver.received).toHaveLength(1);
    // Its message id comes from the event, the supplier and the booking: applied again, the event tells the same one.
    expect(messageIdsOfEvents('demo-supplier', 'ESS-OWN-1')).toContain(webhook!.headers['webhook-id']);
    expect(otherEndpoint.receiver.received).toHaveLength(0);

    const mine = await own().get(bookingPath('ESS-OWN-1'));
    expect(mine.body.booking).toMatchObject({ concurState: 'cancelled_in_concur' });
    expect(mine.body.booking.concurChangedAt).toEqual(expect.any(String));
    const theirs = await other().get(bookingPath('ESS-OTHER-1'));
    expect(theirs.body.booking.concurState).toBeUndefined();
  });

  it('refuses a delivery whose Concur-Signature does not verify with 401, and changes nothing', async () => {
    const tripId = await sharedTrip('05', 'ESS-OWN-2', 'ESS-OTHER-2');
    await settled();
    const before = essCopy.received.length;
    const ownBefore = ownEndpoint.receiver.received.length;
    const otherBefore = otherEndpoint.receiver.received.length;
    await admin(`/_sim/trips/${encodeURIComponent(tripId)}/traveler-cancel`);
    // The whole trip cancelled: each supplier hears of its own booking.
    const [ownCancel] = (await ownEndpoint.receiver.waitFor(ownBefore + 1)).slice(ownBefore);
    const [otherCancel] = (await otherEndpoint.receiver.waitFor(otherBefore + 1)).slice(otherBefore);
    expect(bodyOf(ownCancel!).data.confirmationNumber).toBe('ESS-OWN-2');
    expect(bodyOf(otherCancel!).data.confirmationNumber).toBe('ESS-OTHER-2');
    // The same event, sent again by someone without the key: the copy's body with a signature of other bytes.
    const [copy] = (await essCopy.waitFor(before + 1)).slice(before);
    await settled();
    const received = ownEndpoint.receiver.received.length;
    const forged = JSON.parse(copy!.body) as { id: string };
    forged.id = '5a4b1c2d-0000-4000-8000-000000000001';
    for (const signature of [undefined, copy!.headers['concur-signature'], 'AAAA', 'not base64 !']) {
      const answer = await fetch(`${gateway.url}/v1/concur/events`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(signature ? { 'Concur-Signature': signature } : {}),
        },
        body: JSON.stringify(forged),
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(ownEndpoint.receiver.received).toHaveLength(received);
  });

  it('applies an event delivered twice once: one webhook, one change in the booking history', async () => {
    const tripId = await sharedTrip('06', 'ESS-OWN-3', 'ESS-OTHER-3');
    await settled();
    const before = essCopy.received.length;
    const ownBefore = ownEndpoint.receiver.received.length;
    const otherBefore = otherEndpoint.receiver.received.length;
    await admin(`/_sim/trips/${encodeURIComponent(tripId)}/traveler-change`, {
      confirmationNumber: 'SEG-ESS-OTHER-3',
      startDateLocal: '2029-06-09T12:00:00',
    });
    const [copy] = (await essCopy.waitFor(before + 1)).slice(before);
    const [changed] = (await otherEndpoint.receiver.waitFor(otherBefore + 1)).slice(otherBefore);
    expect(bodyOf(changed!)).toMatchObject({
      type: 'booking.changed_in_concur',
      data: {
        confirmationNumber: 'ESS-OTHER-3',
        change: {
          reason: 'dates-changed',
          dates: {
            from: { startDateLocal: '2029-06-10T13:00:00' },
            to: { startDateLocal: '2029-06-09T12:00:00' },
          },
        },
      },
    });
    // ESS delivers the same event again (twice, at once).
    const again = await Promise.all(
      [1, 2].map(() =>
        fetch(`${gateway.url}/v1/concur/events`, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Concur-Signature': copy!.headers['concur-signature']!,
          },
          body: copy!.body,
        }),
      ),
    );
    expect(again.map((answer) => answer.status)).toEqual([202, 202]);
    await settled();
    expect(otherEndpoint.receiver.received).toHaveLength(otherBefore + 1);
    expect(ownEndpoint.receiver.received).toHaveLength(ownBefore);
    const history = await other().get(`${bookingPath('ESS-OTHER-3')}/history`);
    expect(history.status).toBe(200);
    expect(
      history.body.history.filter((entry: { action: string }) => entry.action === 'changed-in-concur'),
    ).toHaveLength(1);
  });

  it('an anonymized trip leaves no traveler name or login in the gateway’s records, and its owners hear the booking is gone', async () => {
    const login = 'zebulon.quartermain@example.com';
    const named = (month: string, number: string, inside = false) => {
      const request = bookingOf(month, number, login, inside);
      return {
        ...request,
        booking: { ...request.booking, passengers: [{ nameFirst: 'Zebulon', nameLast: 'Quartermain' }] },
      };
    };
    // A user of the company at Concur, so that the bookings may name them.
    gateway.simulator!.users.add(COMPANY, {
      loginId: login,
      givenName: 'Zebulon',
      familyName: 'Quartermain',
    });
    const mine = await own().put(bookingPath('ESS-OWN-4'), named('07', 'ESS-OWN-4'));
    expect(mine.status).toBe(201);
    const tripId = mine.body.booking.tripId as string;
    // Sent again as an asynchronous request: its operation keeps the request (the traveler's name) and the answer.
    const again = await own().put(bookingPath('ESS-OWN-4'), named('07', 'ESS-OWN-4'), {
      prefer: 'respond-async',
    });
    expect(again.status).toBe(202);
    const operation = await awaitOperation(gateway, gateway.apiKey, again.body.operation.href);
    expect(operation.body.operation.status).toBe('succeeded');
    expect((await other().put(bookingPath('ESS-OTHER-4'), named('07', 'ESS-OTHER-4', true))).status).toBe(
      201,
    );
    // The trip listing keeps the traveler's trips per month: the login is in the state table now.
    expect(
      (await own().get(`/v1/companies/${COMPANY}/trips?traveler.loginId=${encodeURIComponent(login)}`))
        .status,
    ).toBeLessThan(500);
    await settled();
    const ownBefore = ownEndpoint.receiver.received.length;
    const otherBefore = otherEndpoint.receiver.received.length;

    await admin(`/_sim/trips/${encodeURIComponent(tripId)}/anonymize`);
    const [gone] = (await ownEndpoint.receiver.waitFor(ownBefore + 1)).slice(ownBefore);
    expect(bodyOf(gone!)).toMatchObject({
      type: 'booking.cancelled_in_concur',
      data: {
        confirmationNumber: 'ESS-OWN-4',
        change: { state: 'removed_in_concur', reason: 'trip-anonymized' },
      },
    });
    await otherEndpoint.receiver.waitFor(otherBefore + 1);
    await settled();
    expect(gone!.body).not.toMatch(/zebulon|quartermain/i);

    // The operation stays, without what it carried of the traveler.
    const erased = await own().get(`/v1/operations/${operation.body.operation.id}`);
    expect(erased.body.operation).toMatchObject({ status: 'succeeded' });
    for (const table of [process.env.STATE_TABLE_NAME!, process.env.IDEMPOTENCY_TABLE_NAME!]) {
      const { Items = [] } = await dynamoDbClient().send(new ScanCommand({ TableName: table }));
      const text = JSON.stringify(Items);
      expect(text).not.toMatch(/zebulon|quartermain/i);
    }
    const mapping = await own().get(bookingPath('ESS-OWN-4'));
    expect(mapping.body.booking).toMatchObject({
      concurState: 'removed_in_concur',
      traveler: { loginId: 'erased' },
    });
  });

  it('a trip its supplier created, cancelled as the traveler, is told to its creator once as trip.cancelled_in_concur; one it cancels itself tells nothing', async () => {
    const trips = `/v1/companies/${COMPANY}/trips`;
    const tripOf = (name: string, locator: string, month: string) => ({
      itinerary: {
        tripName: name,
        startDateLocal: `2029-${month}-20T08:00:00`,
        endDateLocal: `2029-${month}-23T20:00:00`,
        bookings: [
          {
            bookingSource: 'DemoSupplier',
            recordLocator: locator,
            ...carBooking(
              {},
              {
                confirmationNumber: `SEG-${locator}`,
                startDateLocal: `2029-${month}-20T12:00:00`,
                endDateLocal: `2029-${month}-22T12:00:00`,
              },
            ),
          },
        ],
      },
      traveler: { loginId: TRAVELER },
    });
    const told = await own().post(trips, tripOf('Told', 'TRIP-ESS-1', '09'));
    expect(told.status, JSON.stringify(told.body)).toBe(201);
    const ownCancelled = await own().post(trips, tripOf('Cancelled by its supplier', 'TRIP-ESS-2', '10'));
    expect(ownCancelled.status).toBe(201);
    await settled();
    const ownBefore = ownEndpoint.receiver.received.length;
    const otherBefore = otherEndpoint.receiver.received.length;

    const cancelled = await own().post(`${trips}/${encodeURIComponent(ownCancelled.body.tripId)}/cancel`, {});
    expect(cancelled.status).toBe(200);
    await settled();
    // Concur tells of that trip again later (here: cancelled once more, past the moment of its own record).
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    await admin(`/_sim/trips/${encodeURIComponent(ownCancelled.body.tripId)}/traveler-cancel`);
    await settled();
    expect(ownEndpoint.receiver.received.slice(ownBefore).map((r) => bodyOf(r).type)).toEqual([]);

    await admin(`/_sim/trips/${encodeURIComponent(told.body.tripId)}/traveler-cancel`);
    const [tripEvent] = (await ownEndpoint.receiver.waitFor(ownBefore + 1)).slice(ownBefore);
    expect(verifiedWebhook(ownEndpoint.secret, tripEvent!)).toBeTruthy();
    expect(bodyOf(tripEvent!)).toMatchObject({
      type: 'trip.cancelled_in_concur',
      data: {
        companyId: COMPANY,
        tripId: told.body.tripId,
        change: { state: 'cancelled_in_concur', reason: 'cancelled' },
      },
    });
    // ESS tells of the cancel more than once (the trip, then its update): the trip is told once.
    await settled();
    expect(
      ownEndpoint.receiver.received
        .slice(ownBefore)
        .map((r) => bodyOf(r).type)
        .filter((type) => type.startsWith('trip.')),
    ).toEqual(['trip.cancelled_in_concur']);
    expect(messageIdsOfEvents('demo-supplier', 'trip', told.body.tripId)).toContain(
      tripEvent!.headers['webhook-id'],
    );
    expect(otherEndpoint.receiver.received.slice(otherBefore)).toEqual([]);
  });
});
