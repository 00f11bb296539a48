/**
 * The gateway's own metrics as the functions publish them: EMF lines on stdout (Powertools Metrics), read back
 * here. A whole local gateway (handlers, dynalite, local Secrets Manager, local queue and processor, the
 * simulator over HTTP) for Concur calls, token refreshes and events; the limiter on dynalite with a clock.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DynamoRateLimiter } from '../../shared/adapters/dynamodb/rate-window';
import { administration } from '../../shared/composition/administration';
import { resetServices } from '../../shared/composition/container';
import { dynamoDbClient, stateTableName } from '../../shared/composition/dynamodb';
import { powertoolsMetrics } from '../../shared/observability/powertools-metrics';
import { awaitOperation, bookingEvent, postWebhook } from '../events/support';
import { api, bookingPath, carBooking, COMPANY, startTestGateway, TRAVELER } from '../gateway/support';
import { DEFAULT_APP_ID } from '../../shared/tokens';

const SECRET = `whsec_${Buffer.from('the-metrics-test-signing-secret').toString('base64')}`;
let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway({ events: { retryBaseSeconds: 1 } });
  await administration().configureWebhookSecrets('demo-supplier', [SECRET]);
}, 60_000);
afterAll(() => gateway?.close());

interface Emitted {
  name: string;
  value: number;
  unit: string;
  namespace: string;
  dimensions: Record<string, string>;
  line: string;
}

let lines: string[] = [];
beforeEach(() => {
  lines = [];
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
    lines.push(...String(chunk).split('\n'));
    return write(chunk, ...rest);
  }) as typeof process.stdout.write);
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Every EMF data point written since the test began. */
function emitted(): Emitted[] {
  const points: Emitted[] = [];
  for (const line of lines) {
    if (!line.includes('"_aws"')) continue;
    const document = JSON.parse(line) as Record<string, unknown> & {
      _aws: {
        CloudWatchMetrics: {
          Namespace: string;
          Dimensions: string[][];
          Metrics: { Name: string; Unit: string }[];
        }[];
      };
    };
    for (const directive of document._aws.CloudWatchMetrics) {
      const dimensions = Object.fromEntries(
        directive.Dimensions.flat().map((name) => [name, String(document[name])]),
      );
      for (const metric of directive.Metrics)
        points.push({
          name: metric.Name,
          value: Number(document[metric.Name]),
          unit: metric.Unit,
          namespace: directive.Namespace,
          dimensions,
          line,
        });
    }
  }
  return points;
}

const named = (name: string) => emitted().filter((point) => point.name === name);

