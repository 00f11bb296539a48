/** A webhook receiver on 127.0.0.1 that records what it gets and answers as the test says. */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}

/** How the receiver answers its n-th request (1-based): a status, or 'drop' to close the connection unanswered. */
export type Answering = (
  n: number,
  request: ReceivedWebhook,
) => number | 'drop' | { status: number; headers?: Record<string, string>; body?: string };

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  answering: Answering;
  /** Resolves once `count` requests have come, or rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  close(): Promise<void>;
}

/** The webhook's event, verified by its signature with the endpoint's secret as its supplier would (throws if not). */
export function verifiedWebhook(secret: string, webhook: ReceivedWebhook): unknown {
  return new Webhook(secret).verify(webhook.body, {
    'webhook-id': webhook.headers['webhook-id']!,
    'webhook-timestamp': webhook.headers['webhook-timestamp']!,
    'webhook-signature': webhook.headers['webhook-signature']!,
  });
}

export async function startReceiver(answering: Answering = () => 200): Promise<Receiver> {
  const received: ReceivedWebhook[] = [];
  const receiver = { answering } as Receiver;
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const webhook: ReceivedWebhook = {
        headers: Object.fromEntries(
          Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
        ),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      received.push(webhook);
      const answer = receiver.answering(received.length, webhook);
      if (answer === 'drop') {
        request.socket.destroy();
        return;
      }
      const { status, headers = {}, body = 'ok' } = typeof answer === 'number' ? { status: answer } : answer;
      response.writeHead(status, headers).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    waitFor: async (count: number, timeoutMs = 20_000) => {
      const until = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > until)
          throw new Error(`the receiver got ${received.length} of ${count} webhooks in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received.slice(0, count);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}
