/**
 * Changes made in Concur for a company without ESS, through the local default's whole stack (real HTTP all the
 * way): the company is set to `poll`, so the ESS events the simulator still sends are not applied; the poller
 * lists the traveler's trips with Itinerary v1.1's lastModifiedDate, feeds the same comparison, and only the
 * supplier whose booking changed hears of it, at its own webhook endpoint. `off` follows nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeNoticeModes } from '../../shared/composition/change-notices';
import { DynamoPollCursors } from '../../shared/change-polling/dynamo-cursors';
import { dynamoDbClient, stateTableName } from '../../shared/composition/dynamodb';
import { api, bookingPath, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { verifiedWebhook } from '../webhooks-out/support';
import { bodyOf, bookingOf, simulatorAdmin, twoSuppliersOf } from './support';
import type { TestEndpoint, TwoSuppliers } from './support';

/** Short, for the test: the simulator is no Concur, whose polling rule asks for ten minutes. */
const POLL_INTERVAL_MS = 400;

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let otherKey: string;
let ownEndpoint: TestEndpoint;
let otherEndpoint: TestEndpoint;
let sharedTrip: TwoSuppliers['sharedTrip'];

beforeAll(async () => {
  gateway = await startTestGateway({
    events: { secondsScale: 0.1 },
    // The simulator keeps sending ESS events: a company set to poll must not apply them.
    concurEvents: true,
    changePollIntervalMs: POLL_INTERVAL_MS,
  });
  await changeNoticeModes().setMode(COMPANY, 'poll');
  ({ otherKey, ownEndpoint, otherEndpoint, sharedTrip } = await twoSuppliersOf(gateway));
}, 60_000);

afterAll(async () => {
  for (const receiver of [ownEndpoint?.receiver, otherEndpoint?.receiver]) await receiver?.close();
  await gateway?.close();
});

const own = () => api(gateway, gateway.apiKey);
const other = () => api(gateway, otherKey);
const sim = () => gateway.simulator!;
const admin = (path: string, body?: unknown) => simulatorAdmin(gateway, path, body);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Enough poll windows for every traveler to be listed twice, and their webhooks sent. */
const someWindows = () => pause(POLL_INTERVAL_MS * 8);

/** The trip lists the poller sent for the traveler, oldest first. */
const tripListsOf = (traveler: string) =>
  sim()
    .requests.of('tripList')
    .filter((entry) => entry.query.lastModifiedDate !== undefined && entry.query.userid_value === traveler);

