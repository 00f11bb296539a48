/**
 * The HTTP function factory, from a function's own routes: it serves those and no others, and refuses to be
 * built from another function's routes too or without a handler for each, or to run with a composition that
 * lacks what its routes need.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import { httpFunction } from '../../shared/http/http-function';
import type { RouteHandler } from '../../shared/http/http-function';
import { bookingsRoutes } from '../../shared/http/routes/bookings';
import { metaRoutes } from '../../shared/http/routes/meta';

const logger = new Logger({ serviceName: 'http-function-test', logLevel: 'SILENT' });
const answer: RouteHandler = async () => ({ status: 200, body: { ok: true } });
const metaHandlers = Object.fromEntries(metaRoutes.map((route) => [route.operationId, answer])) as Record<
  (typeof metaRoutes)[number]['operationId'],
  RouteHandler
>;
const bookingsHandlers = { putBooking: answer, getBooking: answer, cancelBooking: answer };

const request = (routeKey: string) => {
  const [method, path] = routeKey.split(' ');
  const event = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: {},
    isBase64Encoded: false,
    requestContext: { requestId: 'request-1', domainName: 'localhost', http: { method, path } },
  } as unknown as APIGatewayProxyEventV2;
  return [event, { getRemainingTimeInMillis: () => 10_000 } as Context] as const;
};

describe('an HTTP function', () => {
  it('answers its own routes and no other function’s, though the route table has them', async () => {
    const meta = httpFunction(metaRoutes, metaHandlers, () => ({ logger }));
    expect((await meta(...request('GET /health'))).statusCode).toBe(200);
    const [booking] = bookingsRoutes;
    const other = await meta(...request(`${booking.method} ${booking.path}`));
    expect(other.statusCode).toBe(404);
    expect(JSON.parse(other.body!)).toMatchObject({
      status: 404,
      detail: `no route ${booking.method} ${booking.path}`,
    });
  });

  it('is built from one function’s routes: two functions’ routes, or none, are refused', () => {
    const handlers = { ...metaHandlers, ...bookingsHandlers };
    expect(() => httpFunction([...metaRoutes, ...bookingsRoutes], handlers, () => ({ logger }))).toThrow(
      /not those of: meta, bookings/,
    );
    expect(() => httpFunction([], {}, () => ({ logger }))).toThrow(/not those of: none/);
  });

  it('is refused without a handler for each of its routes', () => {
    const { openapi: _openapi, ...withoutOne } = metaHandlers;
    expect(() => httpFunction(metaRoutes, withoutOne as typeof metaHandlers, () => ({ logger }))).toThrow(
      'meta: no handler for openapi',
    );
  });

  it('answers 500 without running a handler, and composes again on the next request, when its composition lacks what its routes need', async () => {
    let compositions = 0;
    let handled = 0;
    const counting: RouteHandler = async () => {
      handled += 1;
      return { status: 200 };
    };
    // The bookings routes need supplier authentication and limits, the events queue and an idempotency store.
    const bookings = httpFunction(
      bookingsRoutes,
      { putBooking: counting, getBooking: counting, cancelBooking: counting },
      () => {
        compositions += 1;
        return { logger };
      },
    );
    const [booking] = bookingsRoutes;
    for (const attempt of [1, 2]) {
      const result = await bookings(...request(`${booking.method} ${booking.path}`));
      expect(result.statusCode, `attempt ${attempt}`).toBe(500);
      expect(compositions).toBe(attempt);
    }
    expect(handled).toBe(0);
  });

  it('logs the failure of a composition that throws, though it gave no logger', async () => {
    const written: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string, ...rest: never[]) => {
      written.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof process.stderr.write);
    try {
      const meta = httpFunction(metaRoutes, metaHandlers, () => {
        throw new Error('STATE_TABLE is not set');
      });
      const [route] = metaRoutes;
      const result = await meta(...request(`${route.method} ${route.path}`));
      expect(result.statusCode).toBe(500);
      expect(JSON.parse(String(result.body))).not.toHaveProperty(
        'detail',
        expect.stringContaining('STATE_TABLE'),
      );
    } finally {
      spy.mockRestore();
    }
    const failures = written.filter((line) => line.includes('"request failed"'));
    expect(failures).toHaveLength(1);
    expect(JSON.parse(failures[0]!)).toMatchObject({
      level: 'ERROR',
      error: { message: 'STATE_TABLE is not set' },
    });
  });
});
