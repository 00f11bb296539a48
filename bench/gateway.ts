/**
 * A booking PUT through the local gateway (handlers, dynalite, local Secrets Manager, simulator) against the same
 * booking posted straight to the simulator, in one run: sequential latency, then latency and throughput at 1, 10
 * and 50 concurrent clients (each updating a booking of its own); and the Concur, DynamoDB and Secrets Manager
 * calls of one warm PUT.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildConcurXml } from '../shared/concur';
import { startLocalGateway } from '../local/server/local-gateway';
import { recordAwsRequests } from '../test/support/aws-requests';
import { reportLatency, reportThroughput, sampleConcurrent, sampleLatency } from './latency';
import type { ThroughputSummary } from './latency';

const CONCURRENCY = [1, 10, 50];
const CALLS_PER_LEVEL = 500;

/** Booking n rents a car on day n of 2027, so every booking has a trip of its own, as real travel would. */
const day = (n: number, hour: number) => new Date(Date.UTC(2027, 0, 1 + n, hour)).toISOString().slice(0, 19);
const carBooking = (n: number) => ({
  segments: [
    {
      kind: 'car',
      vendor: 'ZE',
      confirmationNumber: `C${n}`,
      startDateLocal: day(n, 8),
      endDateLocal: day(n, 18),
      startCityCode: 'SEA',
      endCityCode: 'SEA',
    },
  ],
  passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
});

export async function runGatewayBench(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  // The figures alone: no log lines below warnings, no metrics, no access log.
  process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  // The outbound limiter holds each Concur app to 3,000 calls a minute (50/s) by default, which would cap every
  // figure below at 50 PUT/s. Raised here so they measure the gateway; set it to see the limit at work. The hour's
  // limit follows (60 minutes' worth), so it is implied by the seconds and costs no write, as with the defaults.
  const concurRatePerMinute = Number(process.env.CONCUR_RATE_PER_MINUTE ?? 60_000);
  console.log(`outbound limit: ${concurRatePerMinute} Concur calls a minute`);
  const gateway = await startLocalGateway({
    port: 0,
    concurRatePerMinute,
    concurRatePerHour: 60 * concurRatePerMinute,
    // Likewise the demo supplier's own rate (20 requests a second by default).
    supplierRatePerSecond: 10_000,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-bench-')),
    simulatorPort: 0,
    accessLog: () => {},
  });
  const simulator = gateway.simulator!;
  const put = (confirmationNumber: string, n: number) =>
    fetch(`${gateway.url}/v1/companies/demo-company/bookings/${confirmationNumber}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${gateway.demoApiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ booking: carBooking(n), traveler: { loginId: 'cm@example.com' } }),
    }).then(async (r) => {
      if (r.status >= 300) throw new Error(`PUT answered ${r.status}: ${await r.text()}`);
      await r.text();
    });
  const direct = (n: number) =>
    fetch(`${simulator.url}/api/travel/booking/v1.1?userid_type=login_id&userid_value=cm%40example.com`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${simulator.tokens.accessTokenFor()}`,
        'content-type': 'application/xml',
      },
      body: Buffer.from(
        buildConcurXml({
          booking: { bookingSource: 'DemoSupplier', recordLocator: `DIRECT-${n}`, ...carBooking(n) } as never,
        }),
      ),
    }).then(async (r) => {
      await r.text();
    });
  try {
    await put('WARM-UP', 0);
    await direct(0);
    const gatewayCreates = await sampleLatency('gateway: PUT of a new booking (create)', 300, (i) =>
      put(`NEW-${i}`, i),
    );
    const gatewayUpdates = await sampleLatency('gateway: PUT of an existing booking (update)', 300, () =>
      put('NEW-0', 0),
    );
    const directPosts = await sampleLatency('simulator directly: POST of the same booking XML', 300, (i) =>
      direct(i),
    );
    reportLatency('booking PUT latency, sequential, loopback, same run', [
      gatewayCreates,
      gatewayUpdates,
      directPosts,
    ]);

    const rows: ThroughputSummary[] = [];
    for (const clients of CONCURRENCY) {
      // Each client's booking exists before the run: every timed PUT is an update.
      for (let c = 0; c < clients; c++) await put(`CLIENT-${c}`, 100 + c);
      rows.push(
        await sampleConcurrent('gateway: PUT (update)', clients, CALLS_PER_LEVEL, (c) =>
          put(`CLIENT-${c}`, 100 + c),
        ),
      );
      rows.push(
        await sampleConcurrent('simulator directly: POST', clients, CALLS_PER_LEVEL, (c) => direct(100 + c)),
      );
    }
    reportThroughput('booking updates under concurrency, loopback, same run', rows);

    // Averaged over 50 PUTs: the outbound limiter writes once per batch of slots (at most one batch per second
    // per container at this pace), not once per call; the booking's own calls are counted apart from it.
    const COUNTED_PUTS = 50;
    for (const [label, confirmation] of [
      ['warm PUT, new booking', (n: number) => `COUNT-NEW-${n}`],
      ['warm PUT, existing booking', () => 'COUNT-EXISTING'],
    ] as const) {
      await put(confirmation(0), 1);
      const concurBefore = simulator.requests.entries.length;
      // The AWS calls: requests the SDK sends to dynalite and to the local Secrets Manager.
      const aws = recordAwsRequests({
        dynamodb: process.env.AWS_ENDPOINT_URL_DYNAMODB!,
        secrets: process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER!,
      });
      for (let n = 1; n <= COUNTED_PUTS; n++) await put(confirmation(n), n);
      aws.stop();
      const perPut = (total: number) => (total / COUNTED_PUTS).toFixed(2);
      const concurCalls = simulator.requests.entries.length - concurBefore;
      const dynamodb = aws.requests.filter((request) => request.service === 'dynamodb');
      // The limiters' writes are told apart by their items (pk RATE#… and RATE-HOUR#… outbound, SUPPLIER-RATE#… the
      // supplier's).
      const limiter = dynamodb.filter((request) => /"RATE(-HOUR)?#/.test(request.body));
      const supplierLimit = dynamodb.filter((request) => request.body.includes('"SUPPLIER-RATE#'));
      const secrets = aws.requests.length - dynamodb.length;
      const targets = new Map<string, number>();
      for (const { target } of aws.requests) targets.set(target, (targets.get(target) ?? 0) + 1);
      const detail = [...targets].map(([t, n]) => `${t.replace(/^.*\./, '')} ${perPut(n)}`).join(', ');
      console.log(
        `  ${label}, per PUT over ${COUNTED_PUTS}: ${perPut(concurCalls)} Concur call(s), ${perPut(dynamodb.length)} DynamoDB calls (the booking's ${perPut(dynamodb.length - limiter.length - supplierLimit.length)}, the outbound limiter's ${perPut(limiter.length)}, the supplier limit's ${perPut(supplierLimit.length)}), ${perPut(secrets)} Secrets Manager calls (${detail})`,
      );
    }
  } finally {
    await gateway.close();
  }
}
