/**
 * `npm start` as a user runs it (the same entry point, in its own process): seeds that cannot work stop it
 * with one line naming the cause, a seed whose companies all name their Concur gets the simulator for its sandboxes only, a restart
 * keeps every booking, and two instances do not fight over the simulator's default port.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { carBooking, TRAVELER } from '../../gateway/support';

const root = resolve(__dirname, '../../..');
const running: ChildProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map(stop));
});

interface Started {
  url?: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  child: ChildProcess;
}

/** Runs `npm start`'s entry point until it listens (or exits). */
function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/server/main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const started: Started = { stdout: '', stderr: '', exitCode: null, child };
  return new Promise((done) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      started.stdout += chunk.toString();
      // The banner is written at once: the line after the URL ends it.
      const url = /listening on (http:\/\/\S+)/.exec(started.stdout)?.[1];
      if (url && /API reference/.test(started.stdout) && !started.url) {
        started.url = url;
        setTimeout(() => done(started), 200);
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (started.stderr += chunk.toString()));
    child.on('exit', (code) => {
      started.exitCode = code;
      done(started);
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

const folder = () => mkdtempSync(join(tmpdir(), 'cgw-start-'));
const seedFile = (seed: unknown) => {
  const file = join(folder(), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
};
const KEY = `cgw_${'k'.repeat(40)}`;
const validSeed = {
  app: { clientId: 'acme-client', clientSecret: 'acme-client-secret' },
  suppliers: [{ id: 'acme', bookingSource: 'Acme', apiKey: KEY, companies: ['co-1'] }],
  companies: [{ id: 'co-1' }],
};

describe('npm start', () => {
  it('stops at a seed key the gateway would never accept, with one line naming it', async () => {
    const seed = { ...validSeed, suppliers: [{ ...validSeed.suppliers[0], apiKey: 'a-long-random-key' }] };
    const started = await start({ LOCAL_SEED: seedFile(seed), DATA_DIR: folder(), SIMULATOR_PORT: '0' });
    expect(started.exitCode).toBe(1);
    expect(started.stderr).toContain('suppliers.0.apiKey: must be cgw_ followed by at least 32');
    expect(started.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('stops at a token that cannot be sent to Concur (a … placeholder), naming the field', async () => {
    const seed = {
      ...validSeed,
      companies: [
        {
          id: 'co-1',
          concur: {
            baseUrl: 'https://us2.api.concursolutions.com',
            accessToken: '…',
            refreshToken: '…',
            expiresAt: '2027-01-01T00:00:00Z',
          },
        },
      ],
    };
    const started = await start({ LOCAL_SEED: seedFile(seed), DATA_DIR: folder(), SIMULATOR_PORT: '0' });
    expect(started.exitCode).toBe(1);
    expect(started.stderr).toContain('companies.0.concur.accessToken: accessToken must be visible ASCII');
    expect(started.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('serves no live company from the simulator when every seed company names its Concur: only the sandboxes', async () => {
    const dataDir = folder();
    const seed = {
      ...validSeed,
      companies: [
        {
          id: 'co-1',
          concur: {
            baseUrl: 'http://127.0.0.1:9',
            accessToken: 'at-1',
            refreshToken: 'rt-1',
            expiresAt: '2027-01-01T00:00:00Z',
          },
        },
      ],
    };
    const started = await start({ LOCAL_SEED: seedFile(seed), DATA_DIR: dataDir });
    expect(started.url, started.stderr).toBeDefined();
    expect(started.stdout).toContain('company co-1: Concur at http://127.0.0.1:9');
    expect(started.stdout).not.toMatch(/company co-1: simulator/);
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8'));
    expect(started.stdout).toContain(`test keys:      simulator at ${endpoints.simulator} (sandbox-acme)`);
    // The seed's key works (the booking then fails upstream: nothing listens at that Concur).
    const answer = await fetch(`${started.url}/v1/companies/co-1/bookings/ACME1`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    expect(answer.status).toBe(404);
  }, 60_000);

  it('keeps every booking across a restart with the same DATA_DIR, the simulator’s trips included', async () => {
    const dataDir = folder();
    const first = await start({ DATA_DIR: dataDir, SIMULATOR_PORT: '0' });
    expect(first.url, first.stderr).toBeDefined();
    const apiKey = readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim();
    const put = (url: string) =>
      fetch(`${url}/v1/companies/demo-company/bookings/RESTART1`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ booking: carBooking(), traveler: { loginId: TRAVELER } }),
      });
    const created = await put(first.url!);
    expect(created.status).toBe(201);
    const { tripId } = ((await created.json()) as { booking: { tripId: string } }).booking;
    await stop(first.child);
    expect(existsSync(join(dataDir, 'simulator-trips.json'))).toBe(true);

    const second = await start({ DATA_DIR: dataDir, SIMULATOR_PORT: '0' });
    expect(second.url, second.stderr).toBeDefined();
    const trip = await fetch(`${second.url}/v1/companies/demo-company/trips/${encodeURIComponent(tripId)}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(trip.status).toBe(200);
    const updated = await put(second.url!);
    expect(updated.status).toBe(200);
    expect(((await updated.json()) as { booking: { tripId: string } }).booking.tripId).toBe(tripId);
  }, 90_000);

  it('runs twice side by side: the second takes a free simulator port; a taken PORT and a shared DATA_DIR are named', async () => {
    const dataDir = folder();
    const first = await start({ DATA_DIR: dataDir });
    const second = await start({ DATA_DIR: folder() });
    expect(first.url, first.stderr).toBeDefined();
    expect(second.url, second.stderr).toBeDefined();
    const simulatorOf = (started: Started) => /simulator at (\S+)/.exec(started.stdout)?.[1];
    expect(simulatorOf(first)).toBeDefined();
    expect(simulatorOf(second)).toBeDefined();
    expect(simulatorOf(second)).not.toBe(simulatorOf(first));

    const port = new URL(first.url!).port;
    const samePort = await start({ DATA_DIR: folder(), SIMULATOR_PORT: '0', PORT: port });
    expect(samePort.exitCode).toBe(1);
    expect(samePort.stderr.trim()).toBe(
      `npm start: port ${port} is in use (another npm start?); set PORT to another port`,
    );

    const third = await start({ DATA_DIR: dataDir, SIMULATOR_PORT: '0' });
    expect(third.exitCode).toBe(1);
    expect(third.stderr.trim()).toMatch(
      new RegExp(
        `^npm start: DATA_DIR ${dataDir} is in use by another npm start \\(pid \\d+\\); stop it or set DATA_DIR to another folder$`,
      ),
    );
  }, 90_000);
});
