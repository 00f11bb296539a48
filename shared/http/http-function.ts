/**
 * One way to make a Lambda function of the HTTP API: a tiny middy core per route, with behaviour composed from
 * the middlewares registered here, in this order:
 *   header normalisation → problem+json answers → the edge guard (with AWS WAF in front) → supplier
 *   authentication → idempotency (POST/PUT with an Idempotency-Key) → JSON body parsing → the route's handler.
 *
 * Idempotency wraps the route's work with Powertools' `makeIdempotent`, not its middy middleware: the
 * middleware's `onError` deletes the key's record even when its own `before` refused the request (a duplicate
 * still in progress, another body under the key), so concurrent retries ran the work again
 * (aws-powertools/powertools-lambda-typescript#5675). The function wrapper deletes only a record it acquired.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { MAX_PATH_PARAMETER_LENGTH, MAX_QUERY_VALUE_LENGTH, maxBodyBytesOf } from './route-definition';
import type { RouteDefinition } from './route-definition';
import { GatewayError } from '../gateway/errors';
import type { Supplier } from '../gateway/ports';
import type { EdgeGuard } from '../edge';
import { ORIGIN_VERIFY_HEADER } from '../edge';
import { SupplierRateLimitedError } from '../supplier-limits';
import type { SupplierLimit } from '../supplier-limits';
import type { FieldProblem } from '../problem';
import { isPrintableText } from '../concur/xml-text';
import { HttpProblem, problemFor, problemResponse } from './problem-responses';
import { parseJsonBody } from './json-body';
import { withSourceMappedStack } from '../observability/source-mapped-stack';
import { isLivemode } from '../sandbox';
import { gatewayLogger } from '../composition/logging';

export interface RouteRequest {
  requestId: string;
  /** The authenticated supplier; routes marked `authenticated: false` get none. */
  supplier: Supplier | undefined;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  /** The JSON body, parsed; undefined when there is none, and for signed routes (they parse it once verified). */
  body: unknown;
  /** The body as sent (decoded from base64 when API Gateway encoded it). */
  rawBody?: string;
  /** Request headers, names in lower case. */
  headers: Record<string, string>;
  /** The origin the caller used, e.g. `https://api.example.com`, for self links. */
  origin: string;
}

export interface HttpAnswer {
  status: number;
  /** Serialised as JSON unless `contentType` says otherwise (then it must be a string or Buffer). */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: RouteRequest) => Promise<HttpAnswer>;

/**
 * What a function's routes need: authentication when one is authenticated, the idempotency store when one
 * writes, and the events queue when one may respond asynchronously.
 */
export interface HttpDependencies {
  authenticate?: (apiKey: string) => Promise<Supplier | undefined>;
  /** Accepts a write route's request as an operation (`Prefer: respond-async`): 202. */
  respondAsync?: (operationId: string, request: RouteRequest, supplier: Supplier) => Promise<HttpAnswer>;
  idempotencyStore?: BasePersistenceLayer;
  /** Each authenticated supplier's own rate (shared/supplier-limits). */
  supplierLimit?: SupplierLimit;
  /** With AWS WAF in front: refuses what did not come through the distribution, names the URL callers use. */
  edge?: EdgeGuard;
  logger: Logger;
}

/** How long an Idempotency-Key is remembered: Stripe's 24 hours. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const idempotencyConfig = () =>
  new IdempotencyConfig({
    // The key is scoped to the supplier and the route, so two suppliers' keys never meet.
    eventKeyJmesPath:
      '[headers."idempotency-key", requestContext.authorizer.lambda.supplierId, requestContext.routeKey, rawPath]',
    payloadValidationJmesPath: 'body',
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
    responseHook: (response) => {
      const answer = response as unknown as APIGatewayProxyStructuredResultV2;
      return { ...answer, headers: { ...answer.headers, 'idempotent-replayed': 'true' } } as never;
    },
  });

const routeKeyOf = (route: RouteDefinition) => `${route.method} ${route.path}`;

type LambdaHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Builds the Lambda handler of one function from its own routes (`shared/http/routes/<function>.ts`, never the
 * whole table, so its bundle carries no other function's routes). `handlers` maps each route's operationId to
 * the code that answers it; dependencies are created once per container, on first use.
 */
