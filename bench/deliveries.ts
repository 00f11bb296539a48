/**
 * Webhooks to a supplier's endpoint through the local gateway: messages published through the gateway's own
 * port, the local deliveries queue, one delivery worker (10 records a batch), signed POSTs to a receiver on
 * 127.0.0.1 that answers 204 at once. Reports the deliveries per second the one worker sustains (the endpoint's
 * rate limit raised out of the way: it is measured apart) and the time from publishing to receipt.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webhookPublisher } from '../shared/composition/webhooks-out';
import { startLocalGateway } from '../local/server/local-gateway';

const MESSAGES = 1_000;
const PUBLISHERS = 16;

export async function runDeliveriesBench(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.WEBHOOK_RATE_PER_SECOND = '100000';
  const receivedAt = new Map<string, number>();
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      receivedAt.set(String(request.headers['webhook-id']), Date.now());
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const gateway = await startLocalGateway({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-bench-deliveries-')),
    simulatorPort: 0,
    accessLog: () => {},
    events: { workers: 1 },
  });
  const created = await fetch(`${gateway.url}/v1/webhook-endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${gateway.demoApiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks` }),
  });
  if (created.status !== 201) throw new Error(`creating the endpoint answered ${created.status}`);

  const publisher = webhookPublisher();
  const publishedAt = new Map<string, number>();
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: PUBLISHERS }, async () => {
      while (next < MESSAGES) {
        const n = next++;
        const id = `msg_${String(n).padStart(26, '0')}`;
        publishedAt.set(id, Date.now());
        await publisher.publish(
          'demo-supplier',
          { type: 'operation.succeeded', data: { operation: { id: `op_${n}`, status: 'succeeded' } } },
          { messageId: id },
        );
      }
    }),
  );
  const published = Date.now();
  while (receivedAt.size < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 20));
  const times = [...receivedAt.values()];
  const first = Math.min(...times);
  const last = Math.max(...times);
  const latencies = [...receivedAt].map(([id, at]) => at - publishedAt.get(id)!).sort((a, b) => a - b);
  const percentile = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;

  console.log(
    `\nWebhook deliveries: ${MESSAGES} messages to one endpoint on 127.0.0.1, one worker × 10 records`,
  );
  console.log(
    `  published               ${Math.round((MESSAGES * 1000) / (published - started))} messages/s`,
  );
  console.log(
    `  delivered (one worker)  ${Math.round(((MESSAGES - 1) * 1000) / (last - first))} deliveries/s`,
  );
  console.log(
    `  published → received    median ${percentile(0.5)} ms, p90 ${percentile(0.9)} ms (queueing included)`,
  );
  await gateway.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
}
