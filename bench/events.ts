/**
 * Partner events through the local gateway: signed webhooks in a burst, the local SQS queue, the processor, and
 * the simulator answering every Concur call after 100 ms. Reports the events per second the processor sustains
 * and the time from each webhook's 202 to its operation's end (`succeeded`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { eventServices } from '../shared/composition/events';
import { startLocalGateway } from '../local/server/local-gateway';

const EVENTS = 400;
const SENDERS = 32;
/** Then events one at a time, spaced out: the time to apply one when nothing waits ahead of it. */
const SPACED_EVENTS = 40;
const SPACING_MS = 250;
const CONCUR_LATENCY_MS = 100;

const day = (n: number) => new Date(Date.UTC(2027, 0, 1 + (n % 300), 8)).toISOString().slice(0, 19);

export async function runEventsBench(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The figures alone: no log lines below warnings, no metrics, no access log.
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  const workers = 4;
  const gateway = await startLocalGateway({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-bench-events-')),
    simulatorPort: 0,
    accessLog: () => {},
    events: { workers },
    // Well above what this machine reaches: the processor is measured, not the limiter.
    concurRatePerMinute: 600_000,
    concurRatePerHour: 36_000_000,
  });
  gateway.simulator!.faults.setLatency({ ms: CONCUR_LATENCY_MS });
  const { operations } = eventServices();
  const webhook = new Webhook(gateway.demoWebhookSecret!);

  const acceptedAt = new Map<string, number>();
  const send = async (n: number) => {
    const confirmationNumber = `BENCH${n}`;
    const body = JSON.stringify({
      type: 'booking.upserted',
      timestamp: new Date().toISOString(),
      data: {
        companyId: 'demo-company',
        confirmationNumber,
        booking: {
          segments: [
            {
              kind: 'car',
              vendor: 'ZE',
              confirmationNumber,
              startDateLocal: day(n),
              endDateLocal: day(n + 1),
              startCityCode: 'SEA',
              endCityCode: 'SEA',
            },
          ],
          passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
        },
        traveler: { loginId: 'cm@example.com' },
      },
    });
    const id = `msg_bench_${n}`;
    // One instant for the header and the signature, so they cannot fall on two sides of a second.
    const signedAt = new Date(Math.floor(Date.now() / 1000) * 1000);
    const response = await fetch(`${gateway.url}/v1/webhooks/demo-supplier`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(signedAt.getTime() / 1000),
        'webhook-signature': webhook.sign(id, signedAt, body),
      },
      body,
    });
    const answer = (await response.json()) as { operation: { id: string } };
    if (response.status !== 202) throw new Error(`webhook answered ${response.status}`);
    acceptedAt.set(answer.operation.id, Date.now());
  };

  const awaitApplied = async (ids: Iterable<string>) => {
    const ended = new Map<string, number>();
    const wanted = [...ids];
    while (ended.size < wanted.length) {
      for (const id of wanted) {
        if (ended.has(id)) continue;
        const record = await operations.get(id);
        if (record?.status === 'succeeded') ended.set(id, Date.parse(record.updatedAt));
        else if (record && record.status !== 'accepted' && record.status !== 'processing')
          throw new Error(`operation ${id} ended ${record.status}: ${record.problem?.detail}`);
      }
      if (ended.size < wanted.length) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return ended;
  };
  const latencies = (ended: Map<string, number>) =>
    [...ended].map(([id, at]) => at - acceptedAt.get(id)!).sort((a, b) => a - b);
  const percentile = (sorted: number[], p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < EVENTS) await send(next++);
    }),
  );
  const sent = Date.now();

  const burst = await awaitApplied(acceptedAt.keys());
  const lastApplied = Math.max(...burst.values());
  const burstLatencies = latencies(burst);

  const spacedIds: string[] = [];
  for (let n = 0; n < SPACED_EVENTS; n++) {
    await send(EVENTS + n);
    spacedIds.push([...acceptedAt.keys()].at(-1)!);
    await new Promise((resolve) => setTimeout(resolve, SPACING_MS));
  }
  const spacedLatencies = latencies(await awaitApplied(spacedIds));

  console.log(
    `\nPartner events: ${EVENTS} signed webhooks from ${SENDERS} senders, ${workers} processor workers × 10 records, Concur latency ${CONCUR_LATENCY_MS} ms`,
  );
  console.log(`  accepted (202)          ${Math.round((EVENTS * 1000) / (sent - started))} events/s`);
  console.log(`  applied                 ${Math.round((EVENTS * 1000) / (lastApplied - started))} events/s`);
  console.log(
    `  202 → applied (burst)   median ${percentile(burstLatencies, 0.5)} ms, p90 ${percentile(burstLatencies, 0.9)} ms (waiting in the queue included)`,
  );
  console.log(
    `  202 → applied (spaced)  median ${percentile(spacedLatencies, 0.5)} ms, p90 ${percentile(spacedLatencies, 0.9)} ms (${SPACED_EVENTS} events, one every ${SPACING_MS} ms)`,
  );
  await gateway.close();
}
