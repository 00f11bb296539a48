/**
 * What the change notice tests share: a company two suppliers post to (the gateway's demo supplier, "own", and
 * another), each with a webhook endpoint of its own; their bookings in one trip; and the simulator's admin
 * routes, through which the traveler changes the trip in Concur.
 */
import { expect } from 'vitest';
import { addSupplier, api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';
import type { startTestGateway } from '../gateway/support';
import { startReceiver } from '../webhooks-out/support';
import type { Receiver, ReceivedWebhook } from '../webhooks-out/support';

type TestGateway = Awaited<ReturnType<typeof startTestGateway>>;

/** A supplier's webhook endpoint: its signing secret, and the receiver it sends to. */
export interface TestEndpoint {
  secret: string;
  receiver: Receiver;
}

export interface TwoSuppliers {
  /** The other supplier's API key. */
  otherKey: string;
  ownEndpoint: TestEndpoint;
  otherEndpoint: TestEndpoint;
  /** Two suppliers' bookings in one trip: the own supplier's first, the other's posted into its trip. */
  sharedTrip(month: string, ownNumber: string, otherNumber: string, traveler?: string): Promise<string>;
}

async function endpointOf(gateway: TestGateway, apiKey: string): Promise<TestEndpoint> {
  const receiver = await startReceiver();
  const created = await api(gateway, apiKey).post('/v1/webhook-endpoints', { url: receiver.url });
  expect(created.status).toBe(201);
  return { secret: created.body.endpoint.secret as string, receiver };
}

/** Registers the other supplier of the company and an endpoint for each supplier. */
export async function twoSuppliersOf(gateway: TestGateway): Promise<TwoSuppliers> {
  const otherKey = await addSupplier('other-supplier', 'OtherSource', [COMPANY]);
  const own = api(gateway, gateway.apiKey);
  const other = api(gateway, otherKey);
  return {
    otherKey,
    ownEndpoint: await endpointOf(gateway, gateway.apiKey),
    otherEndpoint: await endpointOf(gateway, otherKey),
    sharedTrip: async (month, ownNumber, otherNumber, traveler = TRAVELER) => {
      const mine = await own.put(bookingPath(ownNumber), bookingOf(month, ownNumber, traveler));
      expect(mine.status, JSON.stringify(mine.body)).toBe(201);
      const tripId = mine.body.booking.tripId as string;
      const theirs = await other.put(bookingPath(otherNumber), bookingOf(month, otherNumber, traveler, true));
      expect(theirs.status, JSON.stringify(theirs.body)).toBe(201);
      expect(theirs.body.booking.tripId).toBe(tripId);
      return tripId;
    },
  };
}

/** A booking of the 10th to the 12th; `inside` one of the 10th to the 11th, which Concur puts in the same trip. */
export const bookingOf = (month: string, confirmation: string, traveler = TRAVELER, inside = false) => ({
  booking: carBooking(
    {},
    {
      confirmationNumber: `SEG-${confirmation}`,
      startDateLocal: `2029-${month}-10T${inside ? '13' : '12'}:00:00`,
      endDateLocal: `2029-${month}-${inside ? '11' : '12'}T12:00:00`,
    },
  ),
  traveler: { loginId: traveler },
});

/** Calls one of the simulator's admin routes (a change made in Concur), which must succeed. */
export async function simulatorAdmin(gateway: TestGateway, path: string, body: unknown = {}): Promise<void> {
  const answer = await fetch(`${gateway.simulator!.url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  expect(answer.status, await answer.clone().text()).toBeLessThan(300);
}

export const bodyOf = (webhook: ReceivedWebhook) =>
  JSON.parse(webhook.body) as {
    type: string;
    data: Record<string, unknown> & { change: Record<string, unknown> };
  };
