/**
 * `Prefer: respond-async` on the JSON API's write routes: validated as the synchronous route would, answered
 * 202 with the operation, applied from the events queue, and the operation's result is what the synchronous
 * route answers (other sources' bookings redacted alike).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addSupplier,
  api,
  bookingPath,
  carBooking,
  COMPANY,
  startTestGateway,
  TRAVELER,
} from '../gateway/support';
import { awaitOperation } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
const ASYNC = { prefer: 'respond-async' };

beforeAll(async () => {
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1 } });
}, 60_000);
afterAll(() => gateway?.close());

describe('Prefer: respond-async', () => {
  it('answers a booking PUT with 202 and the operation, whose result is the synchronous answer', async () => {
    const client = api(gateway, gateway.apiKey);
    const body = {
      booking: carBooking({}, { confirmationNumber: 'ASYNC1' }),
      traveler: { loginId: TRAVELER },
    };
    const accepted = await client.put(bookingPath('ASYNC1'), body, ASYNC);
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('preference-applied')).toBe('respond-async');
    expect(accepted.headers.get('location')).toBe(accepted.body.operation.href);
    const done = await awaitOperation(gateway, gateway.apiKey, accepted.body.operation.href);
    expect(done.body.operation).toMatchObject({ status: 'succeeded', type: 'putBooking' });
    expect(done.body.operation.result.status).toBe(201);

    const synchronous = await client.put(bookingPath('ASYNC1'), body);
    expect(synchronous.status).toBe(200);
    // The same answer but for what changes with every call: versions, timestamps, Concur's call details.
    const changing = new Set([
      'version',
      'createdAt',
      'updatedAt',
      'dateModifiedUtc',
      'correlationId',
      'attempts',
    ]);
    const shape = (answer: unknown) =>
      JSON.parse(JSON.stringify(answer, (key, value: unknown) => (changing.has(key) ? undefined : value)));
    // livemode is said by the answer that carries the result (the operation's), not inside it.
    const { livemode, ...synchronousAnswer } = synchronous.body;
    expect(livemode).toBe(true);
    expect(shape(done.body.operation.result.body)).toEqual(shape(synchronousAnswer));

    const cancel = await client.post(
      `${bookingPath('ASYNC1')}/cancel`,
      { traveler: { loginId: TRAVELER } },
      ASYNC,
    );
    expect(cancel.status).toBe(202);
    const cancelled = await awaitOperation(gateway, gateway.apiKey, cancel.body.operation.href);
    expect(cancelled.body.operation.result.body.booking.status).toBe('cancelled');
  });

  it('refuses what the synchronous route refuses before accepting anything', async () => {
    const client = api(gateway, gateway.apiKey);
    const invalid = await client.put(
      bookingPath('ASYNC2'),
      { booking: { segments: 'x' }, traveler: {} },
      ASYNC,
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.length).toBeGreaterThan(0);
    const foreign = await client.put(
      bookingPath('ASYNC2', 'someone-elses-company'),
      { booking: carBooking(), traveler: { loginId: TRAVELER } },
      ASYNC,
    );
    expect(foreign.status).toBe(403);
    expect((await api(gateway).put(bookingPath('ASYNC2'), {}, ASYNC)).status).toBe(401);
  });

  it('records a refusal found while applying as a failed operation with its problem', async () => {
    const client = api(gateway, gateway.apiKey);
    await client.put(bookingPath('ASYNC3'), {
      booking: carBooking({ dateModifiedUtc: '2027-02-02T10:00:00' }, { confirmationNumber: 'ASYNC3' }),
      traveler: { loginId: TRAVELER },
    });
    const older = await client.put(
      bookingPath('ASYNC3'),
      {
        booking: carBooking({ dateModifiedUtc: '2027-02-01T10:00:00' }, { confirmationNumber: 'ASYNC3' }),
        traveler: { loginId: TRAVELER },
      },
      ASYNC,
    );
    const skipped = await awaitOperation(gateway, gateway.apiKey, older.body.operation.href);
    expect(skipped.body.operation).toMatchObject({
      status: 'skipped',
      problem: { type: 'urn:concur-gateway:problem:stale', status: 409 },
    });
    const otherTraveler = await client.put(
      bookingPath('ASYNC3'),
      {
        booking: carBooking({ dateModifiedUtc: '2027-02-03T10:00:00' }, { confirmationNumber: 'ASYNC3' }),
        traveler: { loginId: 'someone.else@example.com' },
      },
      ASYNC,
    );
    const failed = await awaitOperation(gateway, gateway.apiKey, otherTraveler.body.operation.href);
    expect(failed.body.operation).toMatchObject({
      status: 'failed',
      problem: { type: 'urn:concur-gateway:problem:conflict', errors: [{ path: 'traveler.loginId' }] },
    });
  });

  it('keeps a supplier out of another supplier’s operations', async () => {
    const otherKey = await addSupplier('async-other', 'AsyncOther', [COMPANY]);
    const accepted = await api(gateway, gateway.apiKey).put(
      bookingPath('ASYNC4'),
      { booking: carBooking({}, { confirmationNumber: 'ASYNC4' }), traveler: { loginId: TRAVELER } },
      ASYNC,
    );
    const path = new URL(accepted.body.operation.href).pathname;
    const foreign = await api(gateway, otherKey).get(path);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain('ASYNC4');
  });
});
