/**
 * One dynalite per test file, with uniquely named tables so files never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTables, type TableNames } from '../../shared/adapters/dynamodb';
import { startDynalite, type RunningDynalite } from '../../local/dynalite';

export type TestDynalite = RunningDynalite;

export function startTestDynalite(): Promise<TestDynalite> {
  return startDynalite();
}

/** Creates a fresh pair of tables whose names start with `prefix` and end with a random suffix. */
export async function createTestTables(dynamo: TestDynalite, prefix: string): Promise<TableNames> {
  const suffix = randomUUID().slice(0, 8);
  const names = { state: `${prefix}-state-${suffix}`, idempotency: `${prefix}-idem-${suffix}` };
  await createTables(dynamo.client, names);
  return names;
}

export interface Forwarder {
  /** Another endpoint for the same DynamoDB, reached over a socket: this process does not serve it in process. */
  endpoint: string;
  close(): Promise<void>;
}

/** A plain HTTP forwarder in front of `endpoint`, telling `onRequest` of each request before forwarding it as sent. */
export async function startForwarder(
  endpoint: string,
  onRequest: (request: IncomingMessage) => void = () => {},
): Promise<Forwarder> {
  const target = new URL(endpoint);
  const server = createServer((request, response) => {
    onRequest(request);
    const forwarded = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        path: request.url,
        method: request.method,
        headers: request.headers,
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
