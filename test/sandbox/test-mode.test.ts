/**
 * Test mode: the demo supplier's test key books against its sandbox company at the simulator, while the live
 * Concur is a recording fake that must never be called. The live key sees none of it, the test key none of the
 * live side, and every answer says which mode made it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import { administration } from '../../shared/composition/administration';
import { supplierDirectory } from '../../shared/composition/dynamodb';
import { generateTestApiKey } from '../../shared/sandbox';
import { runJson } from '../cli/support';
import { startReceiver, verifiedWebhook } from '../webhooks-out/support';
import { api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';

const SANDBOX = 'sandbox-demo-supplier';

/** The live Concur: records every request and answers 500, so a call to it could not pass unnoticed. */
async function recordingConcur() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    request.resume();
    request.on('end', () => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let live: Awaited<ReturnType<typeof recordingConcur>>;
let gateway: LocalGateway;
let liveKey: string;
let testKey: string;
const dataDir = mkdtempSync(join(tmpdir(), 'cgw-test-mode-'));

beforeAll(async () => {
  live = await recordingConcur();
  gateway = await startLocalGateway({
    port: 0,
    dataDir,
    simulatorPort: 0,
    concurBaseUrl: live.url,
    demoConcur: { accessToken: 'live-access-token', refreshToken: 'live-refresh-token' },
  });
  liveKey = gateway.demoApiKey!;
  testKey = gateway.demoTestApiKey!;
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await live?.close();
});

describe('test mode', () => {
  it('books with a test key against the sandbox: the simulator has it, the live Concur gets no call', async () => {
    expect(testKey).toMatch(/^cgw_test_[A-Za-z0-9_-]{32}$/);
    const created = await api(gateway, testKey).put(bookingPath('TEST1', SANDBOX), {
      booking: carBooking({}, { confirmationNumber: 'TEST1' }),
      traveler: { loginId: TRAVELER },
    });
    expect(created.status).toBe(201);
    expect(created.body.livemode).toBe(false);
    expect(created.body.booking).toMatchObject({ companyId: SANDBOX, confirmationNumber: 'TEST1' });
    const [trip] = gateway.simulator!.state.trips(SANDBOX);
    expect(trip!.bookings.map(({ booking }) => booking.recordLocator)).toEqual(['TEST1']);

    const read = await api(gateway, testKey).get(bookingPath('TEST1', SANDBOX));
    expect(read.status).toBe(200);
    expect(read.body.livemode).toBe(false);
    const history = await api(gateway, testKey).get(`${bookingPath('TEST1', SANDBOX)}/history`);
    expect(history.body.history.map((entry: { action: string }) => entry.action)).toEqual(['created']);
    const listed = await api(gateway, testKey).get('/v1/bookings');
    expect(listed.body).toMatchObject({ livemode: false, bookings: [{ confirmationNumber: 'TEST1' }] });
    expect(live.requests).toEqual([]);
  });

  it('keeps the sandbox from the live key: not listed, not readable, not writable', async () => {
    const listed = await api(gateway, liveKey).get('/v1/bookings');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ bookings: [], livemode: true });
    for (const answer of [
      await api(gateway, liveKey).get(bookingPath('TEST1', SANDBOX)),
      await api(gateway, liveKey).get(`${bookingPath('TEST1', SANDBOX)}/history`),
      await api(gateway, liveKey).put(bookingPath('TEST2', SANDBOX), {
        booking: carBooking({}, { confirmationNumber: 'TEST2' }),
        traveler: { loginId: TRAVELER },
      }),
    ]) {
      expect(answer.status).toBe(403);
      expect(JSON.stringify(answer.body)).not.toContain('TEST1');
    }
    expect(live.requests).toEqual([]);
  });

  it('keeps the live companies from the test key', async () => {
    const answer = await api(gateway, testKey).put(bookingPath('LIVE1', COMPANY), {
      booking: carBooking({}, { confirmationNumber: 'LIVE1' }),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status).toBe(403);
    expect((await api(gateway, testKey).get(bookingPath('LIVE1', COMPANY))).status).toBe(403);
    expect(live.requests).toEqual([]);
  });

  it('keeps operations apart: a test key’s asynchronous request is the sandbox’s, not the live key’s', async () => {
    const accepted = await api(gateway, testKey).put(
      bookingPath('TEST3', SANDBOX),
      { booking: carBooking({}, { confirmationNumber: 'TEST3' }), traveler: { loginId: TRAVELER } },
      { prefer: 'respond-async' },
    );
    expect(accepted.status).toBe(202);
    expect(accepted.body.livemode).toBe(false);
    const location = accepted.headers.get('location')!;
    let operation = await api(gateway, testKey).get(new URL(location).pathname);
    for (let i = 0; i < 200 && operation.body.operation?.status !== 'succeeded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      operation = await api(gateway, testKey).get(new URL(location).pathname);
    }
    expect(operation.body.operation.status).toBe('succeeded');
    expect((await api(gateway, liveKey).get(new URL(location).pathname)).status).toBe(404);
    expect((await api(gateway, liveKey).get('/v1/operations')).body.operations).toEqual([]);
    const sandboxOperations = await api(gateway, testKey).get('/v1/operations');
    expect(sandboxOperations.body.operations).toHaveLength(1);
    expect(gateway.simulator!.state.trips(SANDBOX).flatMap((trip) => trip.bookings)).toHaveLength(2);
    expect(live.requests).toEqual([]);
  });

  it('answers a live key with livemode true', async () => {
    const answer = await api(gateway, liveKey).get('/v1/operations');
    expect(answer.body.livemode).toBe(true);
  });

  it('sends a test key’s webhook events with livemode false, to the test key’s endpoints alone', async () => {
    const receiver = await startReceiver();
    try {
      const created = await api(gateway, testKey).post('/v1/webhook-endpoints', { url: receiver.url });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const endpoint = created.body.endpoint as { id: string; secret: string };
      // The live key's endpoints do not list it.
      const live = await api(gateway, gateway.demoApiKey).get('/v1/webhook-endpoints');
      expect(JSON.stringify(live.body)).not.toContain(endpoint.id);
      expect((await api(gateway, testKey).post(`/v1/webhook-endpoints/${endpoint.id}/test`)).status).toBe(
        202,
      );
      const [webhook] = await receiver.waitFor(1);
      const event = verifiedWebhook(endpoint.secret, webhook!) as { type: string; livemode: boolean };
      expect(event).toMatchObject({ type: 'ping', livemode: false });
    } finally {
      await receiver.close();
    }
  });

  it('shows the operator the live and the test activity apart, from the same records', async () => {
    const shown = await runJson<{ activity: unknown; testActivity: unknown }>([
      'suppliers',
      'show',
      'demo-supplier',
      '--local',
      dataDir,
    ]);
    expect(shown.activity).toEqual({
      bookings: { total: 0, byStatus: {} },
      operations: { total: 0, byStatus: {} },
    });
    expect(shown.testActivity).toMatchObject({
      bookings: { total: 2, byStatus: { active: 2 } },
      operations: { total: 1, byStatus: { succeeded: 1 } },
      lastRequestAt: expect.any(String),
    });
  }, 60_000);

  it('ends a test key by rotating the test keys alone: the live key keeps working', async () => {
    const directory = supplierDirectory();
    const newTestKey = generateTestApiKey();
    await directory.rotateApiKey('demo-supplier', newTestKey, 0);
    const keys = await directory.listApiKeys('demo-supplier');
    expect(keys.filter((key) => key.mode === 'test' && key.validUntil === undefined)).toHaveLength(1);
    expect(keys.filter((key) => key.mode === 'live' && key.validUntil === undefined)).toHaveLength(1);
    // Within the authenticator's cache time the old test key may still answer; a fresh key is read from the table.
    expect((await api(gateway, newTestKey).get('/v1/bookings')).body.livemode).toBe(false);
    expect((await api(gateway, liveKey).get('/v1/bookings')).status).toBe(200);
  });

  it('refuses a live supplier the sandbox principals’ ids and companies', async () => {
    const admin = administration();
    await expect(
      admin.registerSupplier(
        { id: 'acme/test', bookingSource: 'Acme', companies: [COMPANY], profile: 'tmc' },
        admin.generateApiKey(),
      ),
    ).rejects.toThrow(/holds no \//);
    await expect(
      admin.registerSupplier(
        { id: 'acme', bookingSource: 'Acme', companies: [SANDBOX], profile: 'tmc' },
        admin.generateApiKey(),
      ),
    ).rejects.toThrow(/sandbox company/);
  });
});
