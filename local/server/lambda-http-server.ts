/**
 * Serves the Lambda handlers over plain HTTP, the way API Gateway's HTTP API (payload 2.0) calls them: the route
 * table decides which function answers, and each request becomes the event and context Lambda would pass.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { routes } from '../../shared/http/routes';
import type { FunctionName, RouteDefinition } from '../../shared/http/route-definition';
import { PROBLEM_CONTENT_TYPE, problemType } from '../../shared/problem';

export type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's payload limit; larger bodies are refused before a handler sees them. */
const MAX_BODY_BYTES = 6 * 1024 * 1024;
/** API Gateway's integration timeout, as the handlers' remaining time. */
const TIMEOUT_MS = 29_000;

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  parameters: string[];
}

const compiled: CompiledRoute[] = routes.map((route) => {
  const parameters: string[] = [];
  const source = route.path
    .split('/')
    .map((part) => {
      const parameter = /^\{(\w+)\}$/.exec(part);
      if (!parameter) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameters.push(parameter[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), parameters };
});

/** A route and its decoded path parameters; `malformed` when a parameter is not valid percent-encoding. */
export function matchRoute(method: string, path: string) {
  let pathMatched = false;
  for (const { route, pattern, parameters } of compiled) {
    const match = pattern.exec(path);
    if (!match) continue;
    pathMatched = true;
    if (route.method !== method) continue;
    try {
      const pathParameters = Object.fromEntries(
        parameters.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
      );
      return { route, pathParameters };
    } catch {
      return 'malformed' as const;
    }
  }
  return pathMatched ? ('method-not-allowed' as const) : undefined;
}

/** Headers that must arrive once: Node keeps only the first Authorization and joins repeated others. */
const SINGLE_HEADERS = ['authorization', 'idempotency-key'];
/** Headers that only a trusted proxy in front may set (see `trustForwardedHeaders`). */
const FORWARDED_HEADERS = /^x-forwarded-/;

function problem(
  response: ServerResponse,
  status: number,
  kind: string,
  title: string,
  detail: string,
): void {
  response.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE });
  response.end(JSON.stringify({ type: problemType(kind), title, status, detail }));
}

/** What a refused body may still send after the limit before its connection is cut. */
const DRAIN_AFTER_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * The body, or undefined as soon as it is known to be larger than API Gateway takes (its Content-Length, or what
 * arrived). The rest of a body too large is read and dropped for a while, so that a client still sending reads
 * the 413 instead of a reset; one that keeps sending past DRAIN_AFTER_LIMIT_BYTES has its connection cut.
 */
function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    const refuse = () => {
      refused = true;
      chunks.length = 0;
      resolve(undefined);
    };
    if (Number(request.headers['content-length']) > MAX_BODY_BYTES) refuse();
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (refused) {
        if (size > MAX_BODY_BYTES + DRAIN_AFTER_LIMIT_BYTES) request.destroy();
      } else if (size > MAX_BODY_BYTES) refuse();
      else chunks.push(chunk);
    });
    request.once('end', () => {
      if (!refused) resolve(Buffer.concat(chunks));
    });
    request.once('error', (error) => {
      if (!refused) reject(error);
    });
  });
}

