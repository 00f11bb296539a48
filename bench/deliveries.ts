/**
 * Webhooks to a supplier's endpoint through the local gateway: messages published through the gateway's own
 * port, the local deliveries queue, one delivery worker (10 records a batch), signed POSTs to a receiver on
 * 127.0.0.1 that answers 204 at once. Reports the deliveries per second the one worker sustains (the endpoint's
 * rate limit raised out of the way: it is measured apart) and the time from publishing to receipt.
 *
 * Then the whole way of a change made in Concur: the traveler cancels a booking at the simulator, whose ESS
 * delivers the signed itinerary event to the gateway, which reads the trip with Itinerary v4 and sends
 * `booking.cancelled_in_concur` to the supplier's endpoint: the time from the cancel to the webhook's receipt.
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
/** Changes made in Concur, one at a time, spaced out: the time each takes to reach the endpoint. */
const CHANGES = 40;
const CHANGE_SPACING_MS = 250;

export async function runDeliveriesBench(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.WEBHOOK_RATE_PER_SECOND = '100000';
  const receivedAt = new Map<string, number>();
  /** When each booking's `booking.cancelled_in_concur` arrived, by confirmation number. */
  const cancelledReceivedAt = new Map<string, number>();
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const at = Date.now();
      receivedAt.set(String(request.headers['webhook-id']), at);
      const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        type: string;
        data: { confirmationNumber?: string };
      };
      if (event.type === 'booking.cancelled_in_concur' && event.data.confirmationNumber)
        cancelledReceivedAt.set(event.data.confirmationNumber, at);
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
    // The simulator tells the gateway its changes through ESS, for the second part.
    concurEvents: true,
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
  const percentile = (p: number) => percentileOf(latencies, p);

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
  try {
    await runChangesInConcur(gateway, cancelledReceivedAt);
  } finally {
    await gateway.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  }
}

const percentileOf = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function runChangesInConcur(
  gateway: Awaited<ReturnType<typeof startLocalGateway>>,
  receivedAt: Map<string, number>,
): Promise<void> {
  const call = async (method: string, url: string, body: unknown, headers: Record<string, string> = {}) => {
    const answer = await fetch(url, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    if (answer.status >= 300)
      throw new Error(`${method} ${url} answered ${answer.status}: ${await answer.text()}`);
    return (await answer.json()) as Record<string, Record<string, string>>;
  };
  const supplier = { authorization: `Bearer ${gateway.demoApiKey}` };
  // The endpoint of the first part takes every type of event; its receiver notes the cancellations.
  // A booking of its own trip for each change (a day of 2028 each).
  const trips: [confirmationNumber: string, tripId: string][] = [];
  for (let n = 0; n < CHANGES; n++) {
    const confirmationNumber = `CHG${n}`;
    const start = new Date(Date.UTC(2028, 0, 1 + 2 * n, 8)).toISOString().slice(0, 19);
    const end = new Date(Date.UTC(2028, 0, 1 + 2 * n, 18)).toISOString().slice(0, 19);
    const answer = await call(
      'PUT',
      `${gateway.url}/v1/companies/demo-company/bookings/${confirmationNumber}`,
      {
        booking: {
          segments: [
            {
              kind: 'car',
              vendor: 'ZE',
              confirmationNumber,
              startDateLocal: start,
              endDateLocal: end,
              startCityCode: 'SEA',
              endCityCode: 'SEA',
            },
          ],
          passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
        },
        traveler: { loginId: 'cm@example.com' },
      },
      supplier,
    );
    trips.push([confirmationNumber, answer.booking!.tripId!]);
  }
  // The gateway's own creates made ESS events too; they change nothing a supplier hears of. Let them pass.
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const cancelledAt = new Map<string, number>();
  for (const [confirmationNumber, tripId] of trips) {
    await call(
      'POST',
      `${gateway.simulator!.url}/_sim/trips/${encodeURIComponent(tripId)}/traveler-cancel`,
      {},
    );
    cancelledAt.set(confirmationNumber, Date.now());
    await new Promise((resolve) => setTimeout(resolve, CHANGE_SPACING_MS));
  }
  for (const until = Date.now() + 60_000; receivedAt.size < CHANGES && Date.now() < until;)
    await new Promise((resolve) => setTimeout(resolve, 20));
  if (receivedAt.size < CHANGES)
    throw new Error(`only ${receivedAt.size} of ${CHANGES} changes reached the endpoint`);
  const latencies = [...cancelledAt]
    .map(([number, at]) => receivedAt.get(number)! - at)
    .sort((a, b) => a - b);
  console.log(
    `\nChanges made in Concur: ${CHANGES} bookings cancelled as the traveler at the simulator, one every ${CHANGE_SPACING_MS} ms`,
  );
  console.log(
    `  cancel → webhook received  median ${percentileOf(latencies, 0.5)} ms, p99 ${percentileOf(latencies, 0.99)} ms (ESS delivery, v4 read, comparison, webhook; one worker)`,
  );
}
