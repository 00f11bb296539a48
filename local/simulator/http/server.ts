/**
 * The simulator's node:http server: one pipeline for every Concur call (correlation id, request log, refusing
 * chunked bodies like Concur, routing, faults, the operation itself) and a side door for the admin API.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FailureAction } from '../../../shared/sandbox/fault-rules';
import type { FaultSets } from '../faults';
import { hostileXml, truncatedJson, truncatedXml } from '../hostile-bodies';
import type { AnswerRoot } from '../hostile-bodies';
import { QueryParams } from '../query-params';
import { redactAuthorization, redactTokenForm } from '../request-log';
import type { RequestLog, RequestLogEntry } from '../request-log';
import { matchRoute } from '../routes';
import type { ApiRoute } from '../../../shared/sandbox/fault-rules';
import type { Clock } from '../time';
import { errorAnswer, jsonAnswer } from './answers';
import type { HttpAnswer } from './answers';
import { handleAdmin } from './admin';
import type { AdminContext } from './admin';
import { handleConcurApi, handleIdentitySearch } from './concur-api';
import { scimErrorAnswer } from '../identity';
import type { ApiContext } from './concur-api';
import { handleTokenRequest } from './oauth';
import { handleTripGetV4 } from './itinerary-v4-api';

export const CORRELATION_HEADER = 'concur-correlationid';
const ADMIN_PREFIX = '/_sim';

export interface ServerContext {
  api: ApiContext;
  admin: AdminContext;
  faults: FaultSets;
  log: RequestLog;
  clock: Clock;
  maxBodyBytes: number;
}

export interface SimulatorServer {
  server: Server;
  /** Ends everything in flight: hanging answers, injected delays, idle keep-alive connections. */
  abortInFlight(): void;
}

class BodyTooLarge extends Error {}

/** One API call in flight: its socket ends and its request log entry. */
interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  entry: RequestLogEntry;
  correlationId: string;
}

function answer(exchange: Exchange, result: HttpAnswer): void {
  send(exchange.response, result);
  exchange.entry.status = result.status;
  exchange.entry.outcome = 'answered';
}

