import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localSeedSchema, startLocalGateway } from '../../../local/server/local-gateway';
import { api, bookingPath, carBooking } from '../../gateway/support';

const CONCUR = {
  baseUrl: 'https://us2.api.concursolutions.com',
  accessToken: 'seed-access',
  refreshToken: 'seed-refresh',
  expiresAt: '2030-01-01T00:00:00Z',
};

const seed = (company: Record<string, unknown>) =>
  localSeedSchema.parse({
    app: { clientId: 'seed-app', clientSecret: 'seed-app-secret' },
    suppliers: [],
    companies: [{ id: 'co-1', ...company }],
  });

describe('LOCAL_SEED users', () => {
  it("become the simulator's users of their company, found by email and employee id", async () => {
    const gateway = await startLocalGateway({
      port: 0,
      simulatorPort: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'cgw-seed-')),
      seed: seed({
        users: [{ loginId: 'pat@co-1.example', email: 'pat.lee@co-1.example', employeeId: 'E-17' }],
      }),
    });
    try {
      const users = gateway.simulator!.users.of('co-1');
      expect(users).toHaveLength(1);
      expect(users[0]).toMatchObject({
        userName: 'pat@co-1.example',
        emails: [{ value: 'pat.lee@co-1.example', type: 'work' }],
        'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: 'E-17' },
      });
    } finally {
      await gateway.close();
    }
  });

  it('refuses a user without a login, an email that is none, and users of a company at a real Concur', () => {
    expect(() => seed({ users: [{ email: 'pat.lee@co-1.example' }] })).toThrow();
    expect(() => seed({ users: [{ loginId: 'pat', email: 'not an email' }] })).toThrow();
    expect(() => seed({ concur: CONCUR, users: [{ loginId: 'pat' }] })).toThrow(/simulator serves/);
    expect(seed({ concur: CONCUR }).companies[0]!.concur).toEqual(CONCUR);
  });
});

describe('LOCAL_SEED app scopes', () => {
  it('grant an app the Identity scopes at the simulator; an app without them is a production itinerary app', async () => {
    const USER = { loginId: 'pat@co-1.example', email: 'pat.lee@co-1.example', employeeId: 'E-17' };
    const GRANTED_KEY = 'cgw_seed-scopes-granted-0123456789abcdef';
    const PLAIN_KEY = 'cgw_seed-scopes-plain-0123456789abcdefgh';
    const gateway = await startLocalGateway({
      port: 0,
      simulatorPort: 0,
      dataDir: mkdtempSync(join(tmpdir(), 'cgw-seed-scopes-')),
      seed: localSeedSchema.parse({
        app: { clientId: 'plain-app', clientSecret: 'plain-app-secret' },
        apps: [
          {
            id: 'identity',
            clientId: 'identity-app',
            clientSecret: 'identity-app-secret',
            scopes: [
              'openid',
              'ITINER',
              'identity.user.ids.read',
              'identity.user.core.read',
              'identity.user.enterprise.read',
            ],
          },
        ],
        suppliers: [
          {
            id: 'granted',
            bookingSource: 'Granted',
            apiKey: GRANTED_KEY,
            companies: ['co-1'],
            concurApp: 'identity',
          },
          { id: 'plain', bookingSource: 'Plain', apiKey: PLAIN_KEY, companies: ['co-1'] },
        ],
        companies: [{ id: 'co-1', users: [USER] }],
      }),
    });
    const put = (apiKey: string, confirmationNumber: string) =>
      api(gateway, apiKey).put(bookingPath(confirmationNumber, 'co-1'), {
        booking: carBooking({}, { confirmationNumber }),
        traveler: { email: USER.email },
      });
    try {
      // The app without Identity's scopes: refused at once, without a call to Concur.
      const refused = await put(PLAIN_KEY, 'UNSCOPED-1');
      expect(refused.status).toBe(422);
      expect(refused.body.type).toBe('urn:concur-gateway:problem:traveler-lookup-unavailable');
      expect(gateway.simulator!.requests.entries).toEqual([]);
      const found = await put(GRANTED_KEY, 'SCOPED-1');
      expect(found.status, JSON.stringify(found.body)).toBe(201);
      expect(found.body.booking.traveler).toEqual({ loginId: USER.loginId });
      expect(gateway.simulator!.requests.entries.map((entry) => entry.route)).toEqual([
        'identitySearch',
        'bookingPost',
      ]);
    } finally {
      await gateway.close();
    }
  });
});