describe('changes made in Concur, polled for a company without ESS', () => {
  it('a booking the traveler cancels reaches its owner once as booking.cancelled_in_concur through the poller, and the other supplier in the trip hears nothing', async () => {
    const tripId = await sharedTrip('08', 'POLL-OWN-1', 'POLL-OTHER-1');
    await someWindows();
    // The gateway's own writes are no change made in Concur: nobody heard of them, though the poller listed them.
    expect(tripListsOf(TRAVELER).length).toBeGreaterThan(0);
    expect(ownEndpoint.receiver.received).toHaveLength(0);
    expect(otherEndpoint.receiver.received).toHaveLength(0);
    const essBefore = sim()
      .ess.attempts()
      .filter((a) => a.outcome === 'delivered').length;

    await admin(`/_sim/trips/${encodeURIComponent(tripId)}/traveler-change`, {
      confirmationNumber: 'POLL-OWN-1',
      cancel: true,
    });
    const [webhook] = await ownEndpoint.receiver.waitFor(1);
    expect(verifiedWebhook(ownEndpoint.secret, webhook!)).toBeTruthy();
    expect(bodyOf(webhook!)).toMatchObject({
      type: 'booking.cancelled_in_concur',
      data: {
        companyId: COMPANY,
        confirmationNumber: 'POLL-OWN-1',
        tripId,
        change: { state: 'cancelled_in_concur', reason: 'cancelled' },
        booking: { confirmationNumber: 'POLL-OWN-1', concurState: 'cancelled_in_concur', status: 'active' },
      },
    });
    expect(webhook!.body).not.toContain('POLL-OTHER-1');
    // ESS told the change too, and it was not applied: the poller's list found it after the change.
    expect(
      sim()
        .ess.attempts()
        .filter((a) => a.outcome === 'delivered').length,
    ).toBeGreaterThan(essBefore);
    const lists = tripListsOf(TRAVELER);
    expect(lists.at(-1)!.query.includeCanceledTrips).toBe('true');

    await someWindows();
    expect(ownEndpoint.receiver.received).toHaveLength(1);
    expect(otherEndpoint.receiver.received).toHaveLength(0);
    const theirs = await other().get(bookingPath('POLL-OTHER-1'));
    expect(theirs.body.booking.concurState).toBeUndefined();
    const told = await own().get(bookingPath('POLL-OWN-1'));
    const cancelledAt = told.body.booking.concurChangedAt as string;
    expect(cancelledAt).toEqual(expect.any(String));

    // The supplier's booking still exists: a later PUT posts it again, and says it was cancelled in Concur.
    const revived = await own().put(bookingPath('POLL-OWN-1'), bookingOf('08', 'POLL-OWN-1'));
    expect(revived.status, JSON.stringify(revived.body)).toBe(200);
    expect(revived.body.revived).toEqual({
      concurState: 'cancelled_in_concur',
      concurChangedAt: cancelledAt,
    });
    expect(revived.body.booking.concurState).toBeUndefined();
    const again = await own().put(bookingPath('POLL-OWN-1'), bookingOf('08', 'POLL-OWN-1'));
    expect(again.status).toBe(200);
    expect(again.body.revived).toBeUndefined();
    // Posting it again is the gateway's own change: the poller sees the trip modified and tells nobody.
    await someWindows();
    expect(ownEndpoint.receiver.received).toHaveLength(1);
    expect(otherEndpoint.receiver.received).toHaveLength(0);
  });

  it('lists a traveler at most once in each poll window, the later lists from where the last one got to', async () => {
    const lists = tripListsOf(TRAVELER);
    expect(lists.length).toBeGreaterThan(2);
    const times = lists.map((entry) => Date.parse(entry.receivedAt));
    const windows = times.map((time) => Math.floor(time / POLL_INTERVAL_MS));
    expect(new Set(windows).size).toBe(windows.length);
    const since = lists.map((entry) => entry.query.lastModifiedDate!);
    expect([...since].sort()).toEqual(since);
    expect(since.at(-1)! > since[0]!).toBe(true);
  });

  it('claims a traveler’s window once however many runs try it at once', async () => {
    const cursors = new DynamoPollCursors({ client: dynamoDbClient(), tableName: stateTableName() });
    const claims = await Promise.all(
      Array.from({ length: 24 }, () => cursors.claim('claims-company', 'claims@example.com', 7)),
    );
    expect(claims.filter((claim) => claim !== undefined)).toHaveLength(1);
    await cursors.advance('claims-company', 'claims@example.com', '2029-01-01T00:00:00');
    await cursors.advance('claims-company', 'claims@example.com', '2028-01-01T00:00:00');
    expect(await cursors.claim('claims-company', 'claims@example.com', 7)).toBeUndefined();
    expect(await cursors.claim('claims-company', 'claims@example.com', 8)).toEqual({
      since: '2029-01-01T00:00:00',
    });
  });

  it('off follows nothing: neither the ESS events nor the poller change the booking or tell anyone', async () => {
    await changeNoticeModes().setMode(COMPANY, 'off');
    gateway.simulator!.users.add(COMPANY, { loginId: 'offline.traveler@example.com' });
    try {
      const tripId = await sharedTrip('09', 'POLL-OWN-2', 'POLL-OTHER-2', 'offline.traveler@example.com');
      await someWindows();
      const listsBefore = tripListsOf('offline.traveler@example.com').length;
      const ownBefore = ownEndpoint.receiver.received.length;
      await admin(`/_sim/trips/${encodeURIComponent(tripId)}/traveler-cancel`);
      await someWindows();
      expect(ownEndpoint.receiver.received).toHaveLength(ownBefore);
      expect(otherEndpoint.receiver.received).toHaveLength(0);
      expect(tripListsOf('offline.traveler@example.com')).toHaveLength(listsBefore);
      expect(listsBefore).toBe(0);
      const mine = await own().get(bookingPath('POLL-OWN-2'));
      expect(mine.body.booking.concurState).toBeUndefined();
    } finally {
      await changeNoticeModes().setMode(COMPANY, 'poll');
    }
  });
});
