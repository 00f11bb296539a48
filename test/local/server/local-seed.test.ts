import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { localSeedSchema, startLocalGateway } from '../../../local/server/local-gateway';

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
