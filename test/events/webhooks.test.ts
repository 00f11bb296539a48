/**
 * Signed webhooks end to end: the local gateway (HTTP server, dynalite, local Secrets Manager, local SQS, the
 * processor) and the simulator. Signatures: valid, rotation, stale, tampered, wrong supplier, replayed id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { administration } from '../../shared/composition/administration';
import { generateWebhookSecret } from '../../shared/events/webhooks';
import { addSupplier, api, carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { awaitOperation, bookingEvent, postWebhook } from './support';
import { dynamoDbClient, stateTableName } from '../../shared/composition/dynamodb';
import { commandOf, parseEnvelope } from '../../shared/events/envelope';
import { operationIdOf } from '../../shared/events/ingress';
import { DynamoOperations } from '../../shared/events/operations';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
const OLD_SECRET = `whsec_${Buffer.from('an-old-secret-of-the-demo-supplier').toString('base64')}`;
const NEW_SECRET = `whsec_${Buffer.from('the-new-secret-of-the-demo-supplier').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('the-secret-of-another-supplier-xyz').toString('base64')}`;

const upsert = (confirmationNumber: string, dateModifiedUtc = '2027-01-10T10:00:00') =>
  bookingEvent(confirmationNumber, {
    companyId: COMPANY,
    booking: carBooking({ dateModifiedUtc }, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });

beforeAll(async () => {
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1 } });
  const admin = administration();
  await admin.configureWebhookSecrets('demo-supplier', [NEW_SECRET, OLD_SECRET]);
  await addSupplier('other-supplier', 'OtherSource', [COMPANY]);
  await admin.configureWebhookSecrets('other-supplier', [OTHER_SECRET]);
}, 60_000);
afterAll(() => gateway?.close());

describe('POST /v1/webhooks/{supplierId}', () => {
  it('accepts a validly signed event (202, Location) and applies it at Concur', async () => {
    const answer = await postWebhook(gateway, 'demo-supplier', upsert('WH-VALID'), { secrets: [NEW_SECRET] });
    expect(answer.status).toBe(202);
    const { id, status, href } = answer.body.operation;
    expect(id).toMatch(/^op_[0-9a-f]{26}$/);
    expect(status).toBe('accepted');
    expect(answer.headers.get('location')).toBe(href);
    const done = await awaitOperation(gateway, gateway.apiKey, href);
    expect(done.body.operation).toMatchObject({
      id,
      status: 'succeeded',
      type: 'booking.upserted',
      attempts: 1,
    });
    expect(done.body.operation.result.status).toBe(201);
    expect(done.body.operation.result.body.booking).toMatchObject({
      confirmationNumber: 'WH-VALID',
      bookingSource: 'DemoSupplier',
      status: 'active',
    });
    const booking = await api(gateway, gateway.apiKey).get(`/v1/companies/${COMPANY}/bookings/WH-VALID`);
    expect(booking.body.booking.recordLocator).toBe('WH-VALID');
  });

  it('accepts a sender rotating its secret: two signatures, one of them by a current secret', async () => {
    const retired = `whsec_${Buffer.from('a-secret-nobody-has-any-more').toString('base64')}`;
    const both = await postWebhook(gateway, 'demo-supplier', upsert('WH-ROTATE'), {
      secrets: [retired, NEW_SECRET],
    });
    expect(both.status).toBe(202);
    // While the gateway keeps the old secret too, a sender still on it is accepted.
    const old = await postWebhook(gateway, 'demo-supplier', upsert('WH-ROTATE-OLD'), {
      secrets: [OLD_SECRET],
    });
    expect(old.status).toBe(202);
    const retiredOnly = await postWebhook(gateway, 'demo-supplier', upsert('WH-ROTATE-GONE'), {
      secrets: [retired],
    });
    expect(retiredOnly.status).toBe(401);
  });

  it('refuses a timestamp more than 5 minutes away, either way', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 310, now + 310]) {
      const answer = await postWebhook(gateway, 'demo-supplier', upsert('WH-STALE'), {
        secrets: [NEW_SECRET],
        timestamp,
      });
      expect({ timestamp, now, status: answer.status, body: answer.body }).toMatchObject({ status: 401 });
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.type).toBe('urn:concur-gateway:problem:invalid-signature');
    }
    const edge = await postWebhook(gateway, 'demo-supplier', upsert('WH-EDGE'), {
      secrets: [NEW_SECRET],
      timestamp: now - 280,
    });
    expect(edge.status).toBe(202);
  });

  it('refuses a tampered body and a missing signature', async () => {
    const signed = upsert('WH-TAMPER');
    const tampered = JSON.stringify({ ...signed, data: { ...signed.data, confirmationNumber: 'WH-EVIL' } });
    const answer = await postWebhook(gateway, 'demo-supplier', signed, {
      secrets: [NEW_SECRET],
      sentBody: tampered,
    });
    expect(answer.status).toBe(401);
    const unsigned = await api(gateway).post('/v1/webhooks/demo-supplier', signed);
    expect(unsigned.status).toBe(401);
    expect((await api(gateway, gateway.apiKey).get(`/v1/companies/${COMPANY}/bookings/WH-EVIL`)).status).toBe(
      404,
    );
  });

  it("refuses another supplier's signature, and unknown suppliers alike", async () => {
    const wrong = await postWebhook(gateway, 'demo-supplier', upsert('WH-WRONG'), {
      secrets: [OTHER_SECRET],
    });
    expect(wrong.status).toBe(401);
    const crossed = await postWebhook(gateway, 'other-supplier', upsert('WH-WRONG'), {
      secrets: [NEW_SECRET],
    });
    expect(crossed.status).toBe(401);
    const unknown = await postWebhook(gateway, 'nobody', upsert('WH-WRONG'), { secrets: [NEW_SECRET] });
    expect(unknown.status).toBe(401);
    expect(unknown.body.detail).toBe(wrong.body.detail);
  });

  it('refuses any signature for a registered supplier that has no webhook secret', async () => {
    await addSupplier('secretless-supplier', 'SecretlessSource', [COMPANY]);
    const before = gateway.simulator!.requests.entries.length;
    for (const secrets of [[NEW_SECRET], [OTHER_SECRET], [generateWebhookSecret()], []]) {
      const answer = await postWebhook(gateway, 'secretless-supplier', upsert('WH-SECRETLESS'), { secrets });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(gateway.simulator!.requests.entries.length).toBe(before);
  });

  it('answers a replayed webhook-id with the original operation and applies it once', async () => {
    const event = upsert('WH-REPLAY');
    const first = await postWebhook(gateway, 'demo-supplier', event, { secrets: [NEW_SECRET] });
    const again = await postWebhook(gateway, 'demo-supplier', event, {
      secrets: [NEW_SECRET],
      id: first.webhookId,
    });
    expect(again.status).toBe(202);
    expect(again.body.operation.id).toBe(first.body.operation.id);
    const done = await awaitOperation(gateway, gateway.apiKey, first.body.operation.href);
    expect(done.body.operation.status).toBe('succeeded');
    const posts = gateway.simulator!.requests.entries.filter(
      (entry) => entry.route === 'bookingPost' && entry.body.includes('WH-REPLAY'),
    );
    expect(posts).toHaveLength(1);
    // The same id from another supplier is another event.
    const other = await postWebhook(gateway, 'other-supplier', upsert('WH-REPLAY'), {
      secrets: [OTHER_SECRET],
      id: first.webhookId,
    });
    expect(other.body.operation.id).not.toBe(first.body.operation.id);
  });

  it('refuses a webhook-id delivered again with other content (409 webhook-id-reused), and keeps the first', async () => {
    const first = await postWebhook(gateway, 'demo-supplier', upsert('WH-REUSED'), { secrets: [NEW_SECRET] });
    expect(first.status).toBe(202);
    const other = upsert('WH-REUSED-OTHER', '2027-01-11T10:00:00');
    const reused = await postWebhook(gateway, 'demo-supplier', other, {
      secrets: [NEW_SECRET],
      id: first.webhookId,
    });
    expect(reused.status).toBe(409);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    expect(reused.body.type).toBe('urn:concur-gateway:problem:webhook-id-reused');
    expect(reused.body.detail).toContain(first.body.operation.id);
    const done = await awaitOperation(gateway, gateway.apiKey, first.body.operation.href);
    expect(done.body.operation).toMatchObject({ status: 'succeeded', result: { status: 201 } });
    const client = api(gateway, gateway.apiKey);
    expect((await client.get(`/v1/companies/${COMPANY}/bookings/WH-REUSED`)).status).toBe(200);
    expect((await client.get(`/v1/companies/${COMPANY}/bookings/WH-REUSED-OTHER`)).status).toBe(404);
    // The same content again (keys in another order, as another serializer writes them) is a redelivery.
    const { type, timestamp, data } = upsert('WH-REUSED') as {
      type: string;
      timestamp: string;
      data: Record<string, unknown>;
    };
    const reordered = { data: { traveler: data.traveler, booking: data.booking, ...data }, timestamp, type };
    const redelivered = await postWebhook(gateway, 'demo-supplier', reordered, {
      secrets: [NEW_SECRET],
      id: first.webhookId,
    });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.operation.id).toBe(first.body.operation.id);
  });

  it('queues a stuck operation again when its webhook-id is delivered again, and applies it', async () => {
    const event = upsert('WH-STUCK');
    const webhookId = 'msg_stuck_after_a_lost_message';
    const id = operationIdOf('demo-supplier', 'webhook', webhookId);
    // What a lost message leaves: the operation recorded and queued long ago, and no message on the queue.
    const longAgo = new DynamoOperations({
      client: dynamoDbClient(),
      tableName: stateTableName(),
      clock: { now: () => Date.now() - 60 * 60_000 },
    });
    await longAgo.create({
      id,
      supplierId: 'demo-supplier',
      trigger: 'webhook',
      eventId: webhookId,
      type: event.type,
      command: commandOf(parseEnvelope(event)),
      status: 'accepted',
    });
    await longAgo.markQueued(id);

    const redelivered = await postWebhook(gateway, 'demo-supplier', event, {
      secrets: [NEW_SECRET],
      id: webhookId,
    });
    expect(redelivered.status).toBe(202);
    expect(redelivered.body.operation.id).toBe(id);
    const done = await awaitOperation(gateway, gateway.apiKey, redelivered.body.operation.href);
    expect(done.body.operation).toMatchObject({ status: 'succeeded', result: { status: 201 } });
    expect(
      (await api(gateway, gateway.apiKey).get(`/v1/companies/${COMPANY}/bookings/WH-STUCK`)).status,
    ).toBe(200);
  });

  it('answers a bad envelope with 400 and the paths of its problems', async () => {
    const answer = await postWebhook(
      gateway,
      'demo-supplier',
      { type: 'booking.upserted', timestamp: 'yesterday', data: { companyId: COMPANY } },
      { secrets: [NEW_SECRET] },
    );
    expect(answer.status).toBe(400);
    const paths = answer.body.errors.map((problem: { path: string }) => problem.path);
    expect(paths).toEqual(expect.arrayContaining(['timestamp', 'data.confirmationNumber']));
    const badBooking = await postWebhook(
      gateway,
      'demo-supplier',
      bookingEvent('WH-BAD', {
        companyId: COMPANY,
        booking: { segments: 'none' },
        traveler: { loginId: TRAVELER },
      }),
      { secrets: [NEW_SECRET] },
    );
    expect(badBooking.status).toBe(400);
    expect(badBooking.body.errors[0].path).toMatch(/^data\.booking/);
  });

  it('takes the supplier from the endpoint, never from the payload', async () => {
    const event = bookingEvent('WH-SOURCE', {
      companyId: COMPANY,
      booking: carBooking({ bookingSource: 'OtherSource' }),
      traveler: { loginId: TRAVELER },
    });
    const answer = await postWebhook(gateway, 'demo-supplier', event, { secrets: [NEW_SECRET] });
    expect(answer.status).toBe(403);
    const forbidden = await postWebhook(
      gateway,
      'demo-supplier',
      bookingEvent('WH-CO', {
        companyId: 'someone-elses-company',
        booking: carBooking(),
        traveler: { loginId: TRAVELER },
      }),
      { secrets: [NEW_SECRET] },
    );
    expect(forbidden.status).toBe(403);
  });
});

describe('GET /v1/operations/{operationId}', () => {
  it('shows a supplier its own operations only', async () => {
    const answer = await postWebhook(gateway, 'demo-supplier', upsert('WH-MINE'), { secrets: [NEW_SECRET] });
    const path = new URL(answer.body.operation.href).pathname;
    const otherKey = await addSupplier('third-supplier', 'ThirdSource', [COMPANY]);
    const foreign = await api(gateway, otherKey).get(path);
    expect(foreign.status).toBe(404);
    expect(JSON.stringify(foreign.body)).not.toContain('WH-MINE');
    expect((await api(gateway).get(path)).status).toBe(401);
    expect((await api(gateway, gateway.apiKey).get('/v1/operations/op_nothing')).status).toBe(404);
  });
});
