/**
 * The keep-alive of Concur connections through the local stack: npm start's timer runs the keep-alive function,
 * which refreshes at the simulator only the connections Concur has not issued tokens for in 7 days, and leaves
 * the others alone; a refresh Concur refuses, and a connection left unrefreshed for 14 days, are counted for the
 * alarms.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { localSeedSchema, startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import { handler as keepAlive } from '../../functions/connections/keep-alive';
import { administration } from '../../shared/composition/administration';
import { resetServices } from '../../shared/composition/container';
import { DEFAULT_APP_ID } from '../../shared/tokens';
import type { ConnectionRef } from '../../shared/tokens';

const DAY_MS = 86_400_000;
const key = (name: string) => `cgw_${name.padEnd(40, '0')}`;

const seed = localSeedSchema.parse({
  app: { clientId: 'gateway-client', clientSecret: 'gateway-secret' },
  apps: [{ id: 'acme-app', clientId: 'acme-client', clientSecret: 'acme-secret', bookingSources: ['Acme'] }],
  suppliers: [
    {
      id: 'acme',
      bookingSource: 'Acme',
      apiKey: key('acme'),
      companies: ['co-1', 'co-2'],
      concurApp: 'acme-app',
    },
  ],
  companies: [{ id: 'co-1' }, { id: 'co-2' }],
});

const connections: ConnectionRef[] = ['co-1', 'co-2'].flatMap((companyId) =>
  [DEFAULT_APP_ID, 'acme-app'].map((appId) => ({ appId, companyId })),
);
const clientOf = (appId: string) => (appId === DEFAULT_APP_ID ? 'gateway-client' : 'acme-client');

let gateway: LocalGateway;

beforeAll(async () => {
  gateway = await startLocalGateway({
    port: 0,
    simulatorPort: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-keep-alive-')),
    seed,
    // npm start's timer, every second here (an hour by default).
    keepAliveIntervalSeconds: 1,
  });
}, 60_000);
afterAll(() => gateway?.close());

/** Sets when Concur last issued the connection's tokens, as if it were that long ago. */
async function refreshedAgo(ref: ConnectionRef, ms: number): Promise<void> {
  const tokens = await administration().readConnection(ref);
  await administration().configureConnection(ref, {
    ...tokens,
    refreshedAt: new Date(Date.now() - ms).toISOString(),
  });
}

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const refreshedAtOf = async (ref: ConnectionRef) =>
  Date.parse((await administration().readConnection(ref)).refreshedAt ?? '1970-01-01T00:00:00Z');

/** The token requests the simulator received: the app's client id and the refresh token's last 4 characters. */
const tokenRequests = () =>
  gateway.simulator!.requests.of('token').map((entry) => {
    const form = new URLSearchParams(entry.body);
    return { clientId: form.get('client_id'), refreshTail: form.get('refresh_token')?.slice(-4) };
  });

describe('keep-alive of Concur connections', () => {
  it('refreshes, from npm start’s timer, only the connections not refreshed for 7 days', async () => {
    // The seed's connections were never refreshed: the first runs refresh every one.
    for (const ref of connections) {
      await until(
        () => refreshedAtOf(ref),
        (at) => at > Date.now() - 60_000,
        `a first refresh of ${ref.companyId}`,
      );
    }
    const [old1, recent1, recent2, old2] = [
      connections[0]!,
      connections[1]!,
      connections[2]!,
      connections[3]!,
    ];
    await refreshedAgo(old1, 8 * DAY_MS);
    await refreshedAgo(old2, 30 * DAY_MS);
    await refreshedAgo(recent1, 6 * DAY_MS);
    await refreshedAgo(recent2, 1 * DAY_MS);
    const before = new Map(
      await Promise.all(
        connections.map(async (ref) => [ref, await administration().readConnection(ref)] as const),
      ),
    );
    gateway.simulator!.requests.clear();

    for (const ref of [old1, old2]) {
      await until(
        () => refreshedAtOf(ref),
        (at) => at > Date.now() - 60_000,
        `the refresh of ${ref.companyId}`,
      );
    }
    // Two more runs of the timer: nothing else is refreshed.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(tokenRequests().sort((a, b) => a.clientId!.localeCompare(b.clientId!))).toEqual(
      [old1, old2]
        .map((ref) => ({
          clientId: clientOf(ref.appId),
          refreshTail: before.get(ref)!.refreshToken.slice(-4),
        }))
        .sort((a, b) => a.clientId.localeCompare(b.clientId)),
    );
    for (const ref of [recent1, recent2]) {
      expect(await administration().readConnection(ref), `${ref.appId} at ${ref.companyId}`).toEqual(
        before.get(ref),
      );
    }
    for (const ref of [old1, old2]) {
      const after = await administration().readConnection(ref);
      expect(after.accessToken).not.toBe(before.get(ref)!.accessToken);
      // The refresh moved the refresh token's end on: what keeps the connection alive.
      expect(Date.parse(after.refreshExpiresAt!)).toBeGreaterThan(
        Date.parse(before.get(ref)!.refreshExpiresAt!),
      );
      expect(Date.parse(after.expiresAt)).toBeGreaterThan(Date.now() + 30 * 60_000);
    }
  });
});

describe('what the keep-alive counts for its alarms', () => {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    for (const stream of [process.stdout, process.stderr]) {
      const write = stream.write.bind(stream);
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
        lines.push(...String(chunk).split('\n'));
        return write(chunk, ...rest);
      }) as typeof stream.write);
    }
  });
  afterEach(() => vi.restoreAllMocks());

  /**
   * The values of the gateway metric `name` in the EMF lines written since the test began: each run publishes
   * one, npm start's timer's runs too.
   */
  const metric = (name: string) =>
    lines
      .filter((line) => line.includes('"_aws"') && line.includes(`"${name}"`))
      .map((line) => (JSON.parse(line) as Record<string, number>)[name]);

  it('counts a refresh Concur refused and a connection not refreshed for 14 days', async () => {
    const refused: ConnectionRef = { appId: 'acme-app', companyId: 'co-2' };
    const tokens = await administration().readConnection(refused);
    // A refresh token Concur does not know, last refreshed 20 days ago.
    await administration().configureConnection(refused, {
      ...tokens,
      refreshToken: 'a-refresh-token-concur-never-issued',
      previousRefreshToken: undefined,
      refreshedAt: new Date(Date.now() - 20 * DAY_MS).toISOString(),
    });
    resetServices();
    const report = await keepAlive();
    expect(report).toMatchObject({ refused: 1, failed: 0, stale: 1 });
    // Every connection but the refused one, and the seed supplier's sandbox connection (issued at the start).
    expect(report.recent + report.refreshed).toBe(connections.length - 1 + 1);
    expect((await administration().readConnection(refused)).refreshRefusedAt).toBeDefined();
    for (const [name, value] of [
      ['KeepAliveRefused', 1],
      ['ConnectionsStale', 1],
      ['KeepAliveFailed', 0],
    ] as const) {
      expect(metric(name).length, name).toBeGreaterThanOrEqual(1);
      expect(new Set(metric(name)), name).toEqual(new Set([value]));
    }
    // The log names the connection and never a token.
    const log = lines.filter((line) => line.includes('keep-alive refresh refused'));
    expect(log.join('\n')).toContain('"companyId":"co-2"');
    expect(log.join('\n')).not.toContain('a-refresh-token-concur-never-issued');
  });
});
