/**
 * What `npm start` keeps under DATA_DIR, and how another process (the operator's command line) reaches it.
 * dynalite's LevelDB allows one process at a time, and the local Secrets Manager keeps its secrets in memory
 * between writes, so while `npm start` runs it publishes its endpoints in `endpoints.json`; the command line
 * uses them, or opens the data itself when nothing is running.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as z from '../shared/zod';
import type { TableNames } from '../shared/adapters/dynamodb/tables';
import { DEFAULT_SECRET_PREFIX } from '../shared/tokens/company-credentials';

export const DEFAULT_DATA_DIR = '.gateway-data';

/** The local stage's names: the tables in dynalite and the prefix of the local secrets. */
export const LOCAL_TABLES: TableNames = {
  state: 'concur-gateway-state',
  idempotency: 'concur-gateway-idempotency',
};
export const LOCAL_SECRET_PREFIX = DEFAULT_SECRET_PREFIX;

export interface DataDirLayout {
  root: string;
  dynamodb: string;
  secrets: string;
  /** The local queue's journal (local/sqs-journal.ts): queued events survive a restart, or a kill. */
  queues: string;
  /** The simulator's trips, kept across restarts. */
  simulatorState: string;
  endpointsFile: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const root = resolve(dataDir);
  return {
    root,
    dynamodb: join(root, 'dynamodb'),
    secrets: join(root, 'secrets'),
    queues: join(root, 'queues'),
    simulatorState: join(root, 'simulator-trips.json'),
    endpointsFile: join(root, 'endpoints.json'),
  };
}

const endpointsSchema = z.object({
  pid: z.number().check(z.int()),
  gateway: z.string(),
  dynamodb: z.string(),
  secretsManager: z.string(),
  sqs: z.optional(z.string()),
  eventsQueueUrl: z.optional(z.string()),
  simulator: z.optional(z.string()),
});
export type RunningEndpoints = z.infer<typeof endpointsSchema>;

export async function publishEndpoints(dataDir: string, endpoints: RunningEndpoints): Promise<void> {
  await writeFile(dataDirLayout(dataDir).endpointsFile, `${JSON.stringify(endpoints, null, 2)}\n`, {
    mode: 0o600,
  });
}

export async function withdrawEndpoints(dataDir: string): Promise<void> {
  await rm(dataDirLayout(dataDir).endpointsFile, { force: true });
}

/** The endpoints of the `npm start` that is running on this data, if one is (its process still exists). */
export async function runningEndpoints(dataDir: string): Promise<RunningEndpoints | undefined> {
  let text: string;
  try {
    text = await readFile(dataDirLayout(dataDir).endpointsFile, 'utf8');
  } catch {
    return undefined;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Cut off mid-write by a kill: nothing runs behind it.
    return undefined;
  }
  const parsed = endpointsSchema.safeParse(json);
  if (!parsed.success) return undefined;
  return (await processIsRunning(parsed.data.pid)) ? parsed.data : undefined;
}

/**
 * Whether `pid` names a running process. A process killed with SIGKILL stays a zombie until its parent (or, once
 * that is gone too, the container's first process) reaps it, and a container whose first process never reaps
 * keeps it forever: signal 0 still reaches a zombie, so its state is read from /proc where there is one.
 */
export async function processIsRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; anything else: it is gone and left a stale file.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let stat: string;
  try {
    stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOENT where /proc exists: it ended between the two looks. No /proc at all (macOS): signal 0 is the answer.
    return !(code === 'ENOENT' && (await procIsMounted()));
  }
  // "pid (comm) S ...": the command may hold spaces and parentheses, the state follows the last ')'.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

async function procIsMounted(): Promise<boolean> {
  try {
    await readFile('/proc/self/stat', 'utf8');
    return true;
  } catch {
    return false;
  }
}

/**
 * The endpoints of another `npm start` on this data that is still running after `graceMs`: a process killed a
 * moment ago (`kill -9` of the process group, then a restart) may take a little while to be gone.
 */
export async function otherRunningEndpoints(
  dataDir: string,
  graceMs = 3_000,
): Promise<RunningEndpoints | undefined> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const other = await runningEndpoints(dataDir);
    if (!other || other.pid === process.pid || Date.now() >= deadline) {
      return other && other.pid !== process.pid ? other : undefined;
    }
    await new Promise((wake) => setTimeout(wake, 100));
  }
}
