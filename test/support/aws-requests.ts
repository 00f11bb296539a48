/**
 * The requests this process sends to local AWS endpoints (dynalite, the local Secrets Manager), as the SDK sends
 * them over HTTP or hands them to the dynalite this process serves: for tests and benchmarks that count what a
 * use case costs.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { ClientRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import {
  inProcessDynamoDbRequests,
  type InProcessDynamoDbRequest,
} from '../../shared/adapters/dynamodb/in-process-endpoints';

export interface AwsRequest<Service extends string> {
  service: Service;
  /** The operation, e.g. `DynamoDB_20120810.UpdateItem`. */
  target: string;
  /** The request body the SDK ended the request with. */
  body: string;
  /** The answer's Content-Length. */
  answerBytes: number;
}

export interface AwsRequestRecorder<Service extends string> {
  /** Every request answered since the recorder started (or was last cleared), in the order answered. */
  readonly requests: AwsRequest<Service>[];
  clear(): void;
  stop(): void;
}

/** Records every answered request to the given endpoints (service name → endpoint URL) until `stop()`. */
export function recordAwsRequests<Service extends string>(
  endpoints: Record<Service, string>,
): AwsRequestRecorder<Service> {
  const services = new Map(
    (Object.entries(endpoints) as [Service, string][]).map(([service, url]) => [new URL(url).host, service]),
  );
  const requests: AwsRequest<Service>[] = [];
  // The SDK hands its whole body to `end`; node's request events do not carry it.
  const bodies = new WeakMap<ClientRequest, string>();
  const end = ClientRequest.prototype.end;
  ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
    const chunk = args[0];
    if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) bodies.set(this, String(chunk));
    return (end as (...endArgs: unknown[]) => ClientRequest).apply(this, args);
  } as typeof end;
  const onAnswer = (message: unknown) => {
    const { request, response } = message as { request: ClientRequest; response: IncomingMessage };
    const service = services.get(String(request.getHeader('host')));
    if (service === undefined) return;
    requests.push({
      service,
      target: String(request.getHeader('x-amz-target') ?? ''),
      body: bodies.get(request) ?? '',
      answerBytes: Number(response.headers['content-length'] ?? 0),
    });
  };
  const onInProcessAnswer = (message: unknown) => {
    const { endpoint, target, body, answerBytes } = message as InProcessDynamoDbRequest;
    const service = services.get(new URL(endpoint).host);
    if (service !== undefined) requests.push({ service, target, body, answerBytes });
  };
  subscribe('http.client.response.finish', onAnswer);
  inProcessDynamoDbRequests.subscribe(onInProcessAnswer);
  return {
    requests,
    clear: () => void requests.splice(0),
    stop: () => {
      unsubscribe('http.client.response.finish', onAnswer);
      inProcessDynamoDbRequests.unsubscribe(onInProcessAnswer);
      ClientRequest.prototype.end = end;
    },
  };
}
