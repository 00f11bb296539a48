/**
 * `companies connect --local` outlives the next `npm start`: the connection an operator stored wins over the
 * seed's (the demo's, or LOCAL_SEED's) until that seed entry changes. Through the command line's bin and
 * `npm start` as a user runs them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMPANY_ID } from '../../local/simulator';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';

const US2 = 'https://us2.api.concursolutions.com';
const EU2 = 'https://emea.api.concursolutions.com';

async function connect(dataDir: string, companyId: string, geolocation: string): Promise<void> {
  const result = await runCli([
    'companies',
    'connect',
    companyId,
    '--local',
    dataDir,
    '--access-token',
    'operator-access',
    '--refresh-token',
    'operator-refresh',
    '--expires-at',
    '2030-01-01T00:00:00Z',
    '--geolocation',
    geolocation,
  ]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
}

async function geolocationOf(dataDir: string, companyId: string): Promise<string> {
  const { connections } = await runJson<{ connections: { geolocation: string }[] }>([
    'companies',
    'show',
    companyId,
    '--local',
    dataDir,
  ]);
  return connections[0]!.geolocation;
}

describe('a connection stored with companies connect --local', () => {
  it("survives npm start's demo seeding, and the banner says it was kept", async () => {
    const dataDir = freshDataDir();
    await (await startNpmStart(dataDir)).stop();
    await connect(dataDir, DEFAULT_COMPANY_ID, US2);

    const again = await startNpmStart(dataDir);
    try {
      expect(await geolocationOf(dataDir, DEFAULT_COMPANY_ID)).toBe(US2);
      expect(again.output()).toContain(
        `company ${DEFAULT_COMPANY_ID}, app default: the connection stored by companies connect is kept`,
      );
    } finally {
      await again.stop();
    }
  }, 180_000);

  it("wins over LOCAL_SEED's unchanged entry, and gives way once that entry changes", async () => {
    const dataDir = freshDataDir();
    const seedFile = join(dataDir, '..', `${dataDir.split('/').pop()}-seed.json`);
    const writeSeed = (baseUrl: string, refreshToken: string) =>
      writeFileSync(
        seedFile,
        JSON.stringify({
          app: { clientId: 'seed-app', clientSecret: 'seed-app-secret' },
          suppliers: [],
          companies: [
            {
              id: 'co-1',
              concur: {
                baseUrl,
                accessToken: 'seed-access',
                refreshToken,
                expiresAt: '2030-01-01T00:00:00Z',
              },
            },
          ],
        }),
      );
    const start = () => startNpmStart(dataDir, { LOCAL_SEED: seedFile });

    writeSeed(US2, 'seed-refresh');
    await (await start()).stop();
    expect(await geolocationOf(dataDir, 'co-1')).toBe(US2);
    await connect(dataDir, 'co-1', EU2);

    const unchanged = await start();
    try {
      expect(await geolocationOf(dataDir, 'co-1')).toBe(EU2);
    } finally {
      await unchanged.stop();
    }

    writeSeed(US2, 'seed-refresh-of-a-new-connect');
    const changed = await start();
    try {
      expect(await geolocationOf(dataDir, 'co-1')).toBe(US2);
      expect(changed.output()).not.toContain('is kept');
    } finally {
      await changed.stop();
    }
  }, 240_000);
});
