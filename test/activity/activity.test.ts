/**
 * A booking's history and the supplier's listings, through the local gateway (the real handlers, dynalite, the
 * simulator): every change of a mapping, whoever made it, appears in its history with what Concur answered;
 * the listings come from the activity index, newest first, filtered and paged, and only ever the caller's own.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoSupplierActivity } from '../../shared/activity/dynamo-activity';
import { dynamoDbClient } from '../../shared/composition/dynamodb';
import { awaitOperation } from '../events/support';
import { recordAwsRequests } from '../support/aws-requests';
import {
  COMPANY,
  TRAVELER,
  addSupplier,
  api,
  bookingPath,
  carBooking,
  startTestGateway,
} from '../gateway/support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let client: ReturnType<typeof api>;
let otherKey: string;

const put = (confirmationNumber: string, fields: Record<string, unknown> = {}, headers = {}) =>
  client.put(
    bookingPath(confirmationNumber),
    { booking: carBooking(fields, { confirmationNumber }), traveler: { loginId: TRAVELER } },
    headers,
  );

beforeAll(async () => {
  gateway = await startTestGateway();
  client = api(gateway, gateway.apiKey);
  otherKey = await addSupplier('activity-other', 'OtherSource', [COMPANY]);
}, 120_000);
afterAll(() => gateway?.close());

describe('a booking’s history', () => {
  it('records the PUT, the update and the cancel, newest first, with who made them and Concur’s answer', async () => {
    const created = await put('HIST-1');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const updated = await put('HIST-1', { dateModifiedUtc: '2027-01-10T10:00:00' });
    expect(updated.status).toBe(200);
    const cancelled = await client.post(`${bookingPath('HIST-1')}/cancel`);
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);

    const history = await client.get(`${bookingPath('HIST-1')}/history`);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.history.map((entry: { action: string }) => entry.action)).toEqual([
      'cancelled',
      'updated',
      'created',
    ]);
    const [cancel, update, create] = history.body.history;
    expect(create).toMatchObject({
      version: 1,
      status: 'active',
      recordLocator: 'HIST-1',
      tripId: created.body.booking.tripId,
      actor: { kind: 'api', requestId: created.headers.get('x-request-id') },
      concur: { status: 'ok', correlationId: created.body.concur.correlationId },
    });
    expect(update).toMatchObject({
      version: 2,
      dateModifiedUtc: '2027-01-10T10:00:00',
      actor: { kind: 'api', requestId: updated.headers.get('x-request-id') },
    });
    expect(cancel).toMatchObject({
      version: 3,
      status: 'cancelled',
      actor: { kind: 'api', requestId: cancelled.headers.get('x-request-id') },
      concur: { status: 'ok' },
    });
    expect(cancel.at).toBe(cancelled.body.booking.updatedAt);
    expect(cancel.at >= update.at && update.at >= create.at).toBe(true);
  });

  it('keeps every record of 40 bookings changed at once, their writes grouped', async () => {
    const recorder = recordAwsRequests({ dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB! });
    const confirmations = Array.from({ length: 40 }, (_, n) => `HIST-BURST-${n}`);
    let answers;
    try {
      answers = await Promise.all(confirmations.map((confirmation) => put(confirmation)));
    } finally {
      recorder.stop();
    }
    expect(answers.map((answer) => answer.status)).toEqual(confirmations.map(() => 201));
    const historyWrites = recorder.requests.filter(
      (request) => /(PutItem|BatchWriteItem)$/.test(request.target) && request.body.includes('"HISTORY#'),
    );
    // Records stored while another was being written went together: fewer calls than records.
    expect(historyWrites.length).toBeLessThan(confirmations.length);
    for (const [n, confirmation] of confirmations.entries()) {
      const history = await client.get(`${bookingPath(confirmation)}/history`);
      expect(history.body.history, confirmation).toEqual([
        expect.objectContaining({
          action: 'created',
          version: 1,
          actor: { kind: 'api', requestId: answers[n]!.headers.get('x-request-id') },
        }),
      ]);
    }
  });

  it('names the operation of a change applied from the events queue', async () => {
    const accepted = await put('HIST-ASYNC', {}, { prefer: 'respond-async' });
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    const done = await awaitOperation(gateway, gateway.apiKey, accepted.body.operation.href);
    expect(done.body.operation.status).toBe('succeeded');
    const history = await client.get(`${bookingPath('HIST-ASYNC')}/history`);
    expect(history.body.history).toHaveLength(1);
    expect(history.body.history[0]).toMatchObject({
      action: 'created',
      actor: {
        kind: 'operation',
        operationId: done.body.operation.id,
        trigger: 'api',
        href: done.body.operation.href,
      },
    });
  });

  it('records both bookings of a rebooking', async () => {
    expect((await put('HIST-OLD')).status).toBe(201);
    const rebooked = await client.put(bookingPath('HIST-NEW'), {
      booking: carBooking({}, { confirmationNumber: 'HIST-NEW' }),
      traveler: { loginId: TRAVELER },
      previousConfirmationNumber: 'HIST-OLD',
    });
    expect(rebooked.status, JSON.stringify(rebooked.body)).toBe(201);
    const actions = async (confirmationNumber: string) =>
      (await client.get(`${bookingPath(confirmationNumber)}/history`)).body.history.map(
        (entry: { action: string }) => entry.action,
      );
    expect(await actions('HIST-NEW')).toEqual(['rebook-completed', 'rebooked']);
    expect(await actions('HIST-OLD')).toEqual(['replaced', 'created']);
  });

  it('pages newest first with a cursor bound to the booking', async () => {
    for (let day = 1; day <= 4; day += 1) {
      expect((await put('HIST-PAGED', { dateModifiedUtc: `2027-02-0${day}T10:00:00` })).status).toBeLessThan(
        300,
      );
    }
    const first = await client.get(`${bookingPath('HIST-PAGED')}/history?limit=3`);
    expect(first.body.history.map((entry: { version: number }) => entry.version)).toEqual([4, 3, 2]);
    const second = await client.get(
      `${bookingPath('HIST-PAGED')}/history?limit=3&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(second.body.history.map((entry: { version: number }) => entry.version)).toEqual([1]);
    expect(second.body.nextCursor).toBeUndefined();
    const elsewhere = await client.get(
      `${bookingPath('HIST-1')}/history?cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors ?? elsewhere.body.problems).toBeDefined();
    expect(JSON.stringify(elsewhere.body)).toContain('cursor');
  });

  it('skips records past their 90 days, though the table still holds them (DynamoDB deletes late)', async () => {
    const later = new DynamoSupplierActivity({
      client: dynamoDbClient(),
      tableName: process.env.STATE_TABLE_NAME!,
      clock: { now: () => Date.now() + 91 * 24 * 60 * 60 * 1000 },
    });
    const key = { companyId: COMPANY, bookingSource: 'DemoSupplier', confirmationNumber: 'HIST-1' };
    expect((await later.list(key, { limit: 10 })).entries).toEqual([]);
    const now = new DynamoSupplierActivity({
      client: dynamoDbClient(),
      tableName: process.env.STATE_TABLE_NAME!,
    });
    expect((await now.list(key, { limit: 10 })).entries).toHaveLength(3);
  });

  it('is not another supplier’s to read', async () => {
    const other = await api(gateway, otherKey).get(`${bookingPath('HIST-1')}/history`);
    expect(other.status).toBe(404);
    expect(JSON.stringify(other.body)).not.toContain('HIST-1"');
  });

  it('costs one write per change: one history item per version', async () => {
    const items = await DynamoDBDocumentClient.from(dynamoDbClient()).send(
      new ScanCommand({
        TableName: process.env.STATE_TABLE_NAME!,
        FilterExpression: 'begins_with(pk, :history)',
        ExpressionAttributeValues: { ':history': 'HISTORY#' },
      }),
    );
    const ofHist1 = (items.Items ?? []).filter((item) => String(item.pk).endsWith('#BOOKING#HIST-1'));
    expect(ofHist1.map((item) => item.sk).sort()).toEqual([
      'VERSION#0000000001',
      'VERSION#0000000002',
      'VERSION#0000000003',
    ]);
    for (const item of ofHist1)
      expect(item.expiresAt).toBe(Math.floor(Date.parse(item.at) / 1000) + 90 * 86_400);
  });
});

describe('the supplier’s bookings', () => {
  it('lists its own, newest change first, filtered by status, confirmation number and company', async () => {
    const all = await client.get('/v1/bookings?limit=100');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    const numbers = all.body.bookings.map(
      (booking: { confirmationNumber: string }) => booking.confirmationNumber,
    );
    expect(numbers).toEqual(expect.arrayContaining(['HIST-1', 'HIST-ASYNC', 'HIST-OLD', 'HIST-NEW']));
    const times = all.body.bookings.map((booking: { updatedAt: string }) => booking.updatedAt);
    expect(times).toEqual([...times].sort().reverse());

    const cancelled = await client.get('/v1/bookings?status=cancelled');
    expect(
      cancelled.body.bookings.map((b: { confirmationNumber: string }) => b.confirmationNumber).sort(),
    ).toEqual(['HIST-1', 'HIST-OLD']);
    const found = await client.get('/v1/bookings?confirmationNumber=HIST-N');
    expect(found.body.bookings.map((b: { confirmationNumber: string }) => b.confirmationNumber)).toEqual([
      'HIST-NEW',
    ]);
    expect(
      (await client.get(`/v1/bookings?companyId=${COMPANY}&confirmationNumber=HIST-1`)).body.bookings,
    ).toHaveLength(1);
    const since = await client.get(`/v1/bookings?updatedSince=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
    expect(since.body.bookings).toEqual([]);
  });

  it('pages with a cursor that only this listing accepts', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.get(
        `/v1/bookings?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.bookings.map((b: { confirmationNumber: string }) => b.confirmationNumber));
      cursor = page.body.nextCursor;
    } while (cursor);
    const all = await client.get('/v1/bookings?limit=100');
    expect(seen).toEqual(all.body.bookings.map((b: { confirmationNumber: string }) => b.confirmationNumber));

    const first = await client.get('/v1/bookings?limit=1');
    const withOtherFilter = await client.get(
      `/v1/bookings?limit=1&status=active&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(withOtherFilter.status).toBe(400);
    const ofOther = await api(gateway, otherKey).get(
      `/v1/bookings?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`,
    );
    expect(ofOther.status).toBe(400);
  });

  it('refuses bad filters with the field’s path, and a company the supplier does not act for', async () => {
    for (const query of [
      'status=lost',
      'limit=0',
      'limit=101',
      'updatedSince=yesterday',
      'cursor=abc',
      'colour=red',
    ]) {
      const answer = await client.get(`/v1/bookings?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
    expect((await client.get('/v1/bookings?companyId=someone-else')).status).toBe(403);
  });

  it('never lists another supplier’s bookings', async () => {
    const other = api(gateway, otherKey);
    expect((await other.get('/v1/bookings')).body.bookings).toEqual([]);
    const own = await other.put(bookingPath('OTHER-1'), {
      booking: carBooking({}, { confirmationNumber: 'OTHER-1' }),
      traveler: { loginId: TRAVELER },
    });
    expect(own.status).toBe(201);
    expect(
      (await other.get('/v1/bookings')).body.bookings.map(
        (b: { confirmationNumber: string }) => b.confirmationNumber,
      ),
    ).toEqual(['OTHER-1']);
    const mine = await client.get('/v1/bookings?limit=100');
    expect(JSON.stringify(mine.body)).not.toContain('OTHER-1');
  });
});

describe('the supplier’s operations', () => {
  it('lists its own, newest first, by status, with a parked one’s problem', async () => {
    const parked = await client.put(
      bookingPath('OPS-PARKED'),
      {
        booking: carBooking({}, { confirmationNumber: 'OPS-PARKED' }),
        traveler: { email: 'nobody@example.com' },
      },
      { prefer: 'respond-async' },
    );
    expect(parked.status).toBe(202);
    const done = await awaitOperation(gateway, gateway.apiKey, parked.body.operation.href);
    expect(done.body.operation.status).toBe('parked');

    const list = await client.get('/v1/operations');
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(list.body.operations[0]).toMatchObject({ id: done.body.operation.id, status: 'parked' });
    expect(list.body.operations[0].problem.type).toBe(done.body.operation.problem.type);
    const ids = list.body.operations.map((operation: { id: string }) => operation.id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const onlyParked = await client.get('/v1/operations?status=parked');
    expect(onlyParked.body.operations.map((operation: { id: string }) => operation.id)).toEqual([
      done.body.operation.id,
    ]);
    expect((await api(gateway, otherKey).get('/v1/operations')).body.operations).toEqual([]);
    expect((await client.get('/v1/operations?status=lost')).status).toBe(400);
  });
});
