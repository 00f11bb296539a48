/**
 * DynamoDB endpoints served inside this process: the local default's dynalite runs in the same process as the
 * handlers, so a client of its endpoint hands each request straight to it instead of through a loopback socket
 * (an HTTP client, an HTTP server and two parsers per call). Everything else about the call is the SDK's own:
 * serialization, signing, retries, the answer's checks. On AWS nothing is registered and clients use HTTPS.
 */
import { channel } from 'node:diagnostics_channel';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/** The SDK's request handler: what `requestHandler` of a client's configuration takes. */
export type DynamoDbRequestHandler = Extract<
  NonNullable<DynamoDBClientConfig['requestHandler']>,
  { handle: unknown }
>;
export type DynamoDbHttpRequest = Parameters<DynamoDbRequestHandler['handle']>[0];

/** What each request handed over in process tells observers: the same facts a socket's request would. */
export interface InProcessDynamoDbRequest {
  endpoint: string;
  /** The operation, e.g. `DynamoDB_20120810.UpdateItem`. */
  target: string;
  body: string;
  answerBytes: number;
}

/** Published once per answered request, for tests and benchmarks that count what a use case costs. */
export const inProcessDynamoDbRequests = channel('concur-gateway:dynamodb-in-process-request');

// Process-wide on purpose: every bundle loaded into the process carries its own copy of this module, and all of
// them must find the endpoint the local default registered.
const REGISTRY = Symbol.for('concur-gateway.dynamodb-in-process-endpoints');
const registry = (): Map<string, DynamoDbRequestHandler> => {
  const scope = globalThis as { [REGISTRY]?: Map<string, DynamoDbRequestHandler> };
  return (scope[REGISTRY] ??= new Map());
};

const normalized = (endpoint: string): string | undefined => {
  try {
    return new URL(endpoint).origin;
  } catch {
    return undefined;
  }
};

/** Serves `endpoint` with `handler` in this process until the returned function is called. */
export function serveInProcess(endpoint: string, handler: DynamoDbRequestHandler): () => void {
  const key = normalized(endpoint);
  if (key === undefined) throw new Error(`not an endpoint URL: ${endpoint}`);
  registry().set(key, handler);
  return () => {
    if (registry().get(key) === handler) registry().delete(key);
  };
}

/** The client configuration for `endpoint`: its in-process handler when this process serves it, else nothing. */
export function inProcessClientConfig(
  endpoint: string | undefined,
): Pick<DynamoDBClientConfig, 'requestHandler'> {
  const key = endpoint ? normalized(endpoint) : undefined;
  const handler = key ? registry().get(key) : undefined;
  return handler ? { requestHandler: handler } : {};
}