const put = (confirmationNumber: string) =>
  api(gateway, gateway.apiKey).put(bookingPath(confirmationNumber), {
    booking: carBooking({}, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });

/** No metric names a company, supplier or traveler, in a dimension or anywhere in its line. */
function expectNoIdentities(): void {
  const points = emitted();
  expect(points.length).toBeGreaterThan(0);
  for (const point of points) {
    for (const id of [COMPANY, 'demo-supplier', 'DemoSupplier', TRAVELER])
      expect(point.line).not.toContain(id);
    expect(Object.keys(point.dimensions).sort()).toEqual(expect.arrayContaining(['service']));
    for (const dimension of Object.keys(point.dimensions))
      expect(['service', 'operation', 'status']).toContain(dimension);
  }
}

describe('Concur calls', () => {
  it('publish their latency by operation and status class, and errors by status class', async () => {
    expect((await put('MET-1')).status).toBe(201);
    const latency = named('ConcurLatency');
    expect(latency).toContainEqual(
      expect.objectContaining({
        unit: 'Milliseconds',
        namespace: 'ConcurGateway',
        dimensions: { service: 'concur-gateway', operation: 'postBooking', status: '2xx' },
      }),
    );
    expect(latency.every((point) => point.value >= 0)).toBe(true);
    expect(named('ConcurErrors')).toEqual([]);

    gateway.simulator!.faults.failNext('bookingPost', { kind: 'status', status: 400 });
    expect((await put('MET-2')).status).toBeGreaterThanOrEqual(400);
    expect(named('ConcurErrors')).toContainEqual(
      expect.objectContaining({
        value: 1,
        unit: 'Count',
        dimensions: { service: 'concur-gateway', operation: 'postBooking', status: '4xx' },
      }),
    );
    expect(named('ConcurLatency')).toContainEqual(
      expect.objectContaining({
        dimensions: expect.objectContaining({ operation: 'postBooking', status: '4xx' }),
      }),
    );
    expectNoIdentities();
  });
});

describe('events', () => {
  it('count the applied and the parked ones', async () => {
    const deliver = async (confirmationNumber: string) => {
      const payload = bookingEvent(confirmationNumber, {
        companyId: COMPANY,
        booking: carBooking({}, { confirmationNumber }),
        traveler: { loginId: TRAVELER },
      });
      const answer = await postWebhook(gateway, 'demo-supplier', payload, { secrets: [SECRET] });
      expect(answer.status).toBe(202);
      return (await awaitOperation(gateway, gateway.apiKey, answer.body.operation.href)).body.operation
        .status;
    };
    // The processor publishes a batch's metrics once the batch is done, after its operations read as ended.
    const published = { timeout: 10_000 };
    expect(await deliver('MET-EV-1')).toBe('succeeded');
    await expect
      .poll(() => named('EventsApplied'), published)
      .toEqual([expect.objectContaining({ value: 1, unit: 'Count' })]);
    gateway.simulator!.faults.failNext('bookingPost', { kind: 'status', status: 400 });
    expect(await deliver('MET-EV-2')).toBe('parked');
    await expect
      .poll(() => named('EventsParked'), published)
      .toEqual([expect.objectContaining({ value: 1, unit: 'Count' })]);
    expect(named('EventsApplied')).toHaveLength(1);
    expect(named('EventsSkipped')).toEqual([]);
    expectNoIdentities();
  });
});

describe('the metrics port', () => {
  it("publishes each data point with its own dimensions only, never an earlier point's", () => {
    const metrics = powertoolsMetrics({ namespace: 'ConcurGateway/test', serviceName: 'concur-gateway' });
    metrics.count('PortProbe', 1, { operation: 'postBooking', status: '2xx' });
    metrics.time('PortProbeTime', 12.4);
    metrics.count('PortProbe', 2, { status: '5xx' });
    expect(emitted().filter((point) => point.name.startsWith('PortProbe'))).toEqual([
      expect.objectContaining({
        name: 'PortProbe',
        value: 1,
        dimensions: { service: 'concur-gateway', operation: 'postBooking', status: '2xx' },
      }),
      expect.objectContaining({
        name: 'PortProbeTime',
        value: 12,
        unit: 'Milliseconds',
        dimensions: { service: 'concur-gateway' },
      }),
      expect.objectContaining({
        name: 'PortProbe',
        value: 2,
        dimensions: { service: 'concur-gateway', status: '5xx' },
      }),
    ]);
  });
});

describe('the outbound limiter', () => {
  it('counts the requests that waited for a slot, how long, and those that found none in time', async () => {
    let now = Date.UTC(2030, 0, 1, 0, 0, 0, 500);
    const clock = { now: () => now };
    const sleep = async (ms: number) => {
      now += ms;
    };
    const limiter = (maxWaitMs: number) =>
      new DynamoRateLimiter({
        client: dynamoDbClient(),
        tableName: stateTableName(),
        limitsOf: () => ({ perMinute: 60 }),
        maxWaitMs,
        clock,
        sleep,
        metrics: powertoolsMetrics({ namespace: 'ConcurGateway/test', serviceName: 'concur-gateway' }),
      });
    const patient = limiter(5_000);
    await patient.acquire('https://metrics.example');
    expect(named('ConcurLimiterWaits')).toEqual([]);
    await patient.acquire('https://metrics.example');
    expect(named('ConcurLimiterWaits')).toEqual([
      expect.objectContaining({ value: 1, namespace: 'ConcurGateway/test' }),
    ]);
    const [waited] = named('ConcurLimiterWaitTime');
    expect(waited).toMatchObject({ unit: 'Milliseconds' });
    expect(waited!.value).toBeGreaterThanOrEqual(500);
    expect(waited!.value).toBeLessThan(600);

    await expect(limiter(100).acquire('https://metrics.example')).rejects.toThrow(/rate limit/);
    expect(named('ConcurLimiterRejections')).toEqual([expect.objectContaining({ value: 1 })]);
  });
});

// Last: it leaves the company with a refresh token Concur refuses.
describe('token refreshes', () => {
  it('count every refresh, and the failed ones by status class', async () => {
    const simulator = gateway.simulator!;
    const admin = administration();
    const current = await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: COMPANY });
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      {
        ...current,
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    );
    resetServices();
    expect((await put('MET-REFRESH')).status).toBe(201);
    expect(named('ConcurTokenRefreshes')).toEqual([expect.objectContaining({ value: 1, unit: 'Count' })]);
    expect(named('ConcurTokenRefreshFailures')).toEqual([]);

    const refreshed = await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: COMPANY });
    simulator.faults.revokeRefreshToken(refreshed.refreshToken);
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      {
        ...refreshed,
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    );
    resetServices();
    expect((await put('MET-REVOKED')).status).toBeGreaterThanOrEqual(500);
    // The provider tries again once (the refresh may have been lost on the way): every try is counted.
    const tries = named('ConcurTokenRefreshes').length - 1;
    expect(tries).toBeGreaterThanOrEqual(1);
    const failures = named('ConcurTokenRefreshFailures');
    expect(failures).toHaveLength(tries);
    for (const failure of failures)
      expect(failure).toMatchObject({ value: 1, dimensions: { service: 'concur-gateway', status: '4xx' } });
    expectNoIdentities();
  });
});
