/**
 * Whether another `npm start` holds a data directory. After `kill -9` of its process group and a restart, the
 * killed process may linger as a zombie (a container whose first process never reaps keeps it for good) or take
 * a moment to go: neither may keep the data directory from starting again, while a running one must.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  dataDirLayout,
  otherRunningEndpoints,
  processIsRunning,
  runningEndpoints,
} from '../../local/data-dir';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

function holdingDataDir(pid: number): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'cgw-holder-'));
  const endpoints = {
    pid,
    gateway: 'http://127.0.0.1:1',
    dynamodb: 'http://127.0.0.1:2',
    secretsManager: 'x',
  };
  writeFileSync(dataDirLayout(dataDir).endpointsFile, JSON.stringify(endpoints));
  return dataDir;
}

/** A process whose own child has ended and is never reaped: the child stays a zombie while the parent sleeps. */
async function zombie(): Promise<number> {
  const parent = spawn(
    'perl',
    ['-e', '$| = 1; my $pid = fork; exit 0 unless $pid; print "$pid\\n"; sleep 60'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(parent);
  const pid = await new Promise<number>((done) =>
    parent.stdout!.once('data', (chunk: Buffer) => done(Number(chunk))),
  );
  // The child exits at once; wait until the kernel shows it as a zombie.
  for (let tries = 0; tries < 50 && (await processIsRunning(pid)); tries++)
    await new Promise((w) => setTimeout(w, 20));
  return pid;
}

function sleeper(seconds: number): ChildProcess {
  const child = spawn('sleep', [String(seconds)], { stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('a data directory held by another npm start', () => {
  it('is held while that process runs', async () => {
    const dataDir = holdingDataDir(sleeper(60).pid!);
    expect((await runningEndpoints(dataDir))?.gateway).toBe('http://127.0.0.1:1');
  });

  it('is free once that process is a zombie, though signal 0 still reaches it', async () => {
    const pid = await zombie();
    expect(() => process.kill(pid, 0)).not.toThrow();
    expect(await runningEndpoints(holdingDataDir(pid))).toBeUndefined();
  });

  it('is free when the endpoints file was cut off mid-write', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cgw-holder-'));
    writeFileSync(dataDirLayout(dataDir).endpointsFile, '{"pid": 12');
    expect(await runningEndpoints(dataDir)).toBeUndefined();
  });

  it('is free at start when its holder ends within the grace, and refused when it does not', async () => {
    const ending = sleeper(1);
    expect(await otherRunningEndpoints(holdingDataDir(ending.pid!), 5_000)).toBeUndefined();
    const staying = sleeper(60);
    expect((await otherRunningEndpoints(holdingDataDir(staying.pid!), 500))?.pid).toBe(staying.pid);
  });

  it('is never held by this very process', async () => {
    expect(await otherRunningEndpoints(holdingDataDir(process.pid), 0)).toBeUndefined();
  });
});