export function httpFunction<OwnRoutes extends readonly RouteDefinition[]>(
  ownRoutes: OwnRoutes,
  handlers: Record<OwnRoutes[number]['operationId'], RouteHandler>,
  dependencies: () => HttpDependencies,
): LambdaHandler {
  const names = new Set(ownRoutes.map((route) => route.function));
  if (names.size !== 1)
    throw new Error(
      `an HTTP function serves one function's routes, not those of: ${[...names].join(', ') || 'none'}`,
    );
  const name = ownRoutes[0]!.function;
  const handlerOf = (route: RouteDefinition): RouteHandler | undefined =>
    (handlers as Record<string, RouteHandler>)[route.operationId];
  for (const route of ownRoutes) {
    if (!handlerOf(route)) throw new Error(`${name}: no handler for ${route.operationId}`);
  }
  const byRouteKey = new Map(ownRoutes.map((route) => [routeKeyOf(route), route]));
  const suppliers = new WeakMap<APIGatewayProxyEventV2, Supplier>();
  let ready: Promise<{ deps: HttpDependencies; idempotent: Map<string, LambdaHandler> }> | undefined;

  const answerRoute =
    (route: RouteDefinition) => async (event: APIGatewayProxyEventV2, _context: Context) => {
      const supplier = suppliers.get(event);
      const { deps } = await ready!;
      const request = routeRequest(event, supplier, route, deps.edge?.origin);
      if (route.respondAsync && prefersAsync(event.headers.prefer)) {
        return toResult(
          withLivemode(await deps.respondAsync!(route.operationId, request, supplier!), supplier),
        );
      }
      return toResult(withLivemode(await handlerOf(route)!(request), supplier));
    };

  const setUp = async () => {
    const deps = dependencies();
    const missing = (what: string, needed: boolean, present: unknown) => {
      if (needed && !present) throw new Error(`${name}: its routes need ${what}, its composition gives none`);
    };
    missing(
      'supplier authentication',
      ownRoutes.some((r) => r.authenticated),
      deps.authenticate,
    );
    missing(
      'supplier limits',
      ownRoutes.some((r) => r.authenticated),
      deps.supplierLimit,
    );
    missing(
      'the events queue',
      ownRoutes.some((r) => r.respondAsync),
      deps.respondAsync,
    );
    missing(
      'an idempotency store',
      ownRoutes.some((r) => r.method !== 'GET'),
      deps.idempotencyStore,
    );
    const idempotent = new Map<string, LambdaHandler>();
    for (const route of ownRoutes) {
      if (route.method === 'GET') continue;
      // Called with the Lambda context, so a key left in progress by a function that died frees itself once
      // the invocation's time is up.
      const handler = makeIdempotent(answerRoute(route), {
        persistenceStore: deps.idempotencyStore!,
        config: idempotencyConfig(),
      });
      idempotent.set(routeKeyOf(route), handler);
    }
    return { deps, idempotent };
  };

  const dispatch = async (event: APIGatewayProxyEventV2, context: Context) => {
    ready ??= setUp().catch((error) => {
      ready = undefined;
      throw error;
    });
    const { deps, idempotent } = await ready;
    await refuseAroundEdge(event, deps);
    const route = byRouteKey.get(event.routeKey);
    if (!route) throw new HttpProblem(404, 'no-route', 'No such route', `no route ${event.routeKey}`);
    if (route.authenticated) {
      const supplier = await authenticate(event, deps);
      await admit(supplier, deps);
      suppliers.set(event, supplier);
      // Where an API Gateway Lambda authorizer would put it: the idempotency key is scoped by it.
      (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: { supplierId: supplier.id } };
    }
    refuseOutOfBounds(route, event);
    const idempotentHandler = event.headers['idempotency-key'] ? idempotent.get(event.routeKey) : undefined;
    return idempotentHandler ? idempotentHandler(event, context) : answerRoute(route)(event, context);
  };

  const handler = middy(dispatch)
    .use(httpHeaderNormalizer())
    .use({
      onError: async (request) => {
        const requestId = request.event.requestContext?.requestId ?? 'unknown';
        const answer = problemFor(request.error, requestId);
        if (answer.problem.status >= 500) {
          // A function whose composition failed has no logger of its own: the failure is logged all the same.
          const deps = await ready?.catch(() => undefined);
          (deps?.deps.logger ?? gatewayLogger()).error('request failed', {
            requestId,
            routeKey: request.event.routeKey,
            error: withSourceMappedStack(request.error as Error),
          });
        }
        request.response = withRequestId(problemResponse(answer), requestId);
      },
    })
    .use({
      after: async (request) => {
        if (request.response)
          request.response = withRequestId(request.response, request.event.requestContext.requestId);
      },
    });
  return handler as unknown as LambdaHandler;
}

