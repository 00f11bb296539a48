import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb/booking-mappings';
import { tmcGuideItinerary } from '../support/answer-fixtures';
import { COMPANY, TRAVELER, addSupplier, api, bookingPath, carBooking, startTestGateway } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = api(gateway, gateway.apiKey);
});
afterAll(() => gateway.close());

const concurBookingsOf = (recordLocator: string) =>
  gateway
    .simulator!.state.trips()
    .flatMap((trip) => trip.bookings.map((booking) => ({ trip, booking })))
    .filter(({ booking }) => booking.booking.recordLocator === recordLocator);

describe('PUT /v1/companies/{companyId}/bookings/{confirmationNumber}', () => {
  it('keeps what Concur answers beyond its XSD (the simulator adds what real itineraries carry)', async () => {
    const answer = await client.put(bookingPath('EXTRAS-1'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status).toBe(201);
    expect(gateway.simulator!.requests.of('bookingPost').at(-1)!.status).toBe(200);
    expect(answer.body.concur.document.itinerary.unknownElements).toContainEqual({
      name: 'IsDemoTrip',
      value: 'false',
    });
    expect(answer.body.booking.tripId).toEqual(expect.any(String));
  });

  it('answers 201 and writes the mapping when Concur answers the TMC guide itinerary, unknown elements and all', async () => {
    // Concur took the booking (commit) and answered its own documented itinerary, with the trip id it gave,
    // holding this supplier's booking (another source's would be redacted from the answer).
    const asAnswered = tmcGuideItinerary
      .replace(
        '<RuleViolations />',
        '<ItinLocator>gWu9dRi$pEjxZkYtp0lWbN5gQkBMQfjRbbc$sbDCQ</ItinLocator><RuleViolations />',
      )
      .replace('<BookingSource>POSTMAN</BookingSource>', '<BookingSource>DemoSupplier</BookingSource>');
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'answer', xml: asAnswered, commit: true }, 1);
    const answer = await client.put(bookingPath('TMC-GUIDE-1'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status).toBe(201);
    expect(answer.body.booking.tripId).toBe('gWu9dRi$pEjxZkYtp0lWbN5gQkBMQfjRbbc$sbDCQ');
    expect(
      answer.body.concur.document.itinerary.unknownElements.map((e: { name: string }) => e.name),
    ).toEqual(['ExternalLinks', 'FormsOfId', 'IsDemoTrip', 'ReminderEmailSent', 'IsBillable']);
    const stored = await client.get(bookingPath('TMC-GUIDE-1'));
    expect(stored.status).toBe(200);
    expect(stored.body.booking).toMatchObject({
      status: 'active',
      tripId: 'gWu9dRi$pEjxZkYtp0lWbN5gQkBMQfjRbbc$sbDCQ',
    });
  });

  it('answers 201 when the unknown elements sit deeper: a new segment kind, children where text was expected', async () => {
    const deeper = tmcGuideItinerary
      .replace('<Segments>', '<Segments><Bus><Vendor>FX</Vendor><Seats><Seat>4A</Seat></Seats></Bus>')
      .replace(
        '<NameLast>Never1</NameLast>',
        '<NameLast>Never1</NameLast><Loyalty><Tier>gold</Tier></Loyalty>',
      )
      .replace('<Comments />', '<Comments><Note>from a newer Concur</Note></Comments>');
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'answer', xml: deeper, commit: true }, 1);
    const answer = await client.put(bookingPath('TMC-GUIDE-2'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status).toBe(201);
    expect((await client.get(bookingPath('TMC-GUIDE-2'))).status).toBe(200);
  });

  it('records a booking whose trip is larger than the gateway reads, says the trip is not shown, and refuses only the trip read', async () => {
    const first = await client.put(bookingPath('HUGE-1'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(first.status).toBe(201);
    const tripId = first.body.booking.tripId as string;
    // Concur takes the second booking into the same trip and answers the whole trip: 7 MB of it.
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'oversized', bytes: 7 * 1024 * 1024 }, 1);
    const second = await client.put(bookingPath('HUGE-2'), {
      booking: carBooking({}, { confirmationNumber: 'HUGE-2' }),
      traveler: { loginId: TRAVELER },
      tripId,
    });
    expect(second.status).toBe(201);
    expect(second.body.concur.tripNotShown).toBe('too-large');
    expect(second.body.concur.document).toBeUndefined();
    expect(second.body.booking).toMatchObject({ status: 'active', tripId });
    expect(concurBookingsOf('HUGE-2')).toHaveLength(1);
    const stored = await client.get(bookingPath('HUGE-2'));
    expect(stored.body.booking).toMatchObject({ status: 'active', tripId });
    // Reading that trip cannot show it: a clear problem, and the booking is untouched.
    gateway.simulator!.faults.failNext('tripGet', { kind: 'oversized', bytes: 7 * 1024 * 1024 }, 1);
    const trip = await client.get(`/v1/companies/${COMPANY}/trips/${encodeURIComponent(tripId)}`);
    expect(trip.status).toBe(502);
    expect(trip.headers.get('content-type')).toContain('application/problem+json');
    expect(trip.body.type).toContain('concur-answer-too-large');
  });

  it('creates the booking at Concur (201), then updates it (200), keeping the mapping', async () => {
    const created = await client.put(bookingPath('CREATE-1'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(created.status).toBe(201);
    expect(created.body.booking).toMatchObject({
      companyId: COMPANY,
      bookingSource: 'DemoSupplier',
      confirmationNumber: 'CREATE-1',
      recordLocator: 'CREATE-1',
      traveler: { loginId: TRAVELER },
      status: 'active',
      version: 1,
    });
    expect(created.body.booking.tripId).toEqual(expect.any(String));
    expect(created.body.concur.correlationId).toEqual(expect.any(String));
    expect(
      created.body.concur.document.itinerary.bookings.map((b: { recordLocator: string }) => b.recordLocator),
    ).toContain('CREATE-1');

    const updated = await client.put(bookingPath('CREATE-1'), {
      booking: carBooking({}, { dailyRate: 42 }),
      traveler: { loginId: TRAVELER },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.booking).toMatchObject({ version: 2, tripId: created.body.booking.tripId });
    const atConcur = concurBookingsOf('CREATE-1');
    expect(atConcur).toHaveLength(1);
    expect(JSON.stringify(atConcur[0]!.booking)).toContain('42');

    const read = await client.get(bookingPath('CREATE-1'));
    expect(read.status).toBe(200);
    expect(read.body.booking).toMatchObject({ version: 2, status: 'active' });
  });

  it('refuses a bookingSource other than the supplier’s own, without calling Concur', async () => {
    const before = gateway.simulator!.requests.entries.length;
    const answer = await client.put(bookingPath('OTHER-SRC'), {
      booking: carBooking({ bookingSource: 'SomeoneElse' }),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({
      type: 'urn:concur-gateway:problem:booking-source-mismatch',
      status: 403,
    });
    expect(gateway.simulator!.requests.entries.length).toBe(before);
  });

  it('answers an invalid booking with 400 problem+json naming every field, and keeps nothing', async () => {
    const answer = await client.put(bookingPath('BAD-1'), {
      booking: carBooking({ colour: 'red' }, { vendor: undefined, startDateLocal: '21/03/2027' }),
      traveler: {},
    });
    expect(answer.status).toBe(400);
    expect(answer.body.requestId).toEqual(expect.any(String));
    expect(answer.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'booking.colour',
      'booking.segments[0].startDateLocal',
      'booking.segments[0].vendor',
      'traveler',
    ]);
    expect((await client.get(bookingPath('BAD-1'))).status).toBe(404);
  });

  it('refuses an update older than the stored one as stale (409)', async () => {
    const path = bookingPath('STALE-1');
    const body = (dateModifiedUtc: string) => ({
      booking: carBooking({ dateModifiedUtc }),
      traveler: { loginId: TRAVELER },
    });
    expect((await client.put(path, body('2026-11-20T10:00:00'))).status).toBe(201);
    const stale = await client.put(path, body('2026-11-20T09:00:00'));
    expect(stale.status).toBe(409);
    expect(stale.body.type).toBe('urn:concur-gateway:problem:stale');
    expect((await client.put(path, body('2026-11-20T11:00:00'))).status).toBe(200);
    expect((await client.get(path)).body.booking.dateModifiedUtc).toBe('2026-11-20T11:00:00');
  });

  it('50 parallel updates of one booking end in the newest, at the gateway and at Concur', async () => {
    const path = bookingPath('RACE-1');
    expect(
      (
        await client.put(path, {
          booking: carBooking({ dateModifiedUtc: '2026-01-01T00:00:00' }),
          traveler: { loginId: TRAVELER },
        })
      ).status,
    ).toBe(201);
    const minutes = Array.from({ length: 50 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const answers = await Promise.all(
      minutes.map((minute) => {
        const stamp = `2026-01-01T01:${String(minute).padStart(2, '0')}:00`;
        return client.put(path, {
          booking: carBooking({ dateModifiedUtc: stamp }, { notes: `update ${minute}` }),
          traveler: { loginId: TRAVELER },
        });
      }),
    );
    for (const answer of answers) expect([200, 409]).toContain(answer.status);
    const final = await client.get(path);
    expect(final.body.booking.dateModifiedUtc).toBe('2026-01-01T01:50:00');
    const [atConcur] = concurBookingsOf('RACE-1');
    expect(JSON.stringify(atConcur!.booking)).toContain('update 50');
  });

  it('replays an Idempotency-Key: same body → the stored answer without calling Concur again; other body → 422', async () => {
    const path = bookingPath('IDEM-1');
    const body = { booking: carBooking(), traveler: { loginId: TRAVELER } };
    const headers = { 'idempotency-key': 'key-idem-1' };
    const first = await client.put(path, body, headers);
    expect(first.status).toBe(201);
    const posts = gateway.simulator!.requests.of('bookingPost').length;
    const replay = await client.put(path, body, headers);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(gateway.simulator!.requests.of('bookingPost').length).toBe(posts);
    const misuse = await client.put(path, { ...body, tripId: 'x' }, headers);
    expect(misuse.status).toBe(422);
    expect(misuse.body.type).toBe('urn:concur-gateway:problem:idempotency-key-reused');
  });

  it('rebooks: posts the new booking, cancels the old one at Concur and links the two', async () => {
    expect(
      (await client.put(bookingPath('OLD-1'), { booking: carBooking(), traveler: { loginId: TRAVELER } }))
        .status,
    ).toBe(201);
    const rebooked = await client.put(bookingPath('NEW-1'), {
      booking: carBooking({}, { dailyRate: 30 }),
      traveler: { loginId: TRAVELER },
      previousConfirmationNumber: 'OLD-1',
    });
    expect(rebooked.status).toBe(201);
    expect(rebooked.body.booking).toMatchObject({ status: 'active', previousConfirmationNumber: 'OLD-1' });
    const old = await client.get(bookingPath('OLD-1'));
    expect(old.body.booking).toMatchObject({ status: 'cancelled', replacedByConfirmationNumber: 'NEW-1' });
    expect(gateway.simulator!.requests.of('bookingCancel').at(-1)!.query).toMatchObject({
      bookingSource: 'DemoSupplier',
    });
  });

  it('records a rebooking that failed part-way, shows it on GET, and finishes it on a retry', async () => {
    expect(
      (await client.put(bookingPath('OLD-2'), { booking: carBooking(), traveler: { loginId: TRAVELER } }))
        .status,
    ).toBe(201);
    const request = {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
      previousConfirmationNumber: 'OLD-2',
    };
    gateway.simulator!.faults.failNext('bookingCancel', { kind: 'status', status: 500 }, 10);
    const failed = await client.put(bookingPath('NEW-2'), request);
    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toEqual(expect.any(String));
    expect(failed.body.concur.correlationId).toEqual(expect.any(String));
    const pending = await client.get(bookingPath('NEW-2'));
    expect(pending.body.booking).toMatchObject({ status: 'rebooking', pendingStep: 'cancel-previous' });
    expect(pending.body.booking.lastError).toEqual(expect.any(String));
    expect((await client.get(bookingPath('OLD-2'))).body.booking.status).toBe('active');

    gateway.simulator!.faults.clear();
    const retried = await client.put(bookingPath('NEW-2'), request);
    expect(retried.status).toBe(200);
    expect(retried.body.booking).toMatchObject({ status: 'active' });
    expect(retried.body.booking.pendingStep).toBeUndefined();
    expect((await client.get(bookingPath('OLD-2'))).body.booking).toMatchObject({
      status: 'cancelled',
      replacedByConfirmationNumber: 'NEW-2',
    });
  });

  it('finishes a rebooking under the new booking’s lease: a change of it in progress is waited for, not overwritten', async () => {
    expect(
      (await client.put(bookingPath('OLD-3'), { booking: carBooking(), traveler: { loginId: TRAVELER } }))
        .status,
    ).toBe(201);
    const mappings = new DynamoBookingMappings({
      client: new DynamoDBClient({}),
      tableName: process.env.STATE_TABLE_NAME!,
    });
    const key = { companyId: COMPANY, bookingSource: 'DemoSupplier', confirmationNumber: 'NEW-3' };
    // Concur takes its time to cancel the old booking: the new one is posted and stored meanwhile.
    gateway.simulator!.faults.setLatency({ route: 'bookingCancel', ms: 1_500 });
    let answered = false;
    const rebooking = client
      .put(bookingPath('NEW-3'), {
        booking: carBooking(),
        traveler: { loginId: TRAVELER },
        previousConfirmationNumber: 'OLD-3',
      })
      .finally(() => (answered = true));
    try {
      while ((await mappings.get(key))?.status !== 'rebooking') await new Promise((r) => setTimeout(r, 20));
      // Another change of the new booking takes its lease (a PUT between its Concur call and its write).
      const lease = await mappings.tryLease(key, 'another-change', 30_000);
      expect(lease).toBeDefined();
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      expect(answered).toBe(false);
      // That change stores its result: nothing wrote the booking behind its lease.
      const stored = await mappings.saveAndRelease(lease!, {
        changes: { tripName: 'Changed meanwhile' },
        change: { action: 'updated' },
      });
      expect(stored.status).toBe('rebooking');
    } finally {
      gateway.simulator!.faults.clear();
    }
    const finished = await rebooking;
    expect(finished.status, JSON.stringify(finished.body)).toBe(201);
    expect(finished.body.booking).toMatchObject({ status: 'active', previousConfirmationNumber: 'OLD-3' });
    expect((await mappings.get(key))?.tripName).toBe('Changed meanwhile');
    expect((await client.get(bookingPath('OLD-3'))).body.booking.status).toBe('cancelled');
  });
});

describe('POST …/bookings/{confirmationNumber}/cancel', () => {
  it('cancels at Concur and marks the mapping cancelled; a second cancel does not call Concur again', async () => {
    expect(
      (await client.put(bookingPath('CANCEL-1'), { booking: carBooking(), traveler: { loginId: TRAVELER } }))
        .status,
    ).toBe(201);
    const cancelled = await client.post(`${bookingPath('CANCEL-1')}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking.status).toBe('cancelled');
    expect(cancelled.body.concur.document.booking.recordLocator).toBe('CANCEL-1');
    const cancels = gateway.simulator!.requests.of('bookingCancel').length;
    expect((await client.post(`${bookingPath('CANCEL-1')}/cancel`)).status).toBe(200);
    expect(gateway.simulator!.requests.of('bookingCancel').length).toBe(cancels);
  });

  it('cancels by the confirmation number (the segment’s), as Concur documents the cancel', async () => {
    const booking = carBooking({ recordLocator: 'LOCATOR-2' }, { confirmationNumber: 'CANCEL-2' });
    expect(
      (await client.put(bookingPath('CANCEL-2'), { booking, traveler: { loginId: TRAVELER } })).status,
    ).toBe(201);
    const cancelled = await client.post(`${bookingPath('CANCEL-2')}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.concur.status).toBeUndefined();
    const sent = gateway.simulator!.requests.of('bookingCancel').at(-1)!;
    expect(sent.query).toMatchObject({ bookingSource: 'DemoSupplier', confirmationNumber: 'CANCEL-2' });
    expect(concurBookingsOf('LOCATOR-2')[0]!.booking.canceled).toBe(true);
  });

  it('tries the record locator once when Concur does not know the confirmation number', async () => {
    // The segment carries another confirmation number than the path: only the record locator finds it.
    const booking = carBooking({ recordLocator: 'LOCATOR-3' }, { confirmationNumber: 'SEGMENT-3' });
    expect(
      (await client.put(bookingPath('CANCEL-3'), { booking, traveler: { loginId: TRAVELER } })).status,
    ).toBe(201);
    const before = gateway.simulator!.requests.of('bookingCancel').length;
    const cancelled = await client.post(`${bookingPath('CANCEL-3')}/cancel`);
    expect(cancelled.status).toBe(200);
    const sent = gateway.simulator!.requests.of('bookingCancel').slice(before);
    expect(sent.map((entry) => [entry.query.confirmationNumber, entry.status])).toEqual([
      ['CANCEL-3', 404],
      ['LOCATOR-3', 200],
    ]);
    expect(cancelled.body.concur).toMatchObject({ attempts: 2 });
    expect(concurBookingsOf('LOCATOR-3')[0]!.booking.canceled).toBe(true);
  });

  it('reports a booking Concur does not know as NotFound in the answer, never as a silent success', async () => {
    // Concur answered the post (the gateway kept the mapping) but never stored the booking.
    const answered = gateway.simulator!.requests.of('bookingPost').length;
    const itinerary = `<Itinerary xmlns="http://www.concursolutions.com/api/travel/trip/2010/06"><ItinLocator>GONE-TRIP</ItinLocator><TripName>Gone</TripName></Itinerary>`;
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'answer', xml: itinerary }, 1);
    const booking = carBooking({ recordLocator: 'LOCATOR-4' }, { confirmationNumber: 'CANCEL-4' });
    expect(
      (await client.put(bookingPath('CANCEL-4'), { booking, traveler: { loginId: TRAVELER } })).status,
    ).toBe(201);
    expect(gateway.simulator!.requests.of('bookingPost').length).toBe(answered + 1);
    const cancelled = await client.post(`${bookingPath('CANCEL-4')}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.concur).toMatchObject({ status: 'NotFound', attempts: 2 });
    expect(cancelled.body.booking.status).toBe('cancelled');
    const sent = gateway.simulator!.requests.of('bookingCancel').slice(-2);
    expect(sent.map((entry) => entry.query.confirmationNumber)).toEqual(['CANCEL-4', 'LOCATOR-4']);
    expect(sent.at(-1)!.status).toBe(404);
  });

  it('answers 404 for a booking the gateway does not know', async () => {
    const answer = await client.post(`${bookingPath('NEVER')}/cancel`);
    expect(answer.status).toBe(404);
    expect(answer.body.type).toBe('urn:concur-gateway:problem:not-found');
  });
});

describe('suppliers and companies are kept apart', () => {
  it('another supplier cannot see or cancel the booking, and another company is forbidden, without reaching Concur', async () => {
    expect(
      (await client.put(bookingPath('MINE-1'), { booking: carBooking(), traveler: { loginId: TRAVELER } }))
        .status,
    ).toBe(201);
    const otherKey = await addSupplier('other-supplier', 'OtherSupplier', [COMPANY]);
    const other = api(gateway, otherKey);
    const before = gateway.simulator!.requests.entries.length;
    expect((await other.get(bookingPath('MINE-1'))).status).toBe(404);
    expect((await other.post(`${bookingPath('MINE-1')}/cancel`)).status).toBe(404);
    const forbidden = await client.put(bookingPath('X-1', 'another-company'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(forbidden.status).toBe(403);
    expect(gateway.simulator!.requests.entries.length).toBe(before);
    expect((await client.get(bookingPath('MINE-1'))).body.booking.status).toBe('active');
  });

  it('answers 503 for a company that has no Concur credentials yet', async () => {
    const key = await addSupplier('early-supplier', 'EarlySupplier', ['not-onboarded']);
    const answer = await api(gateway, key).put(bookingPath('EARLY-1', 'not-onboarded'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status).toBe(503);
    expect(answer.body.type).toBe('urn:concur-gateway:problem:company-not-configured');
  });

  it('refuses missing and unknown API keys with 401', async () => {
    expect((await api(gateway).get(bookingPath('MINE-1'))).status).toBe(401);
    const wrong = await api(gateway, 'cgw_not-a-key-at-all').get(bookingPath('MINE-1'));
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
  });
});