/** What Node's HTTP parser refuses before a request exists, answered as problem+json like every other refusal. */
const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'headers-too-large',
    'Request headers too large',
    'the request line and headers may have at most 16 KiB',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [
    408,
    'request-timeout',
    'Request timeout',
    'the request took too long to arrive',
  ],
};

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  const [status, kind, title, detail] = CLIENT_ERRORS[error.code ?? ''] ?? [
    400,
    'malformed-request',
    'Malformed request',
    'the request is not valid HTTP/1.1',
  ];
  const body = JSON.stringify({ type: problemType(kind), title, status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\n` +
      `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
}

function lambdaContext(functionName: string, requestId: string): Context {
  const deadline = Date.now() + TIMEOUT_MS;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The access log's fields, as the API stage on AWS writes them (infra/api-stack.ts). */
export const ACCESS_LOG_FIELDS = [
  'requestId',
  'method',
  'path',
  'routeKey',
  'status',
  'latency',
  'ip',
] as const;
type AccessLogLine = Record<(typeof ACCESS_LOG_FIELDS)[number], string | number | undefined>;

export function startLambdaHttpServer(
  handlers: Record<FunctionName, LambdaHandler>,
  options: {
    port: number;
    host?: string;
    /** Pass X-Forwarded-* from callers to the handlers: only behind a proxy that sets them itself. */
    trustForwardedHeaders?: boolean;
    /** Where the access log goes, one JSON line per request as the stage on AWS writes it; stdout by default. */
    accessLog?: (line: string) => void;
  },
): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const accessLog = options.accessLog ?? ((line: string) => process.stdout.write(`${line}\n`));
  const server = createServer(async (request, response) => {
    const startedAt = performance.now();
    const requestId = randomUUID();
    // Read now: once the connection is gone, the request has no socket to ask.
    const ip = request.socket.remoteAddress;
    let routeKey = '-';
    response.once('close', () => {
      const line: AccessLogLine = {
        requestId,
        method: request.method,
        path: (request.url ?? '/').split('?')[0],
        routeKey,
        status: response.headersSent ? response.statusCode : 0,
        latency: Math.round(performance.now() - startedAt),
        ip,
      };
      accessLog(JSON.stringify(line));
    });
    try {
      const url = new URL(request.url ?? '/', 'http://local');
      const method = request.method ?? 'GET';
      const matched = matchRoute(method, url.pathname);
      if (matched === undefined)
        return problem(response, 404, 'no-route', 'No such route', `no route ${url.pathname}`);
      if (matched === 'malformed') {
        return problem(
          response,
          400,
          'malformed-path',
          'Malformed path',
          'the path is not valid percent-encoding',
        );
      }
      if (matched === 'method-not-allowed') {
        return problem(
          response,
          405,
          'method-not-allowed',
          'Method not allowed',
          `${method} is not allowed here`,
        );
      }
      const repeated = SINGLE_HEADERS.find((name) => (request.headersDistinct[name]?.length ?? 0) > 1);
      if (repeated) {
        return problem(response, 400, 'repeated-header', 'Repeated header', `send ${repeated} once`);
      }
      const body = await readBody(request);
      if (body === undefined) return problem(response, 413, 'too-large', 'Body too large', 'at most 6 MB');
      const headers: Record<string, string> = {
        ...Object.fromEntries(
          Object.entries(request.headers)
            .filter(([name]) => options.trustForwardedHeaders || !FORWARDED_HEADERS.test(name))
            .map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : (value ?? '')]),
        ),
      };
      // API Gateway tells the handlers the caller's scheme; here it is plain HTTP unless a trusted proxy says.
      headers['x-forwarded-proto'] ??= 'http';
      const query: Record<string, string> = {};
      for (const [name, value] of url.searchParams)
        query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
      routeKey = `${matched.route.method} ${matched.route.path}`;
      const now = new Date();
      const event: APIGatewayProxyEventV2 = {
        version: '2.0',
        routeKey,
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
        ...(Object.keys(matched.pathParameters).length > 0 ? { pathParameters: matched.pathParameters } : {}),
        requestContext: {
          accountId: '000000000000',
          apiId: 'local',
          domainName: headers['x-forwarded-host'] ?? headers.host ?? 'localhost',
          domainPrefix: 'local',
          http: {
            method,
            path: url.pathname,
            protocol: `HTTP/${request.httpVersion}`,
            sourceIp: ip ?? '127.0.0.1',
            userAgent: headers['user-agent'] ?? '',
          },
          requestId,
          routeKey,
          stage: '$default',
          time: now.toISOString(),
          timeEpoch: now.getTime(),
        },
        ...(body.length > 0 ? { body: body.toString('base64') } : {}),
        isBase64Encoded: body.length > 0,
      };
      const functionName = matched.route.function;
      const result = await handlers[functionName](event, lambdaContext(functionName, requestId));
      const payload = result.body ?? '';
      response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
      response.end(result.isBase64Encoded ? Buffer.from(payload, 'base64') : payload);
    } catch (error) {
      console.error('local server: handler failed', error);
      if (!response.headersSent) problem(response, 500, 'internal', 'Internal error', 'the handler failed');
      else response.destroy();
    }
  });
  server.on('clientError', answerClientError);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        url: `http://${options.host ?? '127.0.0.1'}:${port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Browsers keep idle connections open; they must not hold the server up.
            server.closeAllConnections();
          }),
      });
    });
  });
}