/**
 * With AWS WAF in front, a request that did not come through the distribution: 403, before anything else. The
 * header's secret value goes no further than this check: no handler, stored request or log line sees it.
 */
async function refuseAroundEdge(event: APIGatewayProxyEventV2, deps: HttpDependencies): Promise<void> {
  const value = event.headers[ORIGIN_VERIFY_HEADER];
  delete event.headers[ORIGIN_VERIFY_HEADER];
  if (!deps.edge || (await deps.edge.admits(value))) return;
  throw new HttpProblem(
    403,
    'forbidden',
    'Not allowed',
    `this address takes no requests: use ${deps.edge.origin}`,
  );
}

async function authenticate(event: APIGatewayProxyEventV2, deps: HttpDependencies): Promise<Supplier> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(event.headers.authorization ?? '');
  const challenge = { 'www-authenticate': 'Bearer' };
  if (!match) {
    throw new HttpProblem(
      401,
      'unauthenticated',
      'Authentication required',
      'send Authorization: Bearer <api key>',
      challenge,
    );
  }
  const supplier = await deps.authenticate!(match[1]!);
  if (!supplier)
    throw new HttpProblem(
      401,
      'unauthenticated',
      'Authentication required',
      'the API key is not valid',
      challenge,
    );
  return supplier;
}

/**
 * Stripe's `livemode` on every JSON object a supplier's key is answered: false for a test key's requests (the
 * sandbox), true otherwise.
 */
function withLivemode(answer: HttpAnswer, supplier: Supplier | undefined): HttpAnswer {
  const { body } = answer;
  if (!supplier || answer.contentType || body === null || typeof body !== 'object' || Array.isArray(body))
    return answer;
  return { ...answer, body: { ...body, livemode: isLivemode(supplier) } };
}

/** The supplier's own rate, before any work: 429 with the seconds until its next second begins. */
async function admit(supplier: Supplier, deps: HttpDependencies): Promise<void> {
  try {
    await deps.supplierLimit!.admit(supplier);
  } catch (error) {
    if (!(error instanceof SupplierRateLimitedError)) throw error;
    throw new HttpProblem(429, 'rate-limited', 'Too many requests', error.message, {
      'retry-after': String(error.retryAfterSeconds),
    });
  }
}

/** RFC 7240: `Prefer: respond-async` (possibly among other preferences). */
function prefersAsync(prefer: string | undefined): boolean {
  return prefer !== undefined && /(^|[,;\s])respond-async\s*(,|;|$)/i.test(prefer);
}

/** What an Idempotency-Key may be: one visible ASCII token (a comma is how a repeated header arrives). */
const IDEMPOTENCY_KEY = /^[\x21-\x2b\x2d-\x7e]{1,255}$/;

