/**
 * `companies connect … --change-notices ess|poll|off` and `companies show`, spawned through the bin against the
 * `npm start` data: the companies the simulator serves take ESS events, any other company is polled until the
 * operator says otherwise, and the choice outlives a restart of npm start.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { COMPANY } from '../gateway/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

let server: LocalStart | undefined;
let dataDir: string;
const local = () => ['--local', dataDir];

beforeAll(async () => {
  dataDir = freshDataDir();
  server = await startNpmStart(dataDir);
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

const modeOf = async (companyId: string) =>
  (await runJson<{ changeNotices: string }>(['companies', 'show', companyId, ...local()])).changeNotices;

describe('companies connect --change-notices', () => {
  it('shows ESS for the simulated company, poll for another, sets each mode, refuses another word, and keeps the choice across a restart', async () => {
    expect(await modeOf(COMPANY)).toBe('ess');
    const human = await runCli(['companies', 'show', COMPANY, ...local()]);
    expect(human.stdout).toMatch(/change notices:\s+ess: ESS events/);

    const connected = await runJson<{ changeNotices: string }>([
      'companies',
      'connect',
      'polled-company',
      ...local(),
      '--access-token',
      'polled-access',
      '--refresh-token',
      'polled-refresh',
      '--expires-at',
      '2030-01-01T00:00:00Z',
    ]);
    expect(connected.changeNotices).toBe('poll');
    expect(await modeOf('polled-company')).toBe('poll');

    // With tokens and the flag at once, and the flag alone for a connected company.
    const off = await runJson<{ changeNotices: string }>([
      'companies',
      'connect',
      'quiet-company',
      ...local(),
      '--access-token',
      'quiet-access',
      '--refresh-token',
      'quiet-refresh',
      '--expires-at',
      '2030-01-01T00:00:00Z',
      '--change-notices',
      'off',
    ]);
    expect(off.changeNotices).toBe('off');
    expect(await runJson(['companies', 'connect', COMPANY, ...local(), '--change-notices', 'poll'])).toEqual({
      companyId: COMPANY,
      changeNotices: 'poll',
    });
    expect(await modeOf(COMPANY)).toBe('poll');
    const told = await runCli(['companies', 'connect', COMPANY, ...local(), '--change-notices', 'ess']);
    expect(told.status, told.stderr).toBe(0);
    expect(told.stdout).toContain(`Company ${COMPANY}: changes made in Concur are ESS events`);
    await runJson(['companies', 'connect', COMPANY, ...local(), '--change-notices', 'poll']);

    const wrong = await runCli([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--change-notices',
      'sometimes',
    ]);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/sometimes.*ess, poll, off|ess, poll, off.*sometimes/s);
    const unknown = await runCli(['companies', 'connect', 'nobody', ...local(), '--change-notices', 'off']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no company nobody');

    // npm start makes the simulated companies ESS only when nobody chose otherwise.
    await server!.stop();
    server = await startNpmStart(dataDir);
    expect(await modeOf(COMPANY)).toBe('poll');
    expect(await modeOf('quiet-company')).toBe('off');
  });
});
