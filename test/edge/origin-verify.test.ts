/**
 * With AWS WAF in front (`-c waf=true`), the HTTP functions take only what came through the CloudFront
 * distribution: its `x-origin-verify` header, checked against the secret the deployment names
 * (ORIGIN_VERIFY_SECRET_ARN), read from a local Secrets Manager over real HTTP. The real handlers of
 * functions/http/, composed from the environment as on AWS; without the setting, nothing changes.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EDGE_SECRET_REREAD_MS, edgeGuard, ORIGIN_VERIFY_HEADER } from '../../shared/edge';
import { routes } from '../../shared/http/routes';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager';

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

const SECRET_ID = 'concur-gateway/edge-test/edge/origin-verify';
const SECRET = 'Q7xk2v9LmP4rT8wZ1nB5cJ6hF3dS0aYeUgKiOpRtVyXz';
const DISTRIBUTION_URL = 'https://d111111abcdef8.cloudfront.net';
const EXECUTE_API_HOST = 'abc123.execute-api.eu-west-1.amazonaws.com';

let dynamo: TestDynalite;
let secrets: TestSecretsManager;
const saved = { ...process.env };

beforeAll(async () => {
  dynamo = await startTestDynalite();
  secrets = await startTestSecretsManager();
  const tables = await createTestTables(dynamo, 'edge');
  await secrets.store.createSecret(SECRET_ID, SECRET);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    STATE_TABLE_NAME: tables.state,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    EVENTS_QUEUE_URL: 'http://127.0.0.1:9/unused',
    SECRET_PREFIX: 'concur-gateway/edge-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
}, 30_000);

afterAll(async () => {
  process.env = saved;
  await secrets.close();
  await dynamo.close();
});

/** The functions as a fresh container loads them, with or without WAF in the deployment's environment. */
async function freshFunctions(waf: boolean): Promise<{ meta: Handler; bookings: Handler }> {
  if (waf)
    Object.assign(process.env, { ORIGIN_VERIFY_SECRET_ARN: SECRET_ID, API_BASE_URL: DISTRIBUTION_URL });
  else {
    delete process.env.ORIGIN_VERIFY_SECRET_ARN;
    delete process.env.API_BASE_URL;
  }
  vi.resetModules();
  const meta = await import('../../functions/http/meta');
  const bookings = await import('../../functions/http/bookings');
  return { meta: meta.handler as Handler, bookings: bookings.handler as Handler };
}

let requests = 0;
function apiEvent(
  routeKey: string,
  headers: Record<string, string>,
  pathParameters?: Record<string, string>,
): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  const rawPath = Object.entries(pathParameters ?? {}).reduce(
    (text, [name, value]) => text.replace(`{${name}}`, value),
    path,
  );
  const requestId = `edge-${++requests}`;
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { host: EXECUTE_API_HOST, ...headers },
    ...(pathParameters ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'abc123',
      domainName: EXECUTE_API_HOST,
      domainPrefix: 'abc123',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      requestId,
      routeKey,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

const context = {
  functionName: 'edge-test',
  awsRequestId: 'r',
  getRemainingTimeInMillis: () => 29_000,
} as Context;

const problemOf = (result: APIGatewayProxyStructuredResultV2) => {
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  return JSON.parse(result.body!) as { type: string; status: number; detail: string };
};

describe('with AWS WAF in front', () => {
  let functions: { meta: Handler; bookings: Handler };
  beforeAll(async () => {
    functions = await freshFunctions(true);
  });

  it('refuses a request without x-origin-verify, or with another value, with 403 problem+json naming the URL to use', async () => {
    for (const headers of [
      {} as Record<string, string>,
      { [ORIGIN_VERIFY_HEADER]: 'guess' },
      { [ORIGIN_VERIFY_HEADER]: `${SECRET}x` },
    ]) {
      const result = await functions.meta(apiEvent('GET /health', headers), context);
      expect(result.statusCode).toBe(403);
      const problem = problemOf(result);
      expect(problem).toMatchObject({ type: 'urn:concur-gateway:problem:forbidden', status: 403 });
      expect(problem.detail).toContain(DISTRIBUTION_URL);
      expect(result.body).not.toContain(SECRET);
    }
  });

  it('refuses before authentication: a PUT without the header never reaches the key check', async () => {
    const route = 'PUT /v1/companies/{companyId}/bookings/{confirmationNumber}';
    const params = { companyId: 'c1', confirmationNumber: 'ABC123' };
    const refused = await functions.bookings(
      apiEvent(route, { authorization: 'Bearer nope', 'content-type': 'application/json' }, params),
      context,
    );
    expect(refused.statusCode).toBe(403);
    expect(refused.headers?.['www-authenticate']).toBeUndefined();
    // Through the distribution, the same request goes on to the key check (an unknown key: 401).
    const through = await functions.bookings(
      apiEvent(
        route,
        { authorization: 'Bearer nope', 'content-type': 'application/json', [ORIGIN_VERIFY_HEADER]: SECRET },
        params,
      ),
      context,
    );
    expect(through.statusCode).toBe(401);
    expect(problemOf(through).type).toBe('urn:concur-gateway:problem:unauthenticated');
  });

  it('accepts what came through the distribution, and names the distribution, not execute-api, in its links', async () => {
    const health = await functions.meta(apiEvent('GET /health', { [ORIGIN_VERIFY_HEADER]: SECRET }), context);
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body!)).toEqual({ status: 'ok' });
    const openapi = await functions.meta(
      apiEvent('GET /openapi.json', { [ORIGIN_VERIFY_HEADER]: SECRET }),
      context,
    );
    expect(openapi.statusCode).toBe(200);
    expect(JSON.parse(openapi.body!).servers).toEqual([{ url: DISTRIBUTION_URL }]);
  });
});

