/**
 * A local stand-in for AWS Secrets Manager: the part of its JSON 1.1 protocol the gateway's adapter uses
 * (GetSecretValue, PutSecretValue, CreateSecret, DescribeSecret, ListSecrets by name), over real HTTP, so the local default runs
 * the same SDK client and adapter as AWS. Secrets live in memory, or in `secrets.json` in `dataDir`
 * (mode 0600, replaced atomically so a crash never leaves half a file).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface LocalSecretsManagerOptions {
  /** Directory of `secrets.json`; secrets are kept in memory only when absent. */
  dataDir?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
}

export interface RunningLocalSecretsManager {
  endpoint: string;
  close(): Promise<void>;
}

interface StoredSecret {
  arn: string;
  name: string;
  versionId: string;
  secretString: string;
  createdDate: number;
  lastChangedDate: number;
}

type Secrets = Record<string, StoredSecret>;

const SECRETS_FILE = 'secrets.json';
const MAX_BODY_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';

class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startLocalSecretsManager(
  options: LocalSecretsManagerOptions = {},
): Promise<RunningLocalSecretsManager> {
  const file = options.dataDir === undefined ? undefined : join(options.dataDir, SECRETS_FILE);
  const secrets = options.dataDir === undefined ? {} : await load(options.dataDir);
  // Writes are chained so that snapshots reach the file in the order the changes were made.
  let saving: Promise<void> = Promise.resolve();
  const persist = (): Promise<void> => {
    if (!file) return Promise.resolve();
    const snapshot = JSON.stringify(secrets, null, 2);
    saving = saving.then(() => replaceFile(file, snapshot));
    return saving;
  };

  const operations: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {
    GetSecretValue: async (input) => {
      const secret = find(secrets, input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        SecretString: secret.secretString,
        VersionStages: ['AWSCURRENT'],
        CreatedDate: secret.lastChangedDate,
      };
    },
    PutSecretValue: async (input) => {
      const secret = find(secrets, input.SecretId);
      secret.secretString = requireString(input, 'SecretString');
      secret.versionId = versionId(input);
      secret.lastChangedDate = nowSeconds();
      await persist();
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: secret.versionId,
        VersionStages: ['AWSCURRENT'],
      };
    },
    CreateSecret: async (input) => {
      const name = requireString(input, 'Name');
      if (secrets[name])
        throw new ServiceError('ResourceExistsException', `The secret ${name} already exists.`);
      const now = nowSeconds();
      const secret: StoredSecret = {
        arn: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-${randomBytes(3).toString('hex')}`,
        name,
        versionId: versionId(input),
        secretString: requireString(input, 'SecretString'),
        createdDate: now,
        lastChangedDate: now,
      };
      secrets[name] = secret;
      await persist();
      return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
    },
    // At once, as the gateway asks (ForceDeleteWithoutRecovery): a deleted webhook endpoint's secret.
    DeleteSecret: async (input) => {
      const secret = find(secrets, input.SecretId);
      delete secrets[secret.name];
      await persist();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: nowSeconds() };
    },
    // The name filter only (what the gateway's adapter sends), all in one page.
    ListSecrets: async (input) => {
      const filters = Array.isArray(input.Filters)
        ? (input.Filters as { Key?: unknown; Values?: unknown }[])
        : [];
      const prefixes = filters
        .filter((filter) => filter.Key === 'name' && Array.isArray(filter.Values))
        .flatMap((filter) => (filter.Values as unknown[]).map(String));
      return {
        SecretList: Object.values(secrets)
          .filter((secret) => prefixes.every((prefix) => secret.name.startsWith(prefix)))
          .map((secret) => ({
            ARN: secret.arn,
            Name: secret.name,
            CreatedDate: secret.createdDate,
            LastChangedDate: secret.lastChangedDate,
          })),
      };
    },
    DescribeSecret: async (input) => {
      const secret = find(secrets, input.SecretId);
      return {
        ARN: secret.arn,
        Name: secret.name,
        CreatedDate: secret.createdDate,
        LastChangedDate: secret.lastChangedDate,
        VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
      };
    },
  };

  const server = createServer((request, response) => {
    handle(request, operations).then(
      (body) => send(response, 200, body),
      (error: unknown) => {
        if (error instanceof ServiceError)
          send(response, 400, { __type: error.type, message: error.message });
        else send(response, 500, { __type: 'InternalServiceError', message: 'internal error' });
      },
    );
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://${host}:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await saving;
    },
  };
}

async function handle(
  request: IncomingMessage,
  operations: Record<string, (input: Record<string, unknown>) => Promise<unknown>>,
): Promise<unknown> {
  const target = String(request.headers['x-amz-target'] ?? '');
  const prefix = 'secretsmanager.';
  const operation = target.startsWith(prefix) ? operations[target.slice(prefix.length)] : undefined;
  const body = await readBody(request);
  if (request.method !== 'POST' || !operation) {
    throw new ServiceError('UnknownOperationException', `unsupported operation ${target || '(none)'}`);
  }
  let input: unknown;
  try {
    input = body === '' ? {} : JSON.parse(body);
  } catch {
    throw new ServiceError('SerializationException', 'request body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ServiceError('SerializationException', 'request body is not a JSON object');
  }
  return operation(input as Record<string, unknown>);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ServiceError('InvalidRequestException', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | number> = {
    'content-type': JSON_CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  };
  if (status !== 200 && typeof body === 'object' && body !== null && '__type' in body) {
    headers['x-amzn-errortype'] = String(body.__type);
  }
  response.writeHead(status, headers).end(text);
}

/** A secret by name or by ARN, as Secrets Manager accepts either. */
function find(secrets: Secrets, id: unknown): StoredSecret {
  if (typeof id !== 'string' || id === '')
    throw new ServiceError('InvalidParameterException', 'SecretId is required');
  const secret = secrets[id] ?? Object.values(secrets).find((candidate) => candidate.arn === id);
  if (!secret) {
    throw new ServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }
  return secret;
}

function requireString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string') throw new ServiceError('InvalidParameterException', `${field} is required`);
  return value;
}

function versionId(input: Record<string, unknown>): string {
  return typeof input.ClientRequestToken === 'string' ? input.ClientRequestToken : randomUUID();
}

function nowSeconds(): number {
  return Date.now() / 1000;
}

async function load(dataDir: string): Promise<Secrets> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  try {
    return JSON.parse(await readFile(join(dataDir, SECRETS_FILE), 'utf8')) as Secrets;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
}

async function replaceFile(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temporary, content, { mode: 0o600 });
  await rename(temporary, file);
}
