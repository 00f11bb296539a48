/**
 * The gateway's fetch for Concur calls, against a real HTTP server: what it sends, what it hands back, one
 * connection kept for calls one after another, and how a signal, a refused connection or a stopped reader end.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepAliveFetch } from '../../shared/adapters/http/keep-alive-fetch';

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let connections = 0;
let lastSeen: Seen | undefined;
/** Requests the server saw end before it answered them. */
let closedUnanswered = 0;
const routes: Record<string, (response: ServerResponse) => void> = {
  '/echo': (response) => {
    response.writeHead(201, {
      'content-type': 'application/xml',
      'concur-correlationid': 'c-1',
      'set-cookie': ['a=1', 'b=2'],
    });
    response.end('<Booking>ü</Booking>');
  },
  '/empty': (response) => {
    response.writeHead(204);
    response.end();
  },
  '/silent': () => {},
  '/slow-body': (response) => {
    response.writeHead(200, { 'content-type': 'application/xml' });
    response.write('<Itinerary>');
  },
  '/large': (response) => {
    response.writeHead(200, { 'content-type': 'application/xml' });
    for (let i = 0; i < 64; i++) response.write(Buffer.alloc(64 * 1024, 'x'));
    response.end();
  },
};

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      lastSeen = {
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      response.on('close', () => {
        if (!response.writableEnded) closedUnanswered++;
      });
      routes[new URL(request.url!, 'http://x').pathname]!(response);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('keepAliveFetch', () => {
  it('sends the method, headers and body with its length, and hands back status, headers and body', async () => {
    const body = Buffer.from('<Booking>é</Booking>', 'utf8');
    const answer = await keepAliveFetch(`${base}/echo?userid_type=login_id`, {
      method: 'POST',
      headers: { authorization: 'Bearer t', 'content-type': 'application/xml' },
      body,
    });
    expect(lastSeen).toMatchObject({
      method: 'POST',
      url: '/echo?userid_type=login_id',
      body: '<Booking>é</Booking>',
    });
    expect(lastSeen!.headers).toMatchObject({
      authorization: 'Bearer t',
      'content-type': 'application/xml',
      'content-length': String(body.byteLength),
      'user-agent': 'concur-itinerary-gateway',
    });
    expect(lastSeen!.headers['transfer-encoding']).toBeUndefined();
    expect(answer.status).toBe(201);
    expect(answer.headers.get('concur-correlationid')).toBe('c-1');
    expect(answer.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(await answer.text()).toBe('<Booking>ü</Booking>');
  });

  it('sends forms and text with the content type fetch gives them', async () => {
    await (
      await keepAliveFetch(`${base}/echo`, { method: 'POST', body: new URLSearchParams({ a: 'b c' }) })
    ).text();
    expect(lastSeen).toMatchObject({ body: 'a=b+c' });
    expect(lastSeen!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    await (await keepAliveFetch(`${base}/echo`, { method: 'POST', body: 'plain' })).text();
    expect(lastSeen!.headers['content-type']).toBe('text/plain;charset=UTF-8');
  });

  it('keeps one connection for calls one after another', async () => {
    const before = connections;
    for (let i = 0; i < 5; i++) await (await keepAliveFetch(`${base}/echo`)).text();
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  it('answers a status without a body with a null body', async () => {
    const answer = await keepAliveFetch(`${base}/empty`, { method: 'POST', body: '' });
    expect(answer.status).toBe(204);
    expect(answer.body).toBeNull();
  });

  it("ends an unanswered request with the signal's reason", async () => {
    const before = closedUnanswered;
    const failure = await keepAliveFetch(`${base}/silent`, { signal: AbortSignal.timeout(50) }).catch(
      (error: unknown) => error,
    );
    expect((failure as Error).name).toBe('TimeoutError');
    await expect.poll(() => closedUnanswered).toBe(before + 1);
  });

  it("ends a stalled body with the signal's reason", async () => {
    const answer = await keepAliveFetch(`${base}/slow-body`, { signal: AbortSignal.timeout(100) });
    expect(answer.status).toBe(200);
    const failure = await answer.text().catch((error: unknown) => error);
    expect((failure as Error).name).toBe('TimeoutError');
  });

  it('lets a reader stop early, without reading the rest', async () => {
    const answer = await keepAliveFetch(`${base}/large`);
    const reader = answer.body!.getReader();
    const { value } = await reader.read();
    expect(value!.byteLength).toBeGreaterThan(0);
    await reader.cancel();
    // The connection is not reused half-read: the next call still gets its whole answer.
    expect(await (await keepAliveFetch(`${base}/echo`)).text()).toBe('<Booking>ü</Booking>');
  });

  it('fails as fetch does when nothing listens: a TypeError whose cause is the socket error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const failure = (await keepAliveFetch(`http://127.0.0.1:${port}/`).catch(
      (error: unknown) => error,
    )) as TypeError & {
      cause?: { code?: string };
    };
    expect(failure).toBeInstanceOf(TypeError);
    expect(failure.message).toBe('fetch failed');
    expect(failure.cause?.code).toBe('ECONNREFUSED');
  });

  it('refuses what it does not send rather than sending something else', async () => {
    await expect(keepAliveFetch('file:///etc/hosts')).rejects.toThrow(/http and https/);
    await expect(keepAliveFetch(new Request(`${base}/echo`))).rejects.toThrow(/not a Request/);
    await expect(keepAliveFetch(`${base}/echo`, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow(
      /string, bytes or form/,
    );
  });
});
