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
  const parsed = endpointsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return undefined;
  try {
    process.kill(parsed.data.pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else; anything else: it is gone and left a stale file.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return parsed.data;
}
