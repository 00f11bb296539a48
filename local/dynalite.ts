/**
 * An in-process dynalite (DynamoDB on LevelDB) with a real DynamoDBClient pointed at it: what the local
 * default and the tests run instead of AWS. dynalite has no transactions, no TTL expiry and no PartiQL.
 *
 * It listens on a port, for other processes (the operator CLI, a second look with the AWS CLI), and serves the
 * clients of this process without the socket (shared/adapters/dynamodb/in-process-endpoints.ts).
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  inProcessClientConfig,
  inProcessDynamoDbRequests,
  serveInProcess,
  type DynamoDbHttpRequest,
  type DynamoDbRequestHandler,
} from '../shared/adapters/dynamodb/in-process-endpoints';

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
  const stopServingInProcess = serveInProcess(endpoint, inProcessHandler(server, endpoint));
  const client = new DynamoDBClient({
    ...inProcessClientConfig(endpoint),
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  return {
    endpoint,
    client,
    close: async () => {
      stopServingInProcess();
      client.destroy();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * Hands each SDK request to dynalite's own request listener, as its HTTP server would, with the few members of a
 * request and a response that dynalite uses: the body as one chunk, headers in lower case, and the answer whole.
 */
function inProcessHandler(server: Server, endpoint: string): DynamoDbRequestHandler {
  const listener = server.listeners('request')[0] as RequestListener;
  const handle = (request: DynamoDbHttpRequest) =>
    new Promise<Awaited<ReturnType<DynamoDbRequestHandler['handle']>>>((resolve) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers))
        headers[name.toLowerCase()] = String(value);
      const body = requestBody(request.body);
      const incoming = Object.assign(new EventEmitter(), {
        method: request.method,
        url: request.path,
        headers,
      });
      const answerHeaders: Record<string, string> = {};
      const outgoing = {
        statusCode: 200,
        setHeader(name: string, value: number | string) {
          answerHeaders[name.toLowerCase()] = String(value);
        },
        end(answer?: string) {
          const bytes = Buffer.from(answer ?? '', 'utf8');
          if (inProcessDynamoDbRequests.hasSubscribers) {
            inProcessDynamoDbRequests.publish({
              endpoint,
              target: headers['x-amz-target'] ?? '',
              body: body.toString('utf8'),
              answerBytes: bytes.byteLength,
            });
          }
          resolve({ response: { statusCode: outgoing.statusCode, headers: answerHeaders, body: bytes } });
        },
      };
      listener(incoming as unknown as IncomingMessage, outgoing as unknown as ServerResponse);
      // dynalite subscribes to the body's events when called: they follow on a later turn, as a socket's would.
      setImmediate(() => {
        if (body.byteLength > 0) incoming.emit('data', body);
        incoming.emit('end');
      });
    });
  const handler: DynamoDbRequestHandler = { handle, metadata: { handlerProtocol: 'http/1.1' } };
  return handler;
}

function requestBody(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new Error('a DynamoDB request body is a string or bytes');
}
