/**
 * The local server's access log: one line per request, as the API stage on AWS writes it, whatever the request
 * came to (a route, no route, a malformed path).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_LOG_FIELDS, startLambdaHttpServer } from '../../../local/server/lambda-http-server';
import type { LambdaHandler } from '../../../local/server/lambda-http-server';
import type { FunctionName } from '../../../shared/http/route-definition';

const lines: Record<string, unknown>[] = [];
let server: Awaited<ReturnType<typeof startLambdaHttpServer>>;
/** What the handlers saw as their request id: the one the access log must name. */
const handledRequestIds: string[] = [];

beforeAll(async () => {
  const answer: LambdaHandler = async (event) => {
    handledRequestIds.push(event.requestContext.requestId);
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"status":"ok"}' };
  };
  const handlers = Object.fromEntries(
    (['bookings', 'trips', 'translate', 'events', 'meta'] as FunctionName[]).map((name) => [name, answer]),
  ) as Record<FunctionName, LambdaHandler>;
  server = await startLambdaHttpServer(handlers, {
    port: 0,
    accessLog: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
});
afterAll(() => server.close());

const settled = async (count: number) => {
  for (let wait = 0; lines.length < count && wait < 100; wait++) await new Promise((r) => setTimeout(r, 10));
};

describe('access log of the local server', () => {
  it('writes one line per request with the stage’s fields, the handler’s request id, and no query string', async () => {
    await (await fetch(`${server.url}/health?secret=s3cr3t`)).text();
    await (await fetch(`${server.url}/nowhere`)).text();
    await (await fetch(`${server.url}/v1/companies/%E0%A4%A/trips`)).text();
    await settled(3);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(Object.keys(line)).toEqual([...ACCESS_LOG_FIELDS]);
    expect(lines[0]).toMatchObject({ method: 'GET', path: '/health', routeKey: 'GET /health', status: 200 });
    expect(lines[0]!.requestId).toBe(handledRequestIds[0]);
    expect(typeof lines[0]!.latency).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('s3cr3t');
    expect(lines[1]).toMatchObject({ path: '/nowhere', routeKey: '-', status: 404 });
    expect(lines[2]).toMatchObject({ status: 400 });
    expect(new Set(lines.map((line) => line.requestId)).size).toBe(3);
  });
});
