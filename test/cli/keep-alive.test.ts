/**
 * `companies keep-alive` against `npm start`'s data, spawned through the bin: it refreshes the connections not
 * refreshed for the given time at the simulator, leaves the others, and says which Concur refused.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMPANY } from '../gateway/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let server: LocalStart;
let dataDir: string;
const local = () => ['--local', dataDir];

beforeAll(async () => {
  dataDir = freshDataDir();
  server = await startNpmStart(dataDir);
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

interface Report {
  connections: { companyId: string; appId: string; outcome: string; refreshedAt: string | null }[];
  refreshed: number;
  recent: number;
  refused: number;
  failed: number;
}

const outcomes = (report: Report) =>
  Object.fromEntries(report.connections.map((c) => [`${c.companyId}/${c.appId}`, c.outcome]));

const tokenRequests = async () =>
  (
    (await (await fetch(`${server.endpoints.simulator}/_sim/requests`)).json()) as {
      requests: { route?: string }[];
    }
  ).requests.filter((entry) => entry.route === 'token').length;

describe('companies keep-alive', () => {
  it('refreshes the connections not refreshed for --older-than, leaves the recent ones, and exits 1 on a refusal', async () => {
    // Tokens Concur (the simulator) never issued, at the simulator: their refresh is refused.
    await runJson([
      'companies',
      'connect',
      'gone',
      ...local(),
      '--access-token',
      'gone-access',
      '--refresh-token',
      'gone-refresh',
      '--expires-at',
      '2030-01-01T00:00:00Z',
      '--geolocation',
      server.endpoints.simulator!,
    ]);
    const before = await tokenRequests();
    // npm start's demo connection was never refreshed: older than any threshold.
    const first = await runCli(['companies', 'keep-alive', ...local(), '--json']);
    expect(first.status, first.stderr).toBe(1);
    const report = JSON.parse(first.stdout) as Report;
    // The demo supplier's sandbox connection was issued as npm start started: recent.
    expect(outcomes(report)).toEqual({
      [`${COMPANY}/default`]: 'refreshed',
      'gone/default': 'refused',
      'sandbox-demo-supplier/sandbox': 'recent',
    });
    expect(await tokenRequests()).toBe(before + 2);
    expect(first.stdout).not.toMatch(/gone-(access|refresh)/);

    // Refreshed a moment ago: a run with the default week leaves it alone, without a call.
    const second = await runCli(['companies', 'keep-alive', ...local()]);
    expect(second.status).toBe(1);
    expect(second.stdout).toMatch(new RegExp(`${COMPANY}\\s+default\\s+recent`));
    expect(second.stdout).toMatch(/gone\s+default\s+refused.*connect it again/);
    expect(second.stdout).toContain('0 refreshed, 2 refreshed recently (left alone), 1 refused, 0 failed.');
    // The refusal is remembered: no second call for the refused connection either.
    expect(await tokenRequests()).toBe(before + 2);

    // --older-than 1s refreshes it again once a second has passed.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const third = JSON.parse(
      (await runCli(['companies', 'keep-alive', ...local(), '--older-than', '1s', '--json'])).stdout,
    ) as Report;
    expect(outcomes(third)[`${COMPANY}/default`]).toBe('refreshed');
  });

  it('refuses a duration it cannot read', async () => {
    const bad = await runCli(['companies', 'keep-alive', ...local(), '--older-than', 'a week']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('is not a duration');
  });
});
