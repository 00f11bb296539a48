/**
 * Nothing acknowledged is lost, the way it breaks: `npm start` runs as its own process group; a burst of
 * signed webhooks is sent at it, and the whole group is killed (SIGKILL) once half of them have been answered
 * 202, while the others are in flight, queued or being applied. `npm start` then starts again on the same
 * DATA_DIR, and every event answered 202 must end applied: its operation succeeded and its booking at Concur.
 * Concur (the simulator) runs apart, in this process, as the real one would outlive the gateway's crash. The
 * sweeper's timings are shortened (an attempt is taken as dead after 10 s, an operation as stuck 10 s after it was
 * due, a sweep every second), so that operations cut off mid-attempt end within the test's time.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_COMPANY_ID, startSimulator } from '../../local/simulator';
import type { Simulator } from '../../local/simulator';
import { api, carBooking, TRAVELER } from '../gateway/support';
import { postWebhook } from './support';

const root = resolve(__dirname, '../..');
const EVENTS = 400;
const KILL_AFTER_ACKNOWLEDGED = 200;
const SENDERS = 16;

let simulator: Simulator;
const running: ChildProcess[] = [];

beforeAll(async () => {
  simulator = await startSimulator({ port: 0, companies: [{ id: DEFAULT_COMPANY_ID }] });
  // Concur's own pace: the gateway accepts events faster than Concur takes them, so a backlog is queued and in
  // flight at the kill, whatever the machine's speed.
  simulator.faults.setLatency({ route: 'bookingPost', ms: 200 });
}, 60_000);
afterAll(async () => {
  for (const child of running) killGroup(child);
  await simulator?.close();
});

function killGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** `npm start` in a process group of its own, on `dataDir`, with Concur at the simulator; resolves when it listens. */
function npmStart(dataDir: string): Promise<{ url: string; child: ChildProcess; exited: Promise<void> }> {
  const client = simulator.tokens.clientFor(DEFAULT_COMPANY_ID);
  const child = spawn('npm', ['start'], {
    cwd: root,
    detached: true,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CONCUR_BASE_URL: simulator.url,
      CONCUR_ACCESS_TOKEN: simulator.tokens.accessTokenFor(DEFAULT_COMPANY_ID),
      CONCUR_REFRESH_TOKEN: simulator.tokens.refreshTokenFor(DEFAULT_COMPANY_ID),
      CONCUR_CLIENT_ID: client.clientId,
      CONCUR_CLIENT_SECRET: client.clientSecret,
      EVENT_ATTEMPT_TIMEOUT_SECONDS: '10',
      EVENT_SWEEP_AFTER_SECONDS: '10',
      EVENT_SWEEP_INTERVAL_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && /API key/.test(stdout)) done({ url, child, exited });
    });
    void exited.then(() => fail(new Error(`npm start exited:\n${stdout}\n${stderr}`)));
  });
}

function event(n: number) {
  const confirmationNumber = `CRASH${String(n).padStart(4, '0')}`;
  return {
    type: 'booking.upserted',
    timestamp: new Date().toISOString(),
    data: {
      companyId: DEFAULT_COMPANY_ID,
      confirmationNumber,
      booking: carBooking({ dateModifiedUtc: '2027-01-10T10:00:00' }, { confirmationNumber }),
      traveler: { loginId: TRAVELER },
    },
  };
}

describe('npm start killed (SIGKILL, the whole process group) under a burst of webhooks', () => {
  it('applies every event it answered 202, after a restart on the same DATA_DIR', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cgw-crash-'));
    const first = await npmStart(dataDir);
    const secret = readFileSync(join(dataDir, 'demo-webhook-secret'), 'utf8').trim();
    const apiKey = readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim();

    const acknowledged = new Map<number, string>();
    let next = 0;
    let killed = false;
    const sender = async () => {
      while (next < EVENTS && !killed) {
        const n = next++;
        try {
          const answer = await postWebhook(first, 'demo-supplier', event(n), {
            id: `msg_crash_${n}`,
            secrets: [secret],
          });
          if (answer.status === 202) acknowledged.set(n, answer.body.operation.id as string);
          else expect.fail(`event ${n}: ${answer.status} ${JSON.stringify(answer.body)}`);
        } catch {
          // Cut off by the kill: never acknowledged.
        }
        if (acknowledged.size >= KILL_AFTER_ACKNOWLEDGED && !killed) {
          killed = true;
          killGroup(first.child);
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    await first.exited;
    expect(killed).toBe(true);
    expect(acknowledged.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKNOWLEDGED);
    const appliedBeforeRestart = [...acknowledged.keys()].filter(
      (n) => concurBookings(`CRASH${String(n).padStart(4, '0')}`).length > 0,
    ).length;
    // The kill came mid-burst: part of what was acknowledged had not reached Concur yet.
    expect(appliedBeforeRestart).toBeLessThan(acknowledged.size);

    const second = await npmStart(dataDir);
    const client = api(second, apiKey);
    const pending = new Map(acknowledged);
    const statuses = new Map<number, string>();
    for (const until = Date.now() + 300_000; pending.size > 0 && Date.now() < until;) {
      const batch = [...pending].slice(0, 50);
      await Promise.all(
        batch.map(async ([n, operationId]) => {
          const answer = await client.get(`/v1/operations/${operationId}`);
          const status = answer.body?.operation?.status as string | undefined;
          statuses.set(n, status ?? `HTTP ${answer.status}`);
          if (status === 'succeeded' || status === 'skipped' || status === 'failed' || status === 'parked')
            pending.delete(n);
        }),
      );
      if (pending.size > 0) await new Promise((done) => setTimeout(done, 250));
    }
    const notApplied = [...acknowledged.keys()]
      .filter((n) => statuses.get(n) !== 'succeeded')
      .map((n) => `${n}: ${statuses.get(n)}`);
    expect(notApplied).toEqual([]);
    for (const n of acknowledged.keys()) {
      const confirmationNumber = `CRASH${String(n).padStart(4, '0')}`;
      expect(concurBookings(confirmationNumber), confirmationNumber).toHaveLength(1);
    }
    killGroup(second.child);
    await second.exited;
  }, 600_000);
});

function concurBookings(confirmationNumber: string) {
  return simulator.state
    .trips(DEFAULT_COMPANY_ID)
    .flatMap((trip) => trip.bookings)
    .filter((stored) => stored.booking.recordLocator === confirmationNumber && !stored.canceled);
}