/**
 * Refuses, before any handler, storage or Concur sees them: bodies larger than the route takes, path
 * parameters and query values too long for a DynamoDB key or holding control characters, and malformed or
 * repeated Idempotency-Keys.
 */
function refuseOutOfBounds(route: RouteDefinition, event: APIGatewayProxyEventV2): void {
  const limit = maxBodyBytesOf(route);
  if (event.body) {
    const bytes = event.isBase64Encoded
      ? Buffer.byteLength(event.body, 'base64')
      : Buffer.byteLength(event.body, 'utf8');
    if (bytes > limit) {
      throw new HttpProblem(413, 'too-large', 'Body too large', `this route accepts at most ${limit} bytes`);
    }
  }
  const problems: FieldProblem[] = [];
  const check = (path: string, value: string, maxLength: number, minLength: number) => {
    const length = [...value].length;
    if (length < minLength || length > maxLength)
      problems.push({ path, message: `must be ${minLength} to ${maxLength} characters` });
    else if (!isPrintableText(value)) problems.push({ path, message: 'must not contain control characters' });
  };
  for (const [name, value] of Object.entries(event.pathParameters ?? {})) {
    check(`path.${name}`, value ?? '', MAX_PATH_PARAMETER_LENGTH, 1);
    // An id of spaces alone names nothing at Concur (a confirmation number becomes a blank record locator).
    if (value && value.trim() === '') problems.push({ path: `path.${name}`, message: 'must not be blank' });
  }
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {}))
    check(`query.${name}`, value ?? '', MAX_QUERY_VALUE_LENGTH, 0);
  const idempotencyKey = event.headers['idempotency-key'];
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    problems.push({
      path: 'header.Idempotency-Key',
      message: 'must be one key of 1 to 255 visible ASCII characters without commas, sent once',
    });
  }
  if (problems.length > 0) throw new GatewayError('validation', 'the request is not valid', problems);
}

function routeRequest(
  event: APIGatewayProxyEventV2,
  supplier: Supplier | undefined,
  route: RouteDefinition,
  edgeOrigin: string | undefined,
): RouteRequest {
  // The distribution's URL behind WAF, else API Gateway's own domain name and scheme; a caller's
  // X-Forwarded-Host could point self links anywhere.
  const host = event.requestContext.domainName;
  const protocol = event.headers['x-forwarded-proto'] ?? 'https';
  const rawBody = rawBodyOf(event);
  const requestId = event.requestContext.requestId;
  return {
    requestId,
    // The request's own copy: the changes it makes are noted as the request's.
    supplier: supplier && { ...supplier, actor: { kind: 'api', requestId } },
    pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
    query: (event.queryStringParameters ?? {}) as Record<string, string>,
    body: route.signed ? undefined : jsonBodyOf(event, rawBody),
    ...(rawBody === undefined ? {} : { rawBody }),
    headers: event.headers as Record<string, string>,
    origin: edgeOrigin ?? `${protocol}://${host}`,
  };
}

function rawBodyOf(event: APIGatewayProxyEventV2): string | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function jsonBodyOf(event: APIGatewayProxyEventV2, text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  const contentType = event.headers['content-type'] ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new HttpProblem(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      'send the body as application/json',
    );
  }
  return parseJsonBody(text);
}

function toResult(answer: HttpAnswer): APIGatewayProxyStructuredResultV2 {
  if (answer.contentType) {
    const binary = Buffer.isBuffer(answer.body);
    return {
      statusCode: answer.status,
      headers: { 'content-type': answer.contentType, ...answer.headers },
      body: binary ? (answer.body as Buffer).toString('base64') : String(answer.body ?? ''),
      isBase64Encoded: binary,
    };
  }
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json', ...answer.headers },
    body: answer.body === undefined ? '' : JSON.stringify(answer.body),
  };
}

function withRequestId(
  result: APIGatewayProxyStructuredResultV2,
  requestId: string,
): APIGatewayProxyStructuredResultV2 {
  return { ...result, headers: { ...result.headers, 'x-request-id': requestId } };
}
