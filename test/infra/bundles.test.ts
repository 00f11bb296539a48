/**
 * What ships is what is tested: every function of the synthesized app, from its bundle in the cloud assembly,
 * in a fresh Node process with the environment the stack gives it, behind the local server (which turns each
 * request into the API Gateway v2 event AWS would send), against dynalite, the local Secrets Manager and the
 * simulator.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import type { LambdaHandler } from '../../local/server/lambda-http-server';
import { DOCS_ASSET_NAMES } from '../../shared/http/docs-page';
import {
  BUNDLED_CONSOLE_ASSETS_DIR,
  CONSOLE_ASSET_CACHE,
  CONSOLE_CSP,
  CONSOLE_SOURCE_DIR,
  CONSOLE_SOURCE_NAMES,
  consoleAssetName,
} from '../../shared/console/console-page';
import { routes } from '../../shared/http/routes';
import { DEFAULT_APP_ID, DEFAULT_SECRET_PREFIX } from '../../shared/tokens/company-credentials';
import { administration } from '../../shared/composition/administration';
import type { FunctionName } from '../../shared/http/route-definition';
import { api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';
import { awaitOperation } from '../events/support';
import { dynamoDbClient, stateTableName, supplierDirectory } from '../../shared/composition/dynamodb';
import { changeNoticeModes } from '../../shared/composition/change-notices';
import { commandOf, parseEnvelope } from '../../shared/events/envelope';
import { operationIdOf } from '../../shared/events/ingress';
import { DynamoOperations } from '../../shared/events/operations';
import type { Context } from 'aws-lambda';
import { localEnvironment, startBundle, synthesizeGateway } from '../support/lambda-bundles';
import { startFunctionUrl } from '../support/function-url';
import { startForwarder } from '../support/dynalite';
import type { FunctionUrlStandIn } from '../support/function-url';
import { sandboxCompanyId } from '../../shared/sandbox';
import { SANDBOX_STATE_PARTITION_PREFIX } from '../../shared/adapters/dynamodb/versioned-documents';
import { documentClient } from '../../shared/adapters/dynamodb/document-client';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { startReceiver, verifiedWebhook } from '../webhooks-out/support';
import type { Receiver } from '../webhooks-out/support';
import type { BundledFunction, RunningBundle, SynthesizedGateway } from '../support/lambda-bundles';

let synthesized: SynthesizedGateway;
let gateway: LocalGateway;
/** The hosted sandbox's function URL: its bundle behind a stand-in that admits only signed requests. */
let sandboxUrl: FunctionUrlStandIn;
const running = new Map<string, RunningBundle>();
const invoked = new Set<string>();
/** What the hosted sandbox's function URL was asked, `METHOD path?query`, in order. */
const sandboxRequests: string[] = [];

/**
 * The bundle of an assembly function, started on first use with the local environment (and `extraEnv`, e.g. what
 * Lambda sets for tracing).
 */
async function bundleOf(fn: BundledFunction, extraEnv: Record<string, string> = {}): Promise<RunningBundle> {
  let bundle = running.get(fn.logicalId);
  if (!bundle) {
    const aws = Object.fromEntries(
      [
        'AWS_REGION',
        'AWS_ACCESS_KEY_ID',
        'AWS_SECRET_ACCESS_KEY',
        'AWS_ENDPOINT_URL_DYNAMODB',
        'AWS_ENDPOINT_URL_SECRETS_MANAGER',
        'AWS_ENDPOINT_URL_SQS',
        // The local server's one relaxation: webhook endpoints on this machine (http://127.0.0.1:…).
        'WEBHOOK_ALLOW_LOOPBACK',
        // The simulator signs its ESS deliveries with its own key, which the local server configures.
        'CONCUR_ESS_PUBLIC_KEYS',
      ].map((name) => [name, process.env[name] ?? '']),
    );
    // What the local gateway set up, in the names it put in process.env.
    const resources = {
      state: process.env.STATE_TABLE_NAME!,
      idempotency: process.env.IDEMPOTENCY_TABLE_NAME!,
      eventsQueue: process.env.EVENTS_QUEUE_URL!,
      deliveriesQueue: process.env.DELIVERIES_QUEUE_URL!,
      changeNoticesQueue: process.env.CHANGE_NOTICES_QUEUE_URL!,
      apiUrl: process.env.API_BASE_URL!,
      sandboxUrl: sandboxUrl.url,
    };
    const secretPrefix = process.env.SECRET_PREFIX || DEFAULT_SECRET_PREFIX;
    bundle = await startBundle(fn, {
      ...localEnvironment(fn, synthesized, { resources, secretPrefix, aws }),
      ...extraEnv,
    });
    running.set(fn.logicalId, bundle);
  }
  return bundle;
}

