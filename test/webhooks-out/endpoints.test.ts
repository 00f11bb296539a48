/**
 * Webhooks to suppliers through the local default's whole stack (real HTTP both ways): endpoints managed with
 * the supplier's API key, signed messages, retries on one webhook-id, failures, recovery, and operation events
 * that reach only their own supplier.
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
import { awaitOperation, bookingEvent, postWebhook } from '../events/support';
import { startReceiver, verifiedWebhook } from './support';
import type { Receiver } from './support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let otherKey: string;
const receivers: Receiver[] = [];

const receiver = async (...args: Parameters<typeof startReceiver>) => {
  const started = await startReceiver(...args);
  receivers.push(started);
  return started;
};

beforeAll(async () => {
  // Three retries a second apart, a tenth of a second each on the local queue.
  process.env.WEBHOOK_RETRY_SCHEDULE = '1s,1s,1s';
  gateway = await startTestGateway({ events: { secondsScale: 0.1, retryBaseSeconds: 1 } });
  otherKey = await addSupplier('other-supplier', 'OtherSource', [COMPANY]);
}, 60_000);

afterAll(async () => {
  delete process.env.WEBHOOK_RETRY_SCHEDULE;
  for (const started of receivers) await started.close();
  await gateway?.close();
});

const own = () => api(gateway, gateway.apiKey);

async function createEndpoint(url: string, body: Record<string, unknown> = {}, client = own()) {
  const answer = await client.post('/v1/webhook-endpoints', { url, ...body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body.endpoint as { id: string; secret: string; url: string };
}

/** Polls the endpoint's attempts until `done` holds. */
async function deliveriesUntil(
  endpointId: string,
  done: (deliveries: { status?: number; error?: string; messageId: string }[]) => boolean,
) {
  const until = Date.now() + 20_000;
  for (;;) {
    const answer = await own().get(`/v1/webhook-endpoints/${endpointId}/deliveries`);
    expect(answer.status).toBe(200);
    if (done(answer.body.deliveries) || Date.now() > until) return answer.body.deliveries;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('webhook endpoints, with the supplier’s API key', () => {
  it('creates an endpoint (the secret shown once), lists it, reads, changes and deletes it', async () => {
    const target = await receiver();
    const created = await own().post('/v1/webhook-endpoints', {
      url: target.url,
      eventTypes: ['operation.parked'],
      description: 'parked operations',
    });
    expect(created.status).toBe(201);
    expect(created.body.endpoint).toMatchObject({
      url: target.url,
      eventTypes: ['operation.parked'],
      status: 'enabled',
      description: 'parked operations',
    });
    expect(created.body.endpoint.id).toMatch(/^ep_/);
    expect(created.body.endpoint.secret).toMatch(/^whsec_/);
    const id = created.body.endpoint.id as string;

    const read = await own().get(`/v1/webhook-endpoints/${id}`);
    expect(read.status).toBe(200);
    expect(read.body.endpoint.secret).toBeUndefined();
    expect(JSON.stringify(read.body)).not.toContain(created.body.endpoint.secret);
    const listed = await own().get('/v1/webhook-endpoints');
    expect(listed.body.endpoints.map((e: { id: string }) => e.id)).toContain(id);

    const changed = await own().patch(`/v1/webhook-endpoints/${id}`, { eventTypes: [], status: 'disabled' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(changed.body.endpoint).toMatchObject({
      eventTypes: [],
      status: 'disabled',
      disabledBy: 'supplier',
    });

    expect((await own().delete(`/v1/webhook-endpoints/${id}`)).status).toBe(204);
    expect((await own().get(`/v1/webhook-endpoints/${id}`)).status).toBe(404);
  });

  it('answers 404 for another supplier’s endpoint, whatever the route', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(target.url);
    const other = api(gateway, otherKey);
    const base = `/v1/webhook-endpoints/${endpoint.id}`;
    for (const answer of [
      await other.get(base),
      await other.patch(base, { description: 'mine now' }),
      await other.delete(base),
      await other.post(`${base}/rotate-secret`, {}),
      await other.post(`${base}/test`),
      await other.get(`${base}/deliveries`),
      await other.post(`${base}/recover`, { since: new Date(0).toISOString() }),
    ]) {
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect((await other.get('/v1/webhook-endpoints')).body.endpoints).toEqual([]);
    expect((await own().get(base)).body.endpoint.description).toBeUndefined();
    expect(target.received).toHaveLength(0);
  });

  it.each([
    ['plain http to a public host', 'http://hooks.example.com/x'],
    ['a private IPv4 address (10/8)', 'https://10.1.2.3/x'],
    ['a private IPv4 address (192.168/16)', 'https://192.168.0.10/x'],
    ['a private IPv4 address (172.16/12)', 'https://172.20.0.1/x'],
    ['the metadata address', 'https://169.254.169.254/latest/meta-data'],
    ['a link-local IPv4 address', 'https://169.254.1.1/'],
    ['0.0.0.0', 'https://0.0.0.0/'],
    ['an IPv6 unique local address', 'https://[fd00::1]/'],
    ['an IPv6 link-local address', 'https://[fe80::1]/'],
    ['an IPv4-mapped private address', 'https://[::ffff:10.0.0.1]/'],
    ['an IPv4-mapped metadata address', 'https://[::ffff:a9fe:a9fe]/'],
    ['the metadata address written in decimal', 'https://2852039166/'],
    ['a name only a local network knows', 'https://printer.local/'],
    ['credentials in the URL', 'https://user:pass@hooks.example.com/'],
    ['http to another loopback name', 'http://127.0.0.2:8080/'],
  ])('refuses %s with 400 naming url', async (_what, url) => {
    const answer = await own().post('/v1/webhook-endpoints', { url });
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'url' })]));
  });

  it('refuses bodies that are not valid, naming the field', async () => {
    const answer = await own().post('/v1/webhook-endpoints', {
      url: 'https://hooks.example.com/',
      eventTypes: ['operation.parked', 'no.such.type'],
      extra: 1,
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body)).toContain('eventTypes');
  });
});

