/**
 * The outbound limit per Concur app through the local stack (dynalite, the simulator over real HTTP): every call a
 * connection of an app makes counts against that app's one limit, whichever geolocation (origin) its company sits
 * at, and another app's calls count against its own. Two small limits of an hour make it exact and quick: a
 * fifth call of an app is refused, never sent, while the other app goes on.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSeedSchema, startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import { administration } from '../../shared/composition/administration';
import { resetServices } from '../../shared/composition/container';
import { api, carBooking } from './support';

const key = (name: string) => `cgw_${name.padEnd(40, '0')}`;
const TRAVELER = 'pat@co-1.example';
/** Each app's calls an hour: a minute's 600 could make 36,000, so the hour is what holds them. */
const PER_HOUR = 4;

const seed = localSeedSchema.parse({
  app: { clientId: 'gateway-client', clientSecret: 'gateway-secret' },
  apps: [
    {
      id: 'acme-app',
      clientId: 'acme-client',
      clientSecret: 'acme-secret',
      ratePerMinute: 600,
      ratePerHour: PER_HOUR,
    },
    {
      id: 'globex-app',
      clientId: 'globex-client',
      clientSecret: 'globex-secret',
      ratePerMinute: 600,
      ratePerHour: PER_HOUR,
    },
  ],
  suppliers: [
    {
      id: 'acme',
      bookingSource: 'Acme',
      apiKey: key('acme'),
      companies: ['co-1', 'co-2'],
      concurApp: 'acme-app',
    },
    {
      id: 'globex',
      bookingSource: 'Globex',
      apiKey: key('globex'),
      companies: ['co-1', 'co-2'],
      concurApp: 'globex-app',
    },
  ],
  companies: [
    { id: 'co-1', users: [{ loginId: TRAVELER }] },
    { id: 'co-2', users: [{ loginId: TRAVELER }] },
  ],
});

let gateway: LocalGateway;
/** The simulator as co-2's connections reach it: another origin (its geolocation) than co-1's. */
let otherOrigin: string;

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    simulatorPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-app-limits-')),
    seed,
  });
  const simulator = new URL(gateway.simulator!.url);
  otherOrigin = `http://localhost:${simulator.port}`;
  const admin = administration();
  for (const appId of ['acme-app', 'globex-app']) {
    const connection = { appId, companyId: 'co-2' };
    await admin.configureConnection(connection, {
      ...(await admin.readConnection(connection)),
      baseUrl: otherOrigin,
    });
  }
  resetServices();
});
afterAll(() => gateway?.close());

const put = (supplier: string, companyId: string, confirmationNumber: string) =>
  api(gateway, key(supplier)).put(`/v1/companies/${companyId}/bookings/${confirmationNumber}`, {
    booking: carBooking({}, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });

/** The hosts the simulator's booking posts came to, in order. */
const postHosts = () => gateway.simulator!.requests.of('bookingPost').map((entry) => entry.headers.host);

describe('the outbound limit per Concur app', () => {
  it('counts an app’s calls to every geolocation against its one limit, and another app’s against its own', async () => {
    // The hour's windows are clock hours: start well inside one.
    const intoHour = Date.now() % 3_600_000;
    if (intoHour > 3_540_000)
      await new Promise((resolve) => setTimeout(resolve, 3_600_000 - intoHour + 1_000));
    const simulator = gateway.simulator!;
    simulator.requests.clear();

    for (const [n, companyId] of ['co-1', 'co-2', 'co-1', 'co-2'].entries()) {
      const answer = await put('acme', companyId, `ACME-${n}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }
    // Both geolocations were called: two origins of one app.
    expect(new Set(postHosts()).size).toBe(2);
    expect(postHosts()).toContain(new URL(otherOrigin).host);

    // The app's fifth call this hour is refused before it is sent, whichever geolocation it is for.
    const refused = await put('acme', 'co-2', 'ACME-LIMITED');
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(refused.body).toMatchObject({ type: expect.stringContaining('concur-unavailable') });
    expect(simulator.requests.of('bookingPost')).toHaveLength(PER_HOUR);
    expect(simulator.requests.entries.filter((entry) => entry.route !== undefined)).toHaveLength(PER_HOUR);
    expect((await api(gateway, key('acme')).get('/v1/companies/co-2/bookings/ACME-LIMITED')).status).toBe(
      404,
    );

    // Asked asynchronously, the refused call goes back to the queue to be retried: nothing parked, nothing sent.
    const accepted = await api(gateway, key('acme')).put(
      '/v1/companies/co-1/bookings/ACME-LATER',
      { booking: carBooking({}, { confirmationNumber: 'ACME-LATER' }), traveler: { loginId: TRAVELER } },
      { prefer: 'respond-async' },
    );
    expect(accepted.status).toBe(202);
    const path = new URL(accepted.body.operation.href).pathname;
    let operation = (await api(gateway, key('acme')).get(path)).body.operation;
    for (let polls = 0; operation.nextAttemptAt === undefined && polls < 200; polls++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      operation = (await api(gateway, key('acme')).get(path)).body.operation;
    }
    expect(operation).toMatchObject({ status: expect.stringMatching(/^(accepted|processing)$/) });
    expect(operation.attempts).toBeGreaterThanOrEqual(1);
    expect(operation.nextAttemptAt).toEqual(expect.any(String));
    expect(simulator.requests.of('bookingPost')).toHaveLength(PER_HOUR);

    // Another app has its own limit: all its calls go out.
    for (const [n, companyId] of ['co-2', 'co-1', 'co-2', 'co-1'].entries()) {
      const answer = await put('globex', companyId, `GLOBEX-${n}`);
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }
    expect(simulator.requests.of('bookingPost')).toHaveLength(2 * PER_HOUR);
    expect((await put('globex', 'co-1', 'GLOBEX-LIMITED')).status).toBe(503);
    expect(simulator.requests.of('bookingPost')).toHaveLength(2 * PER_HOUR);
  }, 120_000);
});
