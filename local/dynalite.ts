/**
 * An in-process dynalite (DynamoDB on LevelDB) with a real DynamoDBClient pointed at it: what the local
 * default and the tests run instead of AWS. dynalite has no transactions, no TTL expiry and no PartiQL.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite ships no type declarations; it is a CommonJS factory returning an http.Server.
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface RunningDynalite {
  endpoint: string;
  client: DynamoDBClient;
  close(): Promise<void>;
}

export interface StartDynaliteOptions {
  /** LevelDB directory for data that outlives the process; in memory when absent. */
  path?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** How long a deleted table stays DELETING (0, the default: until just after DeleteTable answers). */
  deleteTableMs?: number;
}

export async function startDynalite(options: StartDynaliteOptions = {}): Promise<RunningDynalite> {
  const host = options.host ?? '127.0.0.1';
  const server = dynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: options.deleteTableMs ?? 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host}:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return {
    endpoint,
    client,
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