describe('delivery', () => {
  it('sends a signed ping; a receiver answering 503 twice, then 200, gets it three times with one webhook-id', async () => {
    const target = await receiver((n) => (n <= 2 ? 503 : 200));
    const endpoint = await createEndpoint(target.url);
    const queued = await own().post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    expect(queued.status).toBe(202);
    const got = await target.waitFor(3);
    expect(new Set(got.map((webhook) => webhook.headers['webhook-id']))).toEqual(
      new Set([queued.body.message.id]),
    );
    for (const webhook of got) {
      expect(verifiedWebhook(endpoint.secret, webhook)).toMatchObject({
        type: 'ping',
        data: { endpointId: endpoint.id },
      });
    }
    const deliveries = await deliveriesUntil(endpoint.id, (list) => list.length >= 3);
    expect(deliveries.map((d: { status?: number }) => d.status)).toEqual([200, 503, 503]);
    expect(deliveries[0]).toMatchObject({
      messageId: queued.body.message.id,
      eventType: 'ping',
      answer: 'ok',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(target.received).toHaveLength(3);
  });

  it('ends a message failed when no answer ever comes, lists every attempt, and recover sends it again', async () => {
    const target = await receiver(() => 'drop');
    const endpoint = await createEndpoint(target.url);
    const since = new Date().toISOString();
    const queued = await own().post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    // The first attempt and three retries, each without an answer.
    const deliveries = await deliveriesUntil(endpoint.id, (list) => list.length >= 4);
    expect(deliveries).toHaveLength(4);
    for (const attempt of deliveries) {
      expect(attempt).toMatchObject({ messageId: queued.body.message.id, eventType: 'ping' });
      expect(attempt.status).toBeUndefined();
      expect(attempt.error).toEqual(expect.any(String));
    }
    const failing = await own().get(`/v1/webhook-endpoints/${endpoint.id}`);
    expect(failing.body.endpoint).toMatchObject({ status: 'enabled', failingSince: expect.any(String) });
    // Nothing more comes: the schedule has ended.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(target.received).toHaveLength(4);

    target.answering = () => 200;
    const recovered = await own().post(`/v1/webhook-endpoints/${endpoint.id}/recover`, { since });
    expect(recovered).toMatchObject({ status: 202, body: { recovered: 1 } });
    const [, , , , again] = await target.waitFor(5);
    expect(again!.headers['webhook-id']).toBe(queued.body.message.id);
    expect(verifiedWebhook(endpoint.secret, again!)).toMatchObject({ type: 'ping' });
    const after = await deliveriesUntil(endpoint.id, (list) => list[0]?.status === 200);
    expect(after[0]).toMatchObject({ status: 200, attempt: 1 });
    // The endpoint is marked healthy after the attempt is recorded: read it until it is, for at most 20 s.
    const healthyBy = Date.now() + 20_000;
    let healthy = await own().get(`/v1/webhook-endpoints/${endpoint.id}`);
    while (healthy.body.endpoint.failingSince !== undefined && Date.now() < healthyBy) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      healthy = await own().get(`/v1/webhook-endpoints/${endpoint.id}`);
    }
    expect(healthy.body.endpoint.failingSince).toBeUndefined();
    // Recovering again finds nothing failed.
    expect((await own().post(`/v1/webhook-endpoints/${endpoint.id}/recover`, { since })).body).toEqual({
      recovered: 0,
      livemode: true,
    });
  });

  it('ends a message at a 4xx other than 429, after one attempt', async () => {
    const target = await receiver(() => ({ status: 410, body: 'gone'.repeat(600) }));
    const endpoint = await createEndpoint(target.url);
    await own().post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    await target.waitFor(1);
    const deliveries = await deliveriesUntil(endpoint.id, (list) => list.length >= 1);
    expect(deliveries[0]).toMatchObject({ status: 410 });
    expect(Buffer.byteLength(deliveries[0].answer)).toBeLessThanOrEqual(1024);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(target.received).toHaveLength(1);
  });

  it('signs with the old and the new secret during a rotation’s grace, with the new one alone after a grace of 0', async () => {
    const target = await receiver();
    const endpoint = await createEndpoint(target.url);
    const rotated = await own().post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const newSecret = rotated.body.endpoint.secret as string;
    expect(newSecret).toMatch(/^whsec_/);
    expect(newSecret).not.toBe(endpoint.secret);
    await own().post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    const [during] = await target.waitFor(1);
    expect(during!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(verifiedWebhook(endpoint.secret, during!)).toMatchObject({ type: 'ping' });
    expect(verifiedWebhook(newSecret, during!)).toMatchObject({ type: 'ping' });

    const ended = await own().post(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { graceSeconds: 0 });
    const latest = ended.body.endpoint.secret as string;
    await own().post(`/v1/webhook-endpoints/${endpoint.id}/test`);
    const [, after] = await target.waitFor(2);
    expect(after!.headers['webhook-signature']!.split(' ')).toHaveLength(1);
    expect(verifiedWebhook(latest, after!)).toMatchObject({ type: 'ping' });
    expect(() => verifiedWebhook(newSecret, after!)).toThrow();
  });
});

describe('operation events', () => {
  it('tells the owner that an event’s operation was parked, signed with its secret; the other supplier hears nothing', async () => {
    const mine = await receiver();
    const theirs = await receiver();
    const endpoint = await createEndpoint(mine.url, {
      eventTypes: ['operation.parked', 'operation.succeeded'],
    });
    await createEndpoint(theirs.url, {}, api(gateway, otherKey));

    // A partner event (a signed webhook to the gateway) that Concur refuses is parked.
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'status', status: 400 }, 1);
    const accepted = await postWebhook(
      gateway,
      'demo-supplier',
      bookingEvent('WH-OUT-PARKED', {
        companyId: COMPANY,
        booking: carBooking({}, { confirmationNumber: 'WH-OUT-PARKED' }),
        traveler: { loginId: TRAVELER },
      }),
      { secrets: [gateway.demoWebhookSecret!] },
    );
    expect(accepted.status).toBe(202);
    const operation = await awaitOperation(gateway, gateway.apiKey, accepted.body.operation.href);
    expect(operation.body.operation.status).toBe('parked');

    const [webhook] = await mine.waitFor(1);
    const event = verifiedWebhook(endpoint.secret, webhook!) as {
      type: string;
      timestamp: string;
      livemode: boolean;
      data: unknown;
    };
    expect(event.type).toBe('operation.parked');
    expect(event.livemode).toBe(true);
    // The operation as GET answers it; livemode belongs to the answer, not to the event's data.
    const { livemode: _livemode, ...answered } = operation.body;
    expect(event.data).toEqual(answered);
    expect(webhook!.headers['webhook-id']).toMatch(/^msg_/);

    // A succeeded operation of the other supplier reaches its own endpoint, never this one.
    const theirsAccepted = await api(gateway, otherKey).put(
      bookingPath('WH-OUT-THEIRS'),
      { booking: carBooking({}, { confirmationNumber: 'WH-OUT-THEIRS' }), traveler: { loginId: TRAVELER } },
      { prefer: 'respond-async' },
    );
    await awaitOperation(gateway, otherKey, theirsAccepted.body.operation.href);
    const [theirWebhook] = await theirs.waitFor(1);
    expect(JSON.parse(theirWebhook!.body)).toMatchObject({ type: 'operation.succeeded' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(mine.received).toHaveLength(1);
    expect(theirs.received).toHaveLength(1);
    expect(theirs.received[0]!.body).not.toContain('WH-OUT-PARKED');
  });
});