/** The route table's function name of an assembly function, from the routes the API integrates with it. */
function functionNameOf(fn: BundledFunction): FunctionName {
  const names = new Set(
    fn.routeKeys.map((key) => routes.find((route) => `${route.method} ${route.path}` === key)?.function),
  );
  expect([...names], `${fn.logicalId} serves routes of one function of the route table`).toHaveLength(1);
  return [...names][0]!;
}

/** The bookings function of the assembly. */
const bookingsFunction = () =>
  synthesized.functions.find((fn) => fn.routeKeys.length > 0 && functionNameOf(fn) === 'bookings')!;

/** Stops a function's running bundle: its next use starts it afresh, with the local environment. */
async function stopBundle(fn: BundledFunction): Promise<void> {
  await running.get(fn.logicalId)?.close();
  running.delete(fn.logicalId);
}

/** What a scheduled function is invoked with: the schedule's event, and the function's context. */
function scheduledInvocation(name: string, requestId: string, remainingMs: number) {
  const functionName = `concur-gateway-bundles-${name}`;
  return {
    event: {
      version: '0',
      id: requestId,
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: new Date().toISOString(),
      resources: [],
      detail: {},
    },
    context: {
      functionName,
      awsRequestId: requestId,
      invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
      memoryLimitInMB: '512',
      getRemainingTimeInMillis: () => remainingMs,
    } as unknown as Context,
  };
}

/**
 * A demo supplier's booking in `month` of 2030, whose trip the traveler then cancels in Concur; `receiver` is
 * the supplier's endpoint for `booking.cancelled_in_concur`. Answers the endpoint's secret and the trip's id.
 */