export function createSimulatorServer(context: ServerContext): SimulatorServer {
  const hanging = new Set<ServerResponse>();
  const delays = new Set<() => void>();

  const delay = (milliseconds: number): Promise<void> =>
    new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        delays.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, milliseconds);
      delays.add(finish);
    });

  const server = createServer((request, response) => {
    const correlationId = randomUUID();
    response.setHeader(CORRELATION_HEADER, correlationId);
    handle(request, response, correlationId).catch((error: unknown) => {
      if (response.headersSent || response.destroyed) return;
      const message = `Simulator failure: ${(error as Error).message}`;
      send(response, errorAnswer(500, message, context.clock.now(), correlationId));
    });
  });

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    correlationId: string,
  ): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://simulator');
    if (url.pathname === ADMIN_PREFIX || url.pathname.startsWith(`${ADMIN_PREFIX}/`)) {
      const body = await readBody(request, context.maxBodyBytes).catch(() => '');
      send(
        response,
        handleAdmin(context.admin, request.method ?? 'GET', url.pathname, body, url.searchParams),
      );
      return;
    }
    await handleApi(request, response, url, correlationId);
  }

  async function handleApi(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    correlationId: string,
  ): Promise<void> {
    const method = request.method ?? 'GET';
    const path = url.pathname;
    const query = new QueryParams(url.searchParams);
    const matched = matchRoute(method, path, Boolean(query.get('tripId')));
    const route = typeof matched === 'object' ? matched.route : undefined;
    const exchange: Exchange = {
      request,
      response,
      correlationId,
      entry: context.log.add({
        receivedAt: context.clock.now().toISOString(),
        method,
        path,
        query: query.toRecord(),
        headers: loggedHeaders(request),
        body: '',
        ...(route ? { route } : {}),
        status: null,
        outcome: 'pending',
        correlationId,
      }),
    };
    const refuse = (status: number, message: string) =>
      answer(exchange, errorAnswer(status, message, context.clock.now(), correlationId));

    // Concur's front end refuses chunked request bodies with 400 (its status-code page): only bodies announced with a
    // Content-Length get through, on every route, the token endpoint's included.
    if (request.headers['transfer-encoding'] !== undefined) {
      await drain(request, context.maxBodyBytes);
      return refuse(
        400,
        'Bad Request: Chunked Transfer-Encoding is not supported; send the body with a Content-Length.',
      );
    }
    let body: string;
    try {
      body = await readBody(request, context.maxBodyBytes);
    } catch (failure) {
      if (!(failure instanceof BodyTooLarge)) throw failure;
      return refuse(413, `The request body exceeds ${context.maxBodyBytes} bytes.`);
    }
    exchange.entry.body = route === 'token' ? redactTokenForm(body) : body;

    if (matched === undefined) return refuse(404, `No resource at ${path}.`);
    if (matched === 'method-not-allowed') return refuse(405, `${method} is not supported at ${path}.`);
    if (matched === 'bad-trip-id') return refuse(400, 'The trip id in the path is not validly URL-encoded.');

    // A company's own faults strike the calls made with its tokens (the token route: its refresh token).
    const companyId = context.api.tokens.companyOfCall(
      request.headers.authorization,
      matched.route === 'token' ? new URLSearchParams(body).get('refresh_token') : null,
    );
    const plan = context.faults.plan(matched.route, companyId);
    if (plan.label) exchange.entry.fault = plan.label;
    if (plan.delayMs > 0) {
      exchange.entry.delayMs = plan.delayMs;
      await delay(plan.delayMs);
    }
    const operate = (): HttpAnswer => {
      if (matched.route === 'token') {
        return handleTokenRequest(context.api.tokens, context.api.baseUrl(), context.clock.now(), {
          contentType: request.headers['content-type'],
          host: request.headers.host,
          body,
          glz: matched.glz === true,
        });
      }
      if (matched.route === 'identitySearch') {
        return handleIdentitySearch(context.api, { authorization: request.headers.authorization, body });
      }
      if (matched.route === 'tripGetV4') {
        return handleTripGetV4(context.api, {
          authorization: request.headers.authorization,
          tripId: matched.tripId ?? '',
        });
      }
      return handleConcurApi(context.api, {
        route: matched.route,
        ...(matched.tripId !== undefined ? { tripId: matched.tripId } : {}),
        query,
        authorization: request.headers.authorization,
        body,
        correlationId,
      });
    };
    // Without a failure, or with one that strikes after the request took effect, the operation runs.
    const failure = plan.failure;
    const result = !failure || failure.kind === 'oversized' || failure.commit ? operate() : undefined;
    if (response.destroyed) {
      // The client went away while the call was delayed.
      exchange.entry.outcome = 'destroyed';
      return;
    }
    if (!failure) return answer(exchange, result!);
    applyFailure(failure, matched.route, result, exchange);
  }

  function applyFailure(
    failure: FailureAction,
    route: ApiRoute,
    committed: HttpAnswer | undefined,
    exchange: Exchange,
  ): void {
    switch (failure.kind) {
      case 'status': {
        const message = failure.message ?? `Injected failure: HTTP ${failure.status}.`;
        const result =
          route === 'token'
            ? jsonAnswer({ error: 'server_error', error_description: message }, failure.status)
            : route === 'tripGetV4'
              ? jsonAnswer({ errors: [{ errorCode: 'serverError', errorMessage: message }] }, failure.status)
              : route === 'identitySearch'
                ? scimErrorAnswer(failure.status, message)
                : errorAnswer(failure.status, message, context.clock.now(), exchange.correlationId);
        const headers: Record<string, string> =
          failure.retryAfter !== undefined ? { 'Retry-After': String(failure.retryAfter) } : {};
        return answer(exchange, { ...result, headers });
      }
      case 'hang':
        exchange.entry.outcome = 'hung';
        hanging.add(exchange.response);
        exchange.response.on('close', () => hanging.delete(exchange.response));
        return;
      case 'destroy':
        exchange.entry.outcome = 'destroyed';
        exchange.request.socket.destroy();
        return;
      case 'malformed-xml':
        return answer(
          exchange,
          route === 'token' || route === 'identitySearch' || route === 'tripGetV4'
            ? { status: 200, contentType: 'application/json', body: truncatedJson(committed?.body) }
            : {
                status: 200,
                contentType: 'application/xml',
                body: truncatedXml(committed?.body, answerRoot(route)),
              },
        );
      case 'answer':
        return answer(exchange, {
          status: failure.status ?? 200,
          contentType: 'application/xml',
          body: failure.xml,
        });
      case 'oversized':
        return answer(exchange, { ...committed!, body: oversized(committed!.body, failure.bytes) });
      case 'hostile-xml':
        return answer(exchange, {
          status: 200,
          contentType: 'application/xml',
          body: hostileXml(failure.variant ?? 'entity-bomb', answerRoot(route)),
        });
    }
  }

  return {
    server,
    abortInFlight() {
      for (const finish of [...delays]) finish();
      for (const response of hanging) response.socket?.destroy();
      hanging.clear();
      server.closeAllConnections();
    },
  };
}

/** The answer grown to `bytes` with one unknown element per kilobyte, just before its root's end tag. */
function oversized(body: string, bytes: number): string {
  const end = body.lastIndexOf('</');
  const element = `<SimulatorPadding>${'x'.repeat(1_000)}</SimulatorPadding>`;
  const count = Math.max(0, Math.ceil((bytes - Buffer.byteLength(body, 'utf8')) / element.length));
  return body.slice(0, end) + element.repeat(count) + body.slice(end);
}

function answerRoot(route: ApiRoute): AnswerRoot {
  if (route === 'bookingCancel') return 'Booking';
  if (route === 'tripList') return 'ItineraryInfoList';
  return 'Itinerary';
}

function send(response: ServerResponse, answer: HttpAnswer): void {
  if (response.destroyed || response.writableEnded) return;
  const body = Buffer.from(answer.body, 'utf8');
  response.writeHead(answer.status, {
    ...(answer.status === 204 ? {} : { 'Content-Type': answer.contentType }),
    'Content-Length': String(body.length),
    ...answer.headers,
  });
  response.end(body);
}

function loggedHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    headers[name] = name === 'authorization' ? redactAuthorization(text) : text;
  }
  return headers;
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.removeAllListeners('data');
        request.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Reads and discards a body, so that the refusal reaches a client still sending it. */
function drain(request: IncomingMessage, maxBytes: number): Promise<void> {
  return readBody(request, maxBytes).then(
    () => undefined,
    () => undefined,
  );
}
