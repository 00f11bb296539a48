/**
 * Which Concur connections `npm start` writes from its seed (LOCAL_SEED, or the demo) at each start. A connection
 * stored since (an operator's `companies connect`, or the gateway's own refresh of the seed's tokens) wins over
 * the seed's entry, unless that entry changed since it was last applied: the seed then says what the operator
 * wants now. The simulator is the exception that proves it: it forgets the tokens it issued when it stops, so a
 * connection still pointing at the simulator is given the new simulator's tokens at every start.
 *
 * What was applied is kept beside the data (`seeded-connections.json`): per connection, a digest of the seed's
 * entry and the Concur address it named.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConnectionRef } from '../shared/gateway/ports';
import type { CompanyTokens } from '../shared/tokens/company-credentials';
import { CompanyNotConfiguredError, MalformedSecretError } from '../shared/tokens/company-credentials';
import * as z from '../shared/zod';

export interface ConnectionStore {
  readConnection(connection: ConnectionRef): Promise<CompanyTokens>;
  configureConnection(connection: ConnectionRef, tokens: CompanyTokens): Promise<void>;
}

/** One connection as the seed gives it. */
export interface SeedConnection {
  ref: ConnectionRef;
  /** What the seed says of the connection (its JSON decides whether the entry changed); no token of a simulator. */
  entry: unknown;
  /** The tokens to store when the seed's entry applies. */
  tokens: () => CompanyTokens;
  /** Served by the simulator started with npm start, which issues new tokens at every start. */
  simulated: boolean;
}

const appliedSchema = z.record(z.string(), z.object({ entry: z.string(), baseUrl: z.string() }));
type Applied = z.infer<typeof appliedSchema>;

const FILE = 'seeded-connections.json';

/**
 * Applies the seed's connections to `store`; answers what was kept instead of seeded. A data directory from before
 * this file existed has every connection seeded once, as each start did then.
 */
export async function applySeedConnections(
  dataDir: string,
  store: ConnectionStore,
  connections: readonly SeedConnection[],
): Promise<{ kept: ConnectionRef[] }> {
  const applied = await readApplied(dataDir);
  const next: Applied = {};
  const kept: ConnectionRef[] = [];
  for (const connection of connections) {
    const key = `${connection.ref.appId}/${connection.ref.companyId}`;
    const entry = digest(connection.entry);
    const before = applied[key];
    const stored = await storedConnection(store, connection.ref);
    const operatorWins =
      before !== undefined &&
      before.entry === entry &&
      stored !== undefined &&
      !(connection.simulated && stored.baseUrl === before.baseUrl);
    if (operatorWins) {
      kept.push(connection.ref);
      next[key] = before;
      continue;
    }
    const tokens = connection.tokens();
    await store.configureConnection(connection.ref, tokens);
    next[key] = { entry, baseUrl: tokens.baseUrl };
  }
  await writeApplied(dataDir, next);
  return { kept };
}

async function storedConnection(
  store: ConnectionStore,
  ref: ConnectionRef,
): Promise<CompanyTokens | undefined> {
  try {
    return await store.readConnection(ref);
  } catch (error) {
    // A stored secret the gateway cannot read is no operator's choice to keep either: the seed replaces it.
    if (error instanceof CompanyNotConfiguredError || error instanceof MalformedSecretError) return undefined;
    throw error;
  }
}

function digest(entry: unknown): string {
  return createHash('sha256').update(JSON.stringify(entry)).digest('base64url');
}

async function readApplied(dataDir: string): Promise<Applied> {
  let text: string;
  try {
    text = await readFile(join(dataDir, FILE), 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed = appliedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Written whole and renamed into place, so a kill mid-write leaves the previous file. */
async function writeApplied(dataDir: string, applied: Applied): Promise<void> {
  const file = join(dataDir, FILE);
  await writeFile(`${file}.tmp`, `${JSON.stringify(applied, null, 2)}\n`, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}