describe('every HTTP function, with AWS WAF in front', () => {
  it('refuses each of its routes without the header, before its own checks', async () => {
    await freshFunctions(true);
    for (const name of new Set(routes.map((route) => route.function))) {
      const { handler } = (await import(`../../functions/http/${name}.ts`)) as { handler: Handler };
      for (const route of routes.filter((r) => r.function === name)) {
        const params = Object.fromEntries(
          [...route.path.matchAll(/\{(\w+)\}/g)].map(([, param]) => [param!, 'x1']),
        );
        const result = await handler(
          apiEvent(`${route.method} ${route.path}`, { 'content-type': 'application/json' }, params),
          context,
        );
        expect(result.statusCode, `${name}: ${route.method} ${route.path}`).toBe(403);
        expect(problemOf(result).type).toBe('urn:concur-gateway:problem:forbidden');
      }
    }
  });
});

describe('without AWS WAF', () => {
  it('takes every request as before, with or without the header, and links to the API’s own address', async () => {
    const functions = await freshFunctions(false);
    for (const headers of [{} as Record<string, string>, { [ORIGIN_VERIFY_HEADER]: 'anything' }]) {
      const health = await functions.meta(apiEvent('GET /health', headers), context);
      expect(health.statusCode).toBe(200);
    }
    const openapi = await functions.meta(apiEvent('GET /openapi.json', {}), context);
    expect(JSON.parse(openapi.body!).servers).toEqual([{ url: `https://${EXECUTE_API_HOST}` }]);
  });
});

describe('the edge guard', () => {
  it('reads the value once for a warm container, and again on a mismatch at most every 30 s', async () => {
    let value = 'first-value';
    let reads = 0;
    let clock = 1_000_000;
    const guard = edgeGuard({
      readSecret: async () => {
        reads++;
        return value;
      },
      origin: DISTRIBUTION_URL,
      now: () => clock,
    });
    const admitted = await Promise.all(Array.from({ length: 50 }, () => guard.admits('first-value')));
    expect(admitted.every(Boolean)).toBe(true);
    expect(reads).toBe(1);
    expect(await guard.admits(undefined)).toBe(false);
    expect(await guard.admits('')).toBe(false);
    // A flood of wrong values within 30 s costs no read.
    for (let i = 0; i < 20; i++) expect(await guard.admits(`wrong-${i}`)).toBe(false);
    expect(reads).toBe(1);
    // The value changed: after 30 s the first request with the new value reads it and is admitted.
    value = 'second-value';
    clock += EDGE_SECRET_REREAD_MS;
    expect(await guard.admits('second-value')).toBe(true);
    expect(reads).toBe(2);
    expect(await guard.admits('first-value')).toBe(false);
    expect(reads).toBe(2);
  });

  it('refuses everything, loudly, when the deployment’s secret has no value', async () => {
    const guard = edgeGuard({ readSecret: async () => undefined, origin: DISTRIBUTION_URL });
    await expect(guard.admits('anything')).rejects.toThrow(/origin-verify secret has no value/);
  });
});
