/**
 * Concur apps and their connections through the local stack: suppliers with apps of their own post to one company
 * with their own app's tokens, and a booking source an app was not approved for is refused before any call.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSeedSchema, startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import { administration } from '../../shared/composition/administration';
import { resetServices } from '../../shared/composition/container';
import { DEFAULT_APP_ID } from '../../shared/tokens';
import { api, carBooking } from './support';

const key = (name: string) => `cgw_${name.padEnd(40, '0')}`;
const TRAVELER = 'pat@co-1.example';

const seed = localSeedSchema.parse({
  app: { clientId: 'gateway-client', clientSecret: 'gateway-secret' },
  apps: [
    { id: 'acme-app', clientId: 'acme-client', clientSecret: 'acme-secret', bookingSources: ['Acme'] },
    {
      id: 'globex-app',
      clientId: 'globex-client',
      clientSecret: 'globex-secret',
      bookingSources: ['Globex'],
    },
  ],
  suppliers: [
    { id: 'acme', bookingSource: 'Acme', apiKey: key('acme'), companies: ['co-1'], concurApp: 'acme-app' },
    {
      id: 'globex',
      bookingSource: 'Globex',
      apiKey: key('globex'),
      companies: ['co-1'],
      concurApp: 'globex-app',
    },
    { id: 'agency', bookingSource: 'Agency', apiKey: key('agency'), companies: ['co-1'] },
  ],
  companies: [{ id: 'co-1', users: [{ loginId: TRAVELER }] }],
});

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    simulatorPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-apps-')),
    seed,
  });
});
afterAll(() => gateway?.close());

const put = (apiKey: string, confirmationNumber: string) =>
  api(gateway, apiKey).put(`/v1/companies/co-1/bookings/${confirmationNumber}`, {
    booking: carBooking({}, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });

/** The last 4 characters of the access token each post carried (the simulator's log keeps no more). */
const postedTokenTails = () =>
  gateway.simulator!.requests.of('bookingPost').map((entry) => entry.headers.authorization?.slice(-4));

describe('Concur apps and connections', () => {
  it('posts each supplier’s bookings with its own app’s tokens for the company', async () => {
    const admin = administration();
    const acme = await admin.readConnection({ appId: 'acme-app', companyId: 'co-1' });
    const globex = await admin.readConnection({ appId: 'globex-app', companyId: 'co-1' });
    const own = await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: 'co-1' });
    expect(new Set([acme.accessToken, globex.accessToken, own.accessToken]).size).toBe(3);

    gateway.simulator!.requests.clear();
    const answers = await Promise.all([
      put(key('acme'), 'ACME-1'),
      put(key('globex'), 'GLOBEX-1'),
      put(key('agency'), 'AGENCY-1'),
    ]);
    for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(postedTokenTails().sort()).toEqual(
      [acme, globex, own].map((tokens) => tokens.accessToken.slice(-4)).sort(),
    );
  });

  it('refuses, without any Concur call, a booking source its app was not approved for', async () => {
    const admin = administration();
    const apiKey = admin.generateApiKey();
    await admin.registerSupplier(
      { id: 'rogue', bookingSource: 'Rogue', companies: ['co-1'], profile: 'tmc', concurApp: 'acme-app' },
      apiKey,
    );
    gateway.simulator!.requests.clear();
    const answer = await put(apiKey, 'ROGUE-1');
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      type: expect.stringContaining('booking-source-not-approved'),
      detail: expect.stringContaining('booking source Rogue for the Concur app acme-app'),
    });
    expect(gateway.simulator!.requests.entries).toHaveLength(0);
    // Nothing was recorded: the booking is unknown to the gateway.
    expect((await api(gateway, apiKey).get('/v1/companies/co-1/bookings/ROGUE-1')).status).toBe(404);
  });

  it('answers a 403 of Concur that is no token trouble (another app’s source) as concur-forbidden, without a refresh', async () => {
    const admin = administration();
    // The gateway does not know what Concur approved for this app (none recorded): Concur decides, and refuses.
    const { bookingSources: _approved, ...unrecorded } = await admin.readApp('acme-app');
    await admin.configureApp('acme-app', unrecorded);
    resetServices();
    const apiKey = admin.generateApiKey();
    await admin.registerSupplier(
      { id: 'stray', bookingSource: 'Stray', companies: ['co-1'], profile: 'tmc', concurApp: 'acme-app' },
      apiKey,
    );
    const simulator = gateway.simulator!;
    const refreshes = simulator.requests.of('token').length;
    const posts = simulator.requests.of('bookingPost').length;
    const answer = await put(apiKey, 'STRAY-1');
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      type: expect.stringContaining('concur-forbidden'),
      concur: {
        status: 403,
        message: expect.stringContaining('Booking source mismatch'),
        correlationId: expect.any(String),
      },
    });
    expect(simulator.requests.of('bookingPost')).toHaveLength(posts + 1);
    expect(simulator.requests.of('token')).toHaveLength(refreshes);
  });

  it('refuses a seed whose supplier names an unknown app or a source its app lacks', () => {
    const base = { app: { clientId: 'c', clientSecret: 's' }, companies: [] };
    const supplier = { id: 's', bookingSource: 'S', apiKey: key('s'), companies: [] };
    expect(() => localSeedSchema.parse({ ...base, suppliers: [{ ...supplier, concurApp: 'none' }] })).toThrow(
      /no app none/,
    );
    expect(() =>
      localSeedSchema.parse({
        apps: [{ id: 'default', clientId: 'c', clientSecret: 's', bookingSources: ['T'] }],
        companies: [],
        suppliers: [supplier],
      }),
    ).toThrow(/not approved for booking source S/);
  });
});
