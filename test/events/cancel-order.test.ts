/**
 * Cancels in order: a cancel carries its version (`dateModifiedUtc`) and is stored as the booking's state, so an
 * upsert that arrives after it but is older stays unapplied, and only a newer one books again. Through signed
 * webhooks and the cancel route, the local server, the queue and the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { administration } from '../../shared/composition/administration';
import { api, bookingPath, carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation, bookingEvent, postWebhook } from './support';

const SECRET = `whsec_${Buffer.from('secret-of-the-cancel-order-test').toString('base64')}`;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1 } });
  await administration().configureWebhookSecrets('demo-supplier', [SECRET]);
}, 60_000);
afterAll(() => gateway?.close());

const upsert = (confirmationNumber: string, dateModifiedUtc: string, dailyRate: number) =>
  bookingEvent(confirmationNumber, {
    companyId: COMPANY,
    booking: carBooking({ dateModifiedUtc }, { confirmationNumber, dailyRate }),
    traveler: { loginId: TRAVELER },
  });
const cancel = (confirmationNumber: string, dateModifiedUtc?: string) =>
  bookingEvent(
    confirmationNumber,
    { companyId: COMPANY, ...(dateModifiedUtc ? { dateModifiedUtc } : {}) },
    'booking.cancelled',
  );

/** Delivers one event and waits for its operation to end. */
async function deliver(payload: unknown): Promise<{ status: string; problem?: { type: string } }> {
  const answer = await postWebhook(gateway, 'demo-supplier', payload, { secrets: [SECRET] });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const done = await awaitOperation(gateway, gateway.apiKey, answer.body.operation.href);
  return done.body.operation;
}

/** The booking as the simulator holds it: cancelled or not, and its daily rate. */
function atConcur(confirmationNumber: string) {
  const stored = gateway
    .simulator!.state.trips(COMPANY)
    .flatMap((trip) => trip.bookings)
    .filter((booking) => booking.booking.recordLocator === confirmationNumber);
  expect(stored).toHaveLength(1);
  const segment = (stored[0]!.booking.segments as { dailyRate?: unknown }[] | undefined)?.[0];
  return { canceled: stored[0]!.canceled, dailyRate: segment?.dailyRate };
}

describe('booking.cancelled with its version', () => {
  it('skips a late upsert older than the cancel: the booking stays cancelled at Concur', async () => {
    expect(await deliver(upsert('ORD-1', '2027-01-03T10:00:00', 103))).toMatchObject({ status: 'succeeded' });
    expect(await deliver(cancel('ORD-1', '2027-01-05T10:00:00'))).toMatchObject({ status: 'succeeded' });
    // v4 was made before the cancel, and arrives after it.
    const late = await deliver(upsert('ORD-1', '2027-01-04T10:00:00', 104));
    expect(late).toMatchObject({ status: 'skipped', problem: { type: 'urn:concur-gateway:problem:stale' } });
    expect(atConcur('ORD-1')).toMatchObject({ canceled: true });
    const booking = await api(gateway, gateway.apiKey).get(bookingPath('ORD-1'));
    expect(booking.body.booking.status).toBe('cancelled');
    // An upsert of the cancel's own instant does not undo it either.
    expect(await deliver(upsert('ORD-1', '2027-01-05T10:00:00', 105))).toMatchObject({ status: 'skipped' });
    expect(atConcur('ORD-1')).toMatchObject({ canceled: true });
  });

  it('books again with an upsert newer than the cancel', async () => {
    await deliver(upsert('ORD-2', '2027-01-03T10:00:00', 103));
    await deliver(cancel('ORD-2', '2027-01-05T10:00:00'));
    expect(await deliver(upsert('ORD-2', '2027-01-06T10:00:00', 106))).toMatchObject({ status: 'succeeded' });
    expect(atConcur('ORD-2')).toEqual({ canceled: false, dailyRate: 106 });
    const booking = await api(gateway, gateway.apiKey).get(bookingPath('ORD-2'));
    expect(booking.body.booking.status).toBe('active');
  });

  it('skips a cancel older than the booking’s stored version, and leaves the booking active', async () => {
    await deliver(upsert('ORD-3', '2027-01-06T10:00:00', 106));
    const old = await deliver(cancel('ORD-3', '2027-01-05T10:00:00'));
    expect(old).toMatchObject({ status: 'skipped', problem: { type: 'urn:concur-gateway:problem:stale' } });
    expect(atConcur('ORD-3')).toEqual({ canceled: false, dailyRate: 106 });
    expect(
      gateway
        .simulator!.requests.of('bookingCancel')
        .filter((e) => JSON.stringify(e.query).includes('ORD-3')),
    ).toEqual([]);
  });
});

describe('POST …/bookings/{confirmationNumber}/cancel with dateModifiedUtc', () => {
  it('stores the version: an older PUT is then 409 stale, a newer one books again', async () => {
    const client = api(gateway, gateway.apiKey);
    const put = (dateModifiedUtc: string, dailyRate: number) =>
      client.put(bookingPath('ORD-API'), {
        booking: carBooking({ dateModifiedUtc }, { confirmationNumber: 'ORD-API', dailyRate }),
        traveler: { loginId: TRAVELER },
      });
    expect((await put('2027-01-03T10:00:00', 103)).status).toBe(201);
    const cancelled = await client.post(`${bookingPath('ORD-API')}/cancel`, {
      dateModifiedUtc: '2027-01-05T10:00:00',
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    const late = await put('2027-01-04T10:00:00', 104);
    expect(late.status).toBe(409);
    expect(late.body.type).toBe('urn:concur-gateway:problem:stale');
    expect(atConcur('ORD-API')).toMatchObject({ canceled: true });
    expect((await put('2027-01-06T10:00:00', 106)).status).toBe(200);
    expect(atConcur('ORD-API')).toEqual({ canceled: false, dailyRate: 106 });

    const older = await client.post(`${bookingPath('ORD-API')}/cancel`, {
      dateModifiedUtc: '2027-01-05T12:00:00',
    });
    expect(older.status).toBe(409);
    expect(older.body.type).toBe('urn:concur-gateway:problem:stale');
    const badVersion = await client.post(`${bookingPath('ORD-API')}/cancel`, { dateModifiedUtc: 'soon' });
    expect(badVersion.status).toBe(400);
    expect(badVersion.body.errors[0].path).toBe('dateModifiedUtc');
  });
});
