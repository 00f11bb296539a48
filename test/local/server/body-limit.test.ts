/**
 * The local server's answer to a body larger than API Gateway takes (6 MiB): 413 problem+json as soon as that is
 * known, and a client that keeps sending is cut off after a bounded amount instead of being read until the
 * request times out.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionName } from '../../../shared/http/route-definition';
import { startLambdaHttpServer } from '../../../local/server/lambda-http-server';
import type { LambdaHandler } from '../../../local/server/lambda-http-server';

const MiB = 1024 * 1024;
let server: Awaited<ReturnType<typeof startLambdaHttpServer>>;
let handled = 0;

beforeAll(async () => {
  const handler: LambdaHandler = async () => {
    handled++;
    return { statusCode: 204 };
  };
  const handlers = Object.fromEntries(
    ['bookings', 'trips', 'translate', 'events', 'endpoints', 'activity', 'meta'].map((name) => [
      name,
      handler,
    ]),
  ) as Record<FunctionName, LambdaHandler>;
  server = await startLambdaHttpServer(handlers, { port: 0, host: '127.0.0.1', accessLog: () => undefined });
});
afterAll(() => server?.close());

/** Sends `head`, then 1 MiB chunks of the body for as long as the server reads them; what came back, and how much went. */
function sendEndlessly(head: string, chunked: boolean): Promise<{ answer: string; sentBytes: number }> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), '127.0.0.1');
    let answer = '';
    let sentBytes = 0;
    let open = true;
    const chunk = Buffer.alloc(MiB, 'a');
    const pump = () => {
      while (open && sentBytes < 200 * MiB) {
        sentBytes += chunk.length;
        const frame = chunked
          ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])
          : chunk;
        if (!socket.write(frame)) return socket.once('drain', pump);
      }
    };
    socket.on('data', (data: Buffer) => (answer += data.toString()));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      open = false;
      resolve({ answer, sentBytes });
    });
    socket.write(head);
    pump();
  });
}

const PUT = 'PUT /v1/companies/c/bookings/B HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n';

describe('a body over 6 MiB at the local server', () => {
  it('is refused with 413 while it still arrives without an end, and its connection cut after a bounded drain', async () => {
    const { answer, sentBytes } = await sendEndlessly(`${PUT}Transfer-Encoding: chunked\r\n\r\n`, true);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('application/problem+json');
    expect(sentBytes).toBeLessThan(40 * MiB);
    expect(handled).toBe(0);
  }, 60_000);

  it('is refused with 413 on its Content-Length, before the body arrives', async () => {
    const { answer, sentBytes } = await sendEndlessly(`${PUT}Content-Length: ${100 * MiB}\r\n\r\n`, false);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(sentBytes).toBeLessThan(40 * MiB);
    expect(handled).toBe(0);
  }, 60_000);
});