async function bookingCancelledInConcur(confirmationNumber: string, month: string, receiver: Receiver) {
  const client = api(gateway, gateway.demoApiKey);
  const created = await client.post('/v1/webhook-endpoints', {
    url: receiver.url,
    eventTypes: ['booking.cancelled_in_concur'],
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const { secret } = created.body.endpoint as { secret: string };
  const put = await client.put(bookingPath(confirmationNumber), {
    booking: carBooking(
      {},
      { startDateLocal: `2030-${month}-10T12:00:00`, endDateLocal: `2030-${month}-12T12:00:00` },
    ),
    traveler: { loginId: TRAVELER },
  });
  expect(put.status, JSON.stringify(put.body)).toBe(201);
  const tripId = put.body.booking.tripId as string;
  const cancel = await fetch(
    `${gateway.simulator!.url}/_sim/trips/${encodeURIComponent(tripId)}/traveler-cancel`,
    { method: 'POST' },
  );
  expect(cancel.status).toBe(200);
  return { secret, tripId };
}

beforeAll(async () => {
  synthesized = synthesizeGateway();
  const sandbox = synthesized.functions.find((fn) => fn.logicalId.startsWith('sandboxFunction'))!;
  sandboxUrl = await startFunctionUrl(
    async (event, context) => {
      invoked.add(sandbox.logicalId);
      sandboxRequests.push(`${event.requestContext.http.method} ${event.rawPath}?${event.rawQueryString}`);
      return (await bundleOf(sandbox)).invoke(event as never, context) as never;
    },
    // The local credentials the local gateway sets up: the bundles sign with them as with their roles.
    () => ({
      accessKeyId: process.env.AWS_ACCESS_KEY_ID!,
      secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY!,
      region: process.env.AWS_REGION!,
    }),
  );
  const handlers = {} as Record<FunctionName, LambdaHandler>;
  for (const fn of synthesized.functions.filter((f) => f.routeKeys.length > 0)) {
    const name = functionNameOf(fn);
    handlers[name] = async (event, context) => {
      invoked.add(fn.logicalId);
      return (await bundleOf(fn)).invoke(event, context);
    };
  }
  // The webhook sender's bundle consumes the local deliveries queue.
  const sender = synthesized.functions.find((fn) => fn.logicalId.startsWith('deliveriesFunction'))!;
  // The change applier's bundle consumes the local change notices queue.
  const applier = synthesized.functions.find((fn) => fn.logicalId.startsWith('changeApplierFunction'))!;
  gateway = await startLocalGateway({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-bundles-data-')),
    simulatorPort: 0,
    handlers,
    deliveriesHandler: async (event, context) => {
      invoked.add(sender.logicalId);
      return (await bundleOf(sender)).invoke(event as never, context) as never;
    },
    changeNoticesHandler: async (event, context) => {
      invoked.add(applier.logicalId);
      return (await bundleOf(applier)).invoke(event as never, context) as never;
    },
  });
  // The bursts below go beyond a supplier's default 20 requests a second (the stack's SUPPLIER_RATE_PER_SECOND);
  // the demo supplier's own rate lets them through, read by the bundles from its record.
  await supplierDirectory().setRate('demo-supplier', 1_000);
}, 300_000);

afterAll(async () => {
  for (const bundle of running.values()) await bundle.close();
  await gateway?.close();
  await sandboxUrl?.close();
});

describe('the Lambda bundles of the synthesized app', () => {
  it('cover every route of the route table, each served by the function the table names', () => {
    const served = synthesized.functions.flatMap((fn) => fn.routeKeys);
    expect(served.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('each load in a fresh Node process and export the handler their Handler setting names', async () => {
    expect(synthesized.functions.length).toBeGreaterThan(0);
    for (const fn of synthesized.functions) {
      const bundle = await bundleOf(fn);
      expect(bundle.handlerType, fn.logicalId).toBe('function');
    }
  }, 120_000);

  it('each carry what they read at run time, minified, without zod’s locales, with a source map of names only', () => {
    for (const fn of synthesized.functions) {
      const code = readFileSync(fn.file, 'utf8');
      // Minified: the project's own function names are gone.
      for (const name of ['parseJsonBody', 'routeRequest']) expect(code, fn.logicalId).not.toContain(name);
      // Every locale of zod has its own error messages; English alone is "Invalid input". The minifier writes
      // text outside ASCII as escapes: German's "Ungültige Eingabe" is in a bundle as "Ung\xFCltige Eingabe".
      expect(code, fn.logicalId).toContain('Invalid input');
      expect(code, fn.logicalId).not.toMatch(/Ung(ü|\\xFC)ltige Eingabe/i);
      // A source map for the stacks of logged errors: the project's files by name, without their text, which
      // only makes the map bigger to read.
      const map = JSON.parse(readFileSync(`${fn.file}.map`, 'utf8')) as {
        sources: string[];
        sourcesContent?: unknown;
      };
      expect(
        map.sources.some((source) => /(^|\/)shared\/.+\.ts$/.test(source)),
        fn.logicalId,
      ).toBe(true);
      expect(map.sourcesContent, fn.logicalId).toBeUndefined();
      // The answer schemas only document the API: the function serving the OpenAPI document builds them, no
      // other function pays for them at its cold start.
      const answerSchemas = map.sources.some((source) => source.endsWith('shared/gateway/api-responses.ts'));
      expect(answerSchemas, fn.logicalId).toBe(fn.routeKeys.includes('GET /openapi.json'));
    }
  });

  it('each carry their own routes and no other function’s, but the one serving the OpenAPI document, which describes them all', () => {
    for (const fn of synthesized.functions) {
      const code = readFileSync(fn.file, 'utf8');
      const describesAll = fn.routeKeys.includes('GET /openapi.json');
      for (const route of routes) {
        const own = fn.routeKeys.includes(`${route.method} ${route.path}`);
        // A route's entry as the minifier writes it: properties keep their names, strings their text. A
        // function's own routes are found so, which keeps the search honest.
        const carried = [`path:"${route.path}"`, `operationId:"${route.operationId}"`].map((entry) =>
          code.includes(entry),
        );
        expect(carried, `${fn.logicalId}: ${route.operationId}`).toEqual([
          own || describesAll,
          own || describesAll,
        ]);
      }
    }
  });
});

describe('the hosted sandbox’s bundle', () => {
  const SANDBOX = sandboxCompanyId('demo-supplier');
  const sandboxFunction = () =>
    synthesized.functions.find((fn) => fn.logicalId.startsWith('sandboxFunction'))!;

  it('serves a test key’s booking made through the bookings bundle, its state in the state table kept across a cold start', async () => {
    const client = api(gateway, gateway.demoTestApiKey);
    const calls = gateway.simulator!.requests.entries.length;
    const created = await client.put(bookingPath('HOSTED-1', SANDBOX), {
      booking: carBooking({}, { confirmationNumber: 'HOSTED-1' }),
      traveler: { loginId: TRAVELER },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.livemode).toBe(false);
    const tripId = created.body.booking.tripId as string;
    expect(invoked.has(sandboxFunction().logicalId)).toBe(true);
    // Not the local simulator: the test key's calls went to the hosted sandbox, each signed.
    expect(gateway.simulator!.requests.entries.slice(calls).map((entry) => entry.path)).toEqual([]);
    expect(sandboxUrl.refused).toBe(0);
    const item = await documentClient(dynamoDbClient()).send(
      new GetCommand({
        TableName: stateTableName(),
        Key: { pk: `${SANDBOX_STATE_PARTITION_PREFIX}${SANDBOX}`, sk: 'STATE' },
      }),
    );
    expect(item.Item?.version).toBeGreaterThanOrEqual(1);

    // A new instance of the sandbox function reads the company's trips back from the table.
    await stopBundle(sandboxFunction());
    const cancelled = await client.post(`${bookingPath('HOSTED-1', SANDBOX)}/cancel`, {});
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.booking.tripId).toBe(tripId);
    const trips = await client.get(`/v1/companies/${SANDBOX}/trips`);
    expect(trips.status, JSON.stringify(trips.body)).toBe(200);
    expect(JSON.stringify(trips.body)).toContain(tripId);
    // The live key sees none of it.
    const live = await api(gateway, gateway.demoApiKey).get(bookingPath('HOSTED-1', SANDBOX));
    expect(live.status).toBe(403);
  }, 60_000);

  it('takes a test key’s faults and a trip booked elsewhere through the trips bundle on its company’s path alone: its next bookings meet them, a live key is refused', async () => {
    const client = api(gateway, gateway.demoTestApiKey);
    const asked = sandboxRequests.length;
    const storm = { errorRates: [{ route: 'bookingPost', status: 503, rate: 1 }] };
    const set = await client.put('/v1/sandbox/faults', storm);
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect(set.body.faults.errorRates).toEqual(storm.errorRates);
    expect(sandboxRequests.slice(asked)).toEqual([
      `PUT /companies/${SANDBOX}/_sim/faults?companyId=${SANDBOX}`,
    ]);
    // Kept in the company's state: a cold sandbox instance still storms the company's booking posts.
    await stopBundle(sandboxFunction());
    const stormed = await client.put(bookingPath('HOSTED-STORM', SANDBOX), {
      booking: carBooking({}, { confirmationNumber: 'HOSTED-STORM' }),
      traveler: { loginId: TRAVELER },
    });
    expect(stormed.status, JSON.stringify(stormed.body)).toBe(503);
    expect(stormed.body).toMatchObject({ type: 'urn:concur-gateway:problem:concur-unavailable' });

    const refused = await api(gateway, gateway.demoApiKey).delete('/v1/sandbox/faults');
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe('urn:concur-gateway:problem:test-mode-only');
    expect((await client.get('/v1/sandbox/faults')).body.faults.errorRates).toEqual(storm.errorRates);
    expect((await client.delete('/v1/sandbox/faults')).status).toBe(204);
    const booked = await client.put(bookingPath('HOSTED-STORM', SANDBOX), {
      booking: carBooking({}, { confirmationNumber: 'HOSTED-STORM' }),
      traveler: { loginId: TRAVELER },
    });
    expect(booked.status, JSON.stringify(booked.body)).toBe(201);
    expect(sandboxUrl.refused).toBe(0);

    // A merged trip: a trip booked elsewhere, at the company's own path, takes the next booking within its dates.
    const before = sandboxRequests.length;
    const agency = await client.post('/v1/sandbox/trips', {
      traveler: { loginId: TRAVELER },
      startDateLocal: '2027-09-01T09:00:00',
      endDateLocal: '2027-09-10T09:00:00',
    });
    expect(agency.status, JSON.stringify(agency.body)).toBe(201);
    expect(sandboxRequests.slice(before)).toEqual([`POST /companies/${SANDBOX}/_sim/trips?`]);
    const joined = await client.put(bookingPath('HOSTED-JOINS', SANDBOX), {
      booking: carBooking(
        {},
        {
          confirmationNumber: 'HOSTED-JOINS',
          startDateLocal: '2027-09-02T12:00:00',
          endDateLocal: '2027-09-04T12:00:00',
        },
      ),
      traveler: { loginId: TRAVELER },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    expect(joined.body.booking.tripId).toBe(agency.body.trip.tripId);
  }, 120_000);

  it('refuses a request not signed by a principal the stack lets invoke it, and serves only sandbox companies', async () => {
    const refused = sandboxUrl.refused;
    const unsigned = await fetch(`${sandboxUrl.url}companies/${SANDBOX}/_sim/state`);
    expect(unsigned.status).toBe(403);
    expect(sandboxUrl.refused).toBe(refused + 1);
  });
});

describe('the sweeper’s bundle', () => {
  it('queues again, on its scheduled invocation, an operation whose message was lost, which then succeeds', async () => {
    const sweeper = synthesized.functions.find((fn) => fn.logicalId.startsWith('sweeperFunction'))!;
    expect(sweeper, 'the sweeper function').toBeDefined();
    const event = {
      type: 'booking.upserted',
      timestamp: '2027-01-10T10:00:00Z',
      data: {
        companyId: COMPANY,
        confirmationNumber: 'BUNDLE-SWEPT',
        booking: carBooking({}, { confirmationNumber: 'BUNDLE-SWEPT' }),
        traveler: { loginId: TRAVELER },
      },
    };
    const id = operationIdOf('demo-supplier', 'webhook', 'msg_bundle_swept');
    // Recorded and queued an hour ago, and its message gone.
    const anHourAgo = new DynamoOperations({
      client: dynamoDbClient(),
      tableName: stateTableName(),
      clock: { now: () => Date.now() - 60 * 60_000 },
    });
    await anHourAgo.create({
      id,
      supplierId: 'demo-supplier',
      trigger: 'webhook',
      eventId: 'msg_bundle_swept',
      type: event.type,
      command: commandOf(parseEnvelope(event)),
      status: 'accepted',
    });
    await anHourAgo.markQueued(id);
    const { event: scheduled, context } = scheduledInvocation('sweeper', 'sweep-1', 60_000);
    const bundle = await bundleOf(sweeper);
    const result = (await bundle.invoke(scheduled as never, context)) as unknown as { requeued: number };
    expect(result.requeued, bundle.output()).toBeGreaterThanOrEqual(1);
    const done = await awaitOperation(gateway, gateway.demoApiKey!, `${gateway.url}/v1/operations/${id}`);
    expect(done.body.operation).toMatchObject({ status: 'succeeded', result: { status: 201 } });
  });
});

describe('the keep-alive’s bundle', () => {
  it('refreshes, on its scheduled invocation, a connection not refreshed for 7 days', async () => {
    const keepAlive = synthesized.functions.find((fn) => fn.logicalId.startsWith('keepaliveFunction'))!;
    expect(keepAlive, 'the keep-alive function').toBeDefined();
    const connection = { appId: DEFAULT_APP_ID, companyId: COMPANY };
    const tokens = await administration().readConnection(connection);
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await administration().configureConnection(connection, { ...tokens, refreshedAt: tenDaysAgo });
    const refreshes = gateway.simulator!.requests.of('token').length;
    const { event: scheduled, context } = scheduledInvocation('keepalive', 'keep-alive-1', 600_000);
    const bundle = await bundleOf(keepAlive);
    const result = (await bundle.invoke(scheduled as never, context)) as unknown as Record<string, number>;
    expect(result, bundle.output()).toMatchObject({ refreshed: 1, refused: 0, failed: 0, stale: 0 });
    expect(gateway.simulator!.requests.of('token')).toHaveLength(refreshes + 1);
    const after = await administration().readConnection(connection);
    expect(Date.parse(after.refreshedAt!)).toBeGreaterThan(Date.parse(tenDaysAgo));
    expect(after.accessToken).not.toBe(tokens.accessToken);
  });
});

describe('the meta function’s bundle', () => {
  it('answers /health, /openapi.json and /docs', async () => {
    const client = api(gateway);
    expect(await client.get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    const openapi = await client.get('/openapi.json');
    expect(openapi.status).toBe(200);
    expect(openapi.body.openapi).toMatch(/^3\.1/);
    expect(Object.keys(openapi.body.paths).length).toBe(new Set(routes.map((route) => route.path)).size);
    const docs = await client.get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    for (const asset of DOCS_ASSET_NAMES) expect(docs.body).toContain(`/docs/assets/${asset}`);
  });

  it.each(DOCS_ASSET_NAMES)('serves /docs/assets/%s, byte for byte swagger-ui-dist’s file', async (asset) => {
    const response = await fetch(`${gateway.url}/docs/assets/${asset}`);
    expect(response.status).toBe(200);
    const swaggerUi = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
    expect(Buffer.from(await response.arrayBuffer()).equals(readFileSync(join(swaggerUi, asset)))).toBe(true);
  });
});

describe('the console, from the meta function’s bundle alone', () => {
  it('serves the page and its hashed files, byte for byte the repository’s, under the console’s policy', async () => {
    const page = await fetch(`${gateway.url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    const html = await page.text();
    for (const source of CONSOLE_SOURCE_NAMES) {
      const name = consoleAssetName(source);
      expect(html).toContain(`/console/assets/${name}`);
      const asset = await fetch(`${gateway.url}/console/assets/${name}`);
      expect(asset.status, name).toBe(200);
      expect(asset.headers.get('cache-control')).toBe(CONSOLE_ASSET_CACHE);
      expect(
        Buffer.from(await asset.arrayBuffer()).equals(readFileSync(join(CONSOLE_SOURCE_DIR, source))),
      ).toBe(true);
    }
    // Only the function serving it carries it: every other bundle is the size it was without it.
    for (const fn of synthesized.functions) {
      expect(existsSync(join(fn.directory, BUNDLED_CONSOLE_ASSETS_DIR)), fn.logicalId).toBe(
        fn.routeKeys.includes('GET /console'),
      );
      // Nor does any other bundle name the console's routes (a function's bundle carries its own routes only).
      const code = readFileSync(fn.file, 'utf8');
      for (const text of ['Supplier console', '/console', 'consoleAsset'])
        expect(code.includes(text), `${fn.logicalId}: ${text}`).toBe(fn.routeKeys.includes('GET /console'));
    }
  });
});

describe('the supplier functions’ bundles', () => {
  it('create a booking at Concur (PUT), read it back (GET) and list its trip', async () => {
    const client = api(gateway, gateway.demoApiKey);
    const created = await client.put(bookingPath('BUNDLE-1'), {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const tripId = created.body.booking.tripId as string;
    expect(gateway.simulator!.state.trips().map((trip) => trip.id)).toContain(tripId);

    const read = await client.get(bookingPath('BUNDLE-1'));
    expect(read).toMatchObject({ status: 200, body: { booking: { tripId, status: 'active' } } });

    const list = await client.get(`/v1/companies/${COMPANY}/trips`);
    expect(list.status, JSON.stringify(list.body)).toBe(200);
    expect(JSON.stringify(list.body)).toContain(tripId);

    // The activity function's bundle lists it and reads the history the bookings function's bundle wrote.
    const bookings = await client.get('/v1/bookings?confirmationNumber=BUNDLE-1');
    expect(bookings.status, JSON.stringify(bookings.body)).toBe(200);
    expect(bookings.body.bookings).toMatchObject([{ confirmationNumber: 'BUNDLE-1', tripId }]);
    const history = await client.get(`${bookingPath('BUNDLE-1')}/history`);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.history).toMatchObject([
      {
        action: 'created',
        version: 1,
        actor: { kind: 'api', requestId: created.headers.get('x-request-id') },
      },
    ]);
  });

  it('accept a booking under Prefer: respond-async (202), whose operation the events function answers', async () => {
    const client = api(gateway, gateway.demoApiKey);
    const accepted = await client.put(
      bookingPath('BUNDLE-ASYNC'),
      { booking: carBooking({}, { confirmationNumber: 'BUNDLE-ASYNC' }), traveler: { loginId: TRAVELER } },
      { prefer: 'respond-async' },
    );
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(202);
    expect(accepted.headers.get('preference-applied')).toBe('respond-async');
    const done = await awaitOperation(gateway, gateway.demoApiKey!, accepted.body.operation.href);
    expect(done.body.operation).toMatchObject({
      status: 'succeeded',
      type: 'putBooking',
      result: { status: 201 },
    });
  });

  it('refuse a body nested 10,000 levels deep with 400 on every write route, also under Prefer: respond-async', async () => {
    const deep = `{"booking":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    // Every route that takes a body (DELETE takes none).
    for (const route of routes.filter(
      (r) => r.method !== 'GET' && r.method !== 'DELETE' && r.authenticated,
    )) {
      const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === 'companyId' ? COMPANY : 'BUNDLE-DEEP',
      );
      for (const prefer of [{}, { prefer: 'respond-async' }] as Record<string, string>[]) {
        const call = api(gateway, gateway.demoApiKey);
        const send = route.method === 'PUT' ? call.put : route.method === 'PATCH' ? call.patch : call.post;
        const answer = await send(path, deep, prefer);
        expect(answer.status, `${route.method} ${path} ${JSON.stringify(prefer)}`).toBe(400);
        expect(answer.headers.get('content-type')).toBe('application/problem+json');
      }
    }
  });

  it('run a booking PUT once for 8 identical requests at once with one Idempotency-Key', async () => {
    const client = api(gateway, gateway.demoApiKey);
    const body = {
      booking: carBooking({}, { confirmationNumber: 'BUNDLE-IDEM' }),
      traveler: { loginId: TRAVELER },
    };
    const answers = await Promise.all(
      Array.from({ length: 8 }, () =>
        client.put(bookingPath('BUNDLE-IDEM'), body, { 'idempotency-key': 'bundle-idem' }),
      ),
    );
    expect(answers.map((a) => a.status).filter((s) => s !== 201 && s !== 409)).toEqual([]);
    expect(answers.filter((a) => a.status === 201 && !a.headers.get('idempotent-replayed'))).toHaveLength(1);
    const posts = gateway
      .simulator!.requests.of('bookingPost')
      .filter((entry) => entry.body.includes('BUNDLE-IDEM<'));
    expect(posts).toHaveLength(1);
  });

  it('register a webhook endpoint, whose ping the sender’s bundle delivers signed', async () => {
    const receiver = await startReceiver();
    try {
      const client = api(gateway, gateway.demoApiKey);
      const created = await client.post('/v1/webhook-endpoints', { url: receiver.url });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      const { id, secret } = created.body.endpoint as { id: string; secret: string };
      expect((await client.post(`/v1/webhook-endpoints/${id}/test`)).status).toBe(202);
      const [ping] = await receiver.waitFor(1, 60_000);
      expect(verifiedWebhook(secret, ping!)).toMatchObject({ type: 'ping' });
      const sender = synthesized.functions.find((fn) => fn.logicalId.startsWith('deliveriesFunction'))!;
      expect(invoked.has(sender.logicalId)).toBe(true);
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('receive an ESS event the traveler’s cancel causes, apply it, and tell the booking’s owner signed', async () => {
    const receiver = await startReceiver();
    // Subscribed for this test only: the other tests count Concur calls, and each event causes a trip read.
    const subscription = gateway.simulator!.ess.subscribe(`${gateway.url}/v1/concur/events`, {
      companyIds: [COMPANY],
    });
    // Its company takes ESS events for this test only; the poller's test polls it.
    await changeNoticeModes().setMode(COMPANY, 'ess');
    try {
      const { secret, tripId } = await bookingCancelledInConcur('BUNDLE-ESS', '02', receiver);
      const [told] = await receiver.waitFor(1, 60_000);
      expect(verifiedWebhook(secret, told!)).toMatchObject({
        type: 'booking.cancelled_in_concur',
        data: { confirmationNumber: 'BUNDLE-ESS', tripId },
      });
      for (const prefix of ['changesFunction', 'changeApplierFunction']) {
        const fn = synthesized.functions.find((candidate) => candidate.logicalId.startsWith(prefix))!;
        expect(invoked.has(fn.logicalId), prefix).toBe(true);
      }
    } finally {
      gateway.simulator!.ess.unsubscribe(subscription.id);
      await changeNoticeModes().setMode(COMPANY, 'poll');
      await receiver.close();
    }
  }, 120_000);

  it('poll, on the schedule’s invocation, the trips of a company without ESS, and tell the booking’s owner signed', async () => {
    const poller = synthesized.functions.find((fn) => fn.logicalId.startsWith('changePollerFunction'))!;
    expect(poller, 'the change poller function').toBeDefined();
    expect(poller.environment.CHANGE_POLL_INTERVAL).toBe('10m');
    const receiver = await startReceiver();
    try {
      const { secret, tripId } = await bookingCancelledInConcur('BUNDLE-POLL', '03', receiver);
      const lists = gateway.simulator!.requests.of('tripList').length;
      const { context } = scheduledInvocation('changePoller', 'change-poll-1', 300_000);
      const bundle = await bundleOf(poller);
      invoked.add(poller.logicalId);
      // EventBridge Scheduler invokes its target with the schedule's input, none here.
      const result = (await bundle.invoke({} as never, context)) as unknown as Record<string, number>;
      expect(result, bundle.output()).toMatchObject({ companies: 1, announced: 1, failed: 0 });
      expect(gateway.simulator!.requests.of('tripList').length).toBeGreaterThan(lists);
      const [told] = await receiver.waitFor(1, 60_000);
      expect(verifiedWebhook(secret, told!)).toMatchObject({
        type: 'booking.cancelled_in_concur',
        data: { confirmationNumber: 'BUNDLE-POLL', tripId },
      });
      // The same window again: every traveler was listed in it already.
      const again = (await bundle.invoke({} as never, context)) as unknown as Record<string, number>;
      expect(again).toMatchObject({ polled: 0, announced: 0, failed: 0 });
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('translate a booking into the XML Concur would get', async () => {
    const client = api(gateway, gateway.demoApiKey);
    const answer = await client.post('/v1/translate/booking?confirmationNumber=BUNDLE-DRY', {
      booking: carBooking(),
      traveler: { loginId: TRAVELER },
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.xml).toContain('<BookingSource>DemoSupplier</BookingSource>');
  });

  it('answer a request without an API key with problem+json, from every authenticated function', async () => {
    for (const route of routes.filter((r) => r.authenticated && r.method === 'GET')) {
      const path = route.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name === 'companyId' ? COMPANY : 'X1',
      );
      const answer = await api(gateway).get(path);
      expect(answer.status, path).toBe(401);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('trace as in Lambda: every AWS SDK call carries the invocation’s trace header, no Concur call does', async () => {
    // Lambda's active tracing records the function; the SDK passes the invocation's trace on to the services
    // it calls (SQS carries it to the processor), so the trace follows a booking across functions.
    const traceId = 'Root=1-6759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
    const seen: { path: string; trace: string | undefined }[] = [];
    // A recording proxy in front of dynalite: what the bundle sent, forwarded as sent.
    const proxy = await startForwarder(process.env.AWS_ENDPOINT_URL_DYNAMODB!, (request) =>
      seen.push({ path: request.url ?? '', trace: request.headers['x-amzn-trace-id'] as string | undefined }),
    );
    const concurBefore = gateway.simulator!.requests.entries.length;
    const bookings = bookingsFunction();
    try {
      await stopBundle(bookings);
      // What the Lambda runtime sets for a function with active tracing.
      const traced = await bundleOf(bookings, {
        AWS_LAMBDA_FUNCTION_NAME: 'concur-gateway-bookings',
        _X_AMZN_TRACE_ID: traceId,
        AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      });
      const created = await api(gateway, gateway.demoApiKey).put(bookingPath('BUNDLE-TRACED'), {
        booking: carBooking({}, { confirmationNumber: 'BUNDLE-TRACED' }),
        traveler: { loginId: TRAVELER },
      });
      expect(created.status, `${JSON.stringify(created.body)}\n${traced.output()}`).toBe(201);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((call) => call.trace !== traceId)).toEqual([]);
      // Concur is not AWS: it gets the gateway's correlation id, never the trace.
      const concurCalls = gateway.simulator!.requests.entries.slice(concurBefore);
      expect(concurCalls.length).toBeGreaterThan(0);
      expect(concurCalls.filter((call) => 'x-amzn-trace-id' in call.headers)).toEqual([]);
    } finally {
      await stopBundle(bookings);
      await proxy.close();
    }
  });

  it('log a failure’s stack in the TypeScript sources, though the runtime maps no stack (no --enable-source-maps)', async () => {
    // A DynamoDB that fails every call: the request ends in a 500, logged with its error.
    const failing = createServer((request, response) => {
      request.resume();
      response.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(
        JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'failed' }),
      );
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const bookings = bookingsFunction();
    try {
      expect(String(bookings.environment.NODE_OPTIONS ?? '')).not.toContain('--enable-source-maps');
      await stopBundle(bookings);
      const broken = await bundleOf(bookings, {
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(failing.address() as AddressInfo).port}`,
      });
      const answer = await api(gateway, gateway.demoApiKey).get(bookingPath('BUNDLE-FAILS'));
      expect(answer.status, JSON.stringify(answer.body)).toBe(500);
      const logged = broken
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map(
          (line) => JSON.parse(line) as { message?: string; requestId?: string; error?: { stack?: string } },
        )
        .find((line) => line.message === 'request failed' && line.requestId === answer.body.requestId);
      expect(logged, broken.output()).toBeDefined();
      const stack = logged!.error!.stack!;
      expect(stack, stack).toMatch(/\/shared\/[\w/-]+\.ts:\d+:\d+\)?$/m);
      expect(stack, stack).not.toMatch(/index\.mjs:\d+:\d+/);
    } finally {
      await stopBundle(bookings);
      await new Promise((resolve) => failing.close(resolve));
    }
  });

  it('were each invoked, so every function serving routes, the webhook sender, the change applier and poller, was exercised', () => {
    const serving = synthesized.functions.filter((fn) => fn.routeKeys.length > 0).map((fn) => fn.logicalId);
    const consumers = [
      'deliveriesFunction',
      'changeApplierFunction',
      'sandboxFunction',
      'changePollerFunction',
    ].map((prefix) => synthesized.functions.find((fn) => fn.logicalId.startsWith(prefix))!.logicalId);
    expect([...invoked].sort()).toEqual([...serving, ...consumers].sort());
  });
});
