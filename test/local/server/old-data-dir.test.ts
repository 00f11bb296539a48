/**
 * A data directory made before Concur apps existed (test/fixtures/data-dir-before-apps.tar.gz: `npm start`'s demo
 * with a booking OLD-1, a supplier `oldsup` added and a company `old-elsewhere` connected by the command line of
 * that version) starts under `npm start` and serves on: its company secrets are the default app's connections,
 * its suppliers use the default app.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, carBooking, TRAVELER } from '../../gateway/support';
import { freshDataDir, runJson, startNpmStart } from '../../cli/support';
import type { LocalStart } from '../../cli/support';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const fixture = fileURLToPath(new URL('../../fixtures/data-dir-before-apps.tar.gz', import.meta.url));
let server: LocalStart;
let dataDir: string;

beforeAll(async () => {
  dataDir = freshDataDir();
  execFileSync('tar', ['-xzf', fixture, '-C', dataDir]);
  server = await startNpmStart(dataDir);
});
afterAll(() => server?.stop());

describe('a data directory from before Concur apps', () => {
  it('keeps its bookings, suppliers and connections, now the default app’s', async () => {
    const apiKey = readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim();
    const gateway = api({ url: server.endpoints.gateway }, apiKey);
    const before = await gateway.get('/v1/companies/demo-company/bookings/OLD-1');
    expect(before.status, JSON.stringify(before.body)).toBe(200);
    const updated = await gateway.put('/v1/companies/demo-company/bookings/OLD-1', {
      booking: carBooking({}, { confirmationNumber: 'OLD-1', dailyRate: 40 }),
      traveler: { loginId: TRAVELER },
    });
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    expect(updated.body.booking.tripId).toBe(before.body.booking.tripId);

    const local = ['--local', dataDir];
    const { suppliers } = await runJson<{ suppliers: { id: string; concurApp?: string }[] }>([
      'suppliers',
      'list',
      ...local,
    ]);
    expect(suppliers.map((s) => [s.id, s.concurApp])).toEqual([
      ['demo-supplier', undefined],
      ['oldsup', undefined],
    ]);
    const { companies } = await runJson<{ companies: Record<string, unknown>[] }>([
      'companies',
      'list',
      ...local,
    ]);
    // Beside the old connections, each supplier's sandbox connection for its test keys, made at this start.
    expect(companies.map((c) => [c.companyId, c.appId])).toEqual([
      ['demo-company', 'default'],
      ['old-elsewhere', 'default'],
      ['sandbox-demo-supplier', 'sandbox'],
      ['sandbox-oldsup', 'sandbox'],
    ]);
    expect(companies[1]).toMatchObject({
      geolocation: 'https://eu2.api.concursolutions.com',
      refreshedAt: null,
      scopes: null,
    });
    const { apps } = await runJson<{ apps: Record<string, unknown>[] }>(['apps', 'list', ...local]);
    expect(apps).toEqual([
      expect.objectContaining({ appId: 'default', bookingSources: null }),
      expect.objectContaining({ appId: 'sandbox', clientId: 'sandbox-client' }),
    ]);
  });
});
