/**
 * The embedded default: the whole gateway on one machine. The same Lambda handlers behind a local HTTP server,
 * dynalite as DynamoDB (kept under DATA_DIR), a local Secrets Manager (same protocol, same adapter as AWS), and
 * the Concur simulator as the upstream unless CONCUR_BASE_URL points elsewhere.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from '../../shared/zod';
import type { FunctionName } from '../../shared/http/route-definition';
import {
  dataDirLayout,
  LOCAL_TABLES,
  publishEndpoints,
  otherRunningEndpoints,
  withdrawEndpoints,
} from '../data-dir';
import { startDynalite } from '../dynalite';
import { createTables } from '../../shared/adapters/dynamodb/tables';
import { rebuildOldStateTable } from '../state-table-rebuild';
import { applySeedConnections } from '../seeded-connections';
import type { SeedConnection } from '../seeded-connections';
import { startLocalSecretsManager } from '../secrets-manager';
import { startLocalSqs } from '../sqs';
import { startEventPoller } from '../events-poller';
import type { EventPollerOptions } from '../events-poller';
import { createDeliveriesQueues } from '../deliveries-queue';
import { createChangeNoticesQueues } from '../change-notices-queue';
import { DEFAULT_EVENT_RETRY } from '../../shared/events/processor';
import { DEFAULT_SUPPLIER_RATE_PER_SECOND } from '../../shared/supplier-limits';
import { generateWebhookSecret } from '../../shared/events/webhooks';
import { administration } from '../../shared/composition/administration';
import type { Administration } from '../../shared/composition/administration';
import { supplierDirectory } from '../../shared/composition/dynamodb';
import { changeNoticeModes } from '../../shared/composition/change-notices';
import { generateTestApiKey, modeOfKey, SANDBOX_APP_ID, sandboxCompanyId } from '../../shared/sandbox';
import { API_KEY_FORMAT } from '../../shared/suppliers/api-keys';
import { resetServices } from '../../shared/composition/container';
import { gatewayLogger } from '../../shared/composition/logging';
import { DEFAULT_COMPANY_ID, startSimulator } from '../simulator';
import type { Simulator, SimulatorOptions } from '../simulator';
import type { ClientOptions } from '../simulator';
import {
  DEFAULT_APP_RATE_PER_HOUR,
  DEFAULT_APP_RATE_PER_MINUTE,
  MIN_APP_RATE_PER_MINUTE,
} from '../../shared/app-limits';
import { APP_ID_PATTERN, DEFAULT_APP_ID } from '../../shared/tokens';
import type { ConnectionRef } from '../../shared/gateway/ports';
import { DEFAULT_USERS, IDENTITY_SCOPES, userOptionsSchema } from '../simulator/identity';
import { startLambdaHttpServer } from './lambda-http-server';
import type { LambdaHandler } from './lambda-http-server';

/** Values sent in HTTP headers or forms (tokens, client credentials): visible ASCII, as Concur issues them. */
const headerSafe = (what: string) =>
  z.string().check(
    z.minLength(1),
    z.regex(/^[\x21-\x7e]+$/, {
      error: `${what} must be visible ASCII without spaces (is a … placeholder still in it?)`,
    }),
  );

const appSchema = z.strictObject({
  clientId: headerSafe('clientId'),
  clientSecret: headerSafe('clientSecret'),
  /** The booking sources Concur approved for the app; absent: any (a TMC's app). */
  bookingSources: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(32)))),
  /**
   * The scopes the simulator grants the app (its token answers' `scope`); absent: a production itinerary app's,
   * `openid ITINER`, without Identity's, so travelers are named by login only.
   */
  scopes: z.optional(z.array(z.string().check(z.regex(/^[\x21-\x7e]+$/)))),
  /** The app's own outbound limits; absent: the defaults (3,000 a minute, 200,000 an hour). */
  ratePerMinute: z.optional(z.number().check(z.int(), z.gte(MIN_APP_RATE_PER_MINUTE))),
  ratePerHour: z.optional(z.number().check(z.int(), z.gte(1))),
});

/** What the demo company grants its app at the simulator: itineraries, and Identity's reads for traveler lookups. */
const DEMO_SCOPES = ['openid', 'ITINER', ...Object.values(IDENTITY_SCOPES)];

/** LOCAL_SEED: the Concur apps, suppliers and companies to start with instead of the demo. */
export const localSeedSchema = z
  .strictObject({
    /** The default app: that of suppliers naming none (the only one before apps had ids). */
    app: z.optional(appSchema),
    /** More Concur apps, each with its own connection to every company; `default` may be one of them. */
    apps: z.optional(
      z.array(
        z.extend(appSchema, {
          id: z.string().check(z.regex(APP_ID_PATTERN, { error: 'letters, digits, . _ - (at most 64)' })),
        }),
      ),
    ),
    suppliers: z.array(
      z.strictObject({
        id: z.string().check(z.minLength(1)),
        bookingSource: z.string().check(z.minLength(1), z.maxLength(32)),
        apiKey: z.string().check(
          z.regex(API_KEY_FORMAT, {
            error: 'must be cgw_ followed by at least 32 URL-safe characters (A-Z, a-z, 0-9, - and _)',
          }),
          z.refine((key) => modeOfKey(key) === 'live', { error: 'a live key does not start with cgw_test_' }),
        ),
        /** A test key (`cgw_test_…`): its requests go to the supplier's sandbox company at the simulator. */
        testApiKey: z.optional(
          z.string().check(
            z.regex(API_KEY_FORMAT, {
              error: 'must be cgw_test_ followed by at least 27 URL-safe characters',
            }),
            z.refine((key) => modeOfKey(key) === 'test', { error: 'a test key starts with cgw_test_' }),
          ),
        ),
        companies: z.array(z.string().check(z.minLength(1))),
        profile: z.optional(z.enum(['tmc', 'triplink'])),
        /** The Concur app it posts through (an id of `apps`); the default app when absent. */
        concurApp: z.optional(z.string().check(z.minLength(1))),
        /** Standard Webhooks signing secret(s) of `POST /v1/webhooks/{id}`: one, or several while rotating. */
        webhookSecret: z.optional(
          z.union([
            z.string().check(z.startsWith('whsec_')),
            z.array(z.string().check(z.startsWith('whsec_'))).check(z.minLength(1)),
          ]),
        ),
      }),
    ),
    companies: z.array(
      z
        .strictObject({
          id: z.string().check(z.minLength(1)),
          /** Where the company's Concur is; without it, the local simulator serves the company. */
          concur: z.optional(
            z.strictObject({
              baseUrl: z.url({ protocol: /^https?$/ }),
              accessToken: headerSafe('accessToken'),
              refreshToken: headerSafe('refreshToken'),
              expiresAt: z.iso.datetime({ offset: true }),
              authScheme: z.optional(z.enum(['Bearer', 'OAuth'])),
            }),
          ),
          /** The company's users at the simulator, found by its Identity v4.1 search (login, email, employee id). */
          users: z.optional(z.array(userOptionsSchema)),
        })
        .check(
          z.refine((company) => !(company.concur && company.users), {
            error: 'users are for a company the simulator serves (one without concur)',
            path: ['users'],
          }),
        ),
    ),
  })
  .check(
    z.superRefine((seed, context) => {
      const ids = seedApps(seed).map((app) => app.id);
      if (seed.app && seed.apps?.some((app) => app.id === DEFAULT_APP_ID)) {
        context.addIssue({
          code: 'custom',
          message: `give the default app as app or as apps' "${DEFAULT_APP_ID}", not both`,
          path: ['app'],
        });
      }
      seed.apps?.forEach((app, index) => {
        if (ids.indexOf(app.id) !== ids.lastIndexOf(app.id))
          context.addIssue({
            code: 'custom',
            message: `app ${app.id} is given twice`,
            path: ['apps', index, 'id'],
          });
      });
      seed.suppliers.forEach((supplier, index) => {
        const appId = supplier.concurApp ?? DEFAULT_APP_ID;
        const app = seedApps(seed).find((candidate) => candidate.id === appId);
        if (!app) {
          context.addIssue({
            code: 'custom',
            message: `no app ${appId} in the seed`,
            path: ['suppliers', index, 'concurApp'],
          });
        } else if (app.bookingSources && !app.bookingSources.includes(supplier.bookingSource)) {
          context.addIssue({
            code: 'custom',
            message: `app ${appId} is not approved for booking source ${supplier.bookingSource}`,
            path: ['suppliers', index, 'bookingSource'],
          });
        }
      });
    }),
  );
export type LocalSeed = z.infer<typeof localSeedSchema>;

/** Every app of a seed, the default one (`app`) included. */
function seedApps(seed: Pick<LocalSeed, 'app' | 'apps'>) {
  return [...(seed.app ? [{ id: DEFAULT_APP_ID, ...seed.app }] : []), ...(seed.apps ?? [])];
}

export interface LocalGatewayOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** Concur's base URL; when absent the simulator is started and used. */
  concurBaseUrl?: string;
  /** The demo company's credentials at CONCUR_BASE_URL (e.g. a separately started simulator's token). */
  demoConcur?: { accessToken: string; refreshToken?: string; clientId?: string; clientSecret?: string };
  /** Believe callers' X-Forwarded-* headers (only behind a proxy that sets them): self links follow them. */
  trustForwardedHeaders?: boolean;
  /** Port of the simulator (0 picks a free one). */
  simulatorPort?: number;
  /** When simulatorPort is taken, use a free one instead of failing (for a default port, not a chosen one). */
  simulatorPortIsPreference?: boolean;
  seed?: LocalSeed;
  /**
   * The functions behind the routes; by default this source's handlers in this process. They read the endpoints
   * and table names this sets in process.env (AWS_ENDPOINT_URL_DYNAMODB, STATE_TABLE_NAME, ...).
   */
  handlers?: Record<FunctionName, LambdaHandler>;
  /** The events queue and its processor. */
  events?: LocalEventsOptions;
  /** The deliveries queue's consumer; by default this source's (functions/deliveries/sender.ts) in this process. */
  deliveriesHandler?: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  /**
   * Subscribes the gateway's `POST /v1/concur/events` to the simulator's ESS, so changes made there reach the
   * suppliers (`npm start` does; a test that counts Concur calls does not want the trip reads each event causes).
   */
  concurEvents?: boolean;
  /**
   * Runs the change poller (functions/change-notices/poller.ts) this often, as the schedule does on AWS: `npm start`
   * does, every CHANGE_POLL_INTERVAL; a test that counts Concur calls does not want its trip lists.
   */
  changePollIntervalMs?: number;
  /** The change notices queue's consumer; by default this source's (functions/change-notices/applier.ts). */
  changeNoticesHandler?: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  /** The outbound limit of each Concur app without one of its own, requests a minute; 3,000 by default. */
  concurRatePerMinute?: number;
  /** The same, requests an hour; 200,000 by default. */
  concurRatePerHour?: number;
  /** How often the keep-alive of Concur connections runs (3,600 s; it refreshes those not refreshed for 7 days). */
  keepAliveIntervalSeconds?: number;
  /** Requests a second of a supplier without a rate of its own; the stage's default (20) by default. */
  supplierRatePerSecond?: number;
  /** Where the access log's lines go (one JSON line per request); standard output by default. */
  accessLog?: (line: string) => void;
}

export interface LocalEventsOptions {
  /** Concurrent processor batches (10 messages each). */
  workers?: number;
  /** Shortens the queue's seconds (visibility timeouts, delays) for tests: 1 s lasts `secondsScale` s. */
  secondsScale?: number;
  /** The processor's retry policy (seconds, before scaling). */
  retryBaseSeconds?: number;
  maxReceives?: number;
  /** How long an attempt may run before it counts as dead (120 s); also the queue's visibility timeout. */
  attemptTimeoutSeconds?: number;
  /** How long past its next step an open operation waits before the sweeper queues it again (900 s). */
  sweepAfterSeconds?: number;
  /** How often the sweeper runs (60 s). */
  sweepIntervalSeconds?: number;
}

export interface LocalGateway {
  url: string;
  simulator?: Simulator;
  /** The local SQS endpoint and the events queues. */
  queues: {
    endpoint: string;
    eventsQueueUrl: string;
    deadLetterQueueUrl: string;
    deliveriesQueueUrl: string;
    deliveriesDeadLetterQueueUrl: string;
    changeNoticesQueueUrl: string;
    changeNoticesDeadLetterQueueUrl: string;
  };
  /** The demo supplier's API key (absent when a seed file replaced the demo). */
  demoApiKey?: string;
  /** The demo supplier's test key (`cgw_test_…`): its requests go to its sandbox company at the simulator. */
  demoTestApiKey?: string;
  /** The demo supplier's webhook signing secret. */
  demoWebhookSecret?: string;
  /** Connections stored since the seed's unchanged entry was applied (`companies connect`): kept, not seeded. */
  keptConnections: ConnectionRef[];
  close(): Promise<void>;
}

const DEMO_SUPPLIER = { id: 'demo-supplier', bookingSource: 'DemoSupplier', companies: [DEFAULT_COMPANY_ID] };

export async function startLocalGateway(options: LocalGatewayOptions): Promise<LocalGateway> {
  await mkdir(options.dataDir, { recursive: true });
  const layout = dataDirLayout(options.dataDir);
  // dynalite's store takes one process: say so before it fails somewhere deep inside.
  const other = await otherRunningEndpoints(options.dataDir);
  if (other) {
    throw new Error(
      `DATA_DIR ${layout.root} is in use by another npm start (pid ${other.pid}); stop it or set DATA_DIR to another folder`,
    );
  }
  const dynalite = await startDynalite({ path: layout.dynamodb });
  const secrets = await startLocalSecretsManager({ dataDir: layout.secrets });
  const sqs = await startLocalSqs({ secondsScale: options.events?.secondsScale, dataDir: layout.queues });
  const sqsClient = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const maxReceives = options.events?.maxReceives ?? DEFAULT_EVENT_RETRY.maxReceives;
  const attemptTimeoutSeconds =
    options.events?.attemptTimeoutSeconds ?? DEFAULT_EVENT_RETRY.attemptTimeoutSeconds;
  const queues = await createEventQueues(sqsClient, maxReceives, attemptTimeoutSeconds);
  const deliveries = await createDeliveriesQueues(sqsClient);
  const changeNotices = await createChangeNoticesQueues(sqsClient);

  const tables = LOCAL_TABLES;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    EVENTS_QUEUE_URL: queues.eventsQueueUrl,
    DELIVERIES_QUEUE_URL: deliveries.deliveriesQueueUrl,
    CHANGE_NOTICES_QUEUE_URL: changeNotices.changeNoticesQueueUrl,
    // People test webhooks with a receiver on their own machine: only this local server allows it.
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    EVENT_MAX_RECEIVES: String(maxReceives),
    EVENT_RETRY_BASE_SECONDS: String(options.events?.retryBaseSeconds ?? DEFAULT_EVENT_RETRY.baseSeconds),
    EVENT_ATTEMPT_TIMEOUT_SECONDS: String(attemptTimeoutSeconds),
    ...(options.events?.sweepAfterSeconds !== undefined
      ? { EVENT_SWEEP_AFTER_SECONDS: String(options.events.sweepAfterSeconds) }
      : {}),
    CONCUR_RATE_PER_MINUTE: String(options.concurRatePerMinute ?? DEFAULT_APP_RATE_PER_MINUTE),
    CONCUR_RATE_PER_HOUR: String(options.concurRatePerHour ?? DEFAULT_APP_RATE_PER_HOUR),
    SUPPLIER_RATE_PER_SECOND: String(options.supplierRatePerSecond ?? DEFAULT_SUPPLIER_RATE_PER_SECOND),
    AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    STATE_TABLE_NAME: tables.state,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    POWERTOOLS_SERVICE_NAME: 'concur-gateway',
  });
  await rebuildOldStateTable(dynalite.client, tables, join(layout.root, 'state-table-rebuild.json'));
  await createTables(dynalite.client, tables);
  resetServices();
  const admin = administration();
  // The simulator serves the demo company, the seed's companies that name no Concur of their own, and every
  // supplier's sandbox company (test keys reach only those).
  const simulatedCompanies: NonNullable<SimulatorOptions['companies']> = options.concurBaseUrl
    ? []
    : options.seed
      ? options.seed.companies
          .filter((company) => !company.concur)
          .map(({ id, users }) => ({ id, ...(users ? { users } : {}) }))
      : [{ id: DEFAULT_COMPANY_ID, scopes: DEMO_SCOPES }];
  const sandboxSuppliers = await suppliersWithSandbox(
    options.seed ? options.seed.suppliers.map((supplier) => supplier.id) : [DEMO_SUPPLIER.id],
  );
  const simulator =
    simulatedCompanies.length + sandboxSuppliers.length === 0
      ? undefined
      : await startSimulatorOn(options.simulatorPort ?? 0, options.simulatorPortIsPreference ?? false, {
          // New ids each start, so they never repeat those of the trips kept from earlier runs.
          seed: Date.now() % 2 ** 31,
          stateFile: layout.simulatorState,
          companies: [...simulatedCompanies, ...sandboxCompanies(sandboxSuppliers)],
          clients: [
            ...(options.seed ? simulatorClients(options.seed, simulatedCompanies) : []),
            ...sandboxClients(sandboxSuppliers),
          ],
        });
  if (simulator) await connectSandboxes(admin, simulator, sandboxSuppliers);
  // The simulator signs its ESS deliveries with its own key; Concur's published key is the default otherwise.
  if (simulator) process.env.CONCUR_ESS_PUBLIC_KEYS = simulator.ess.publicKeyPem;

  let demoApiKey: string | undefined;
  let demoWebhookSecret: string | undefined;
  let demoTestApiKey: string | undefined;
  const seedConnections: SeedConnection[] = [];
  if (options.seed) {
    const apps = seedApps(options.seed);
    for (const { id, clientId, clientSecret, bookingSources, ratePerMinute, ratePerHour } of apps) {
      await admin.configureApp(id, {
        clientId,
        clientSecret,
        ...(bookingSources ? { bookingSources } : {}),
        ...(ratePerMinute !== undefined ? { ratePerMinute } : {}),
        ...(ratePerHour !== undefined ? { ratePerHour } : {}),
      });
    }
    for (const company of options.seed.companies) {
      // A company at a real Concur has the tokens the seed names, for the default app; one the simulator serves
      // has a connection for every app.
      const { concur } = company;
      if (concur) {
        seedConnections.push({
          ref: { appId: DEFAULT_APP_ID, companyId: company.id },
          entry: { concur },
          tokens: () => concur,
          simulated: false,
        });
        continue;
      }
      for (const app of apps) {
        seedConnections.push({
          ref: { appId: app.id, companyId: company.id },
          entry: { simulator: { clientId: app.clientId } },
          tokens: () => {
            const pair =
              app.id === DEFAULT_APP_ID
                ? {
                    accessToken: simulator!.tokens.accessTokenFor(company.id),
                    refreshToken: simulator!.tokens.refreshTokenFor(company.id),
                  }
                : simulator!.tokens.issueTokenPair(company.id, { clientId: app.clientId });
            return {
              baseUrl: simulator!.url,
              accessToken: pair.accessToken,
              refreshToken: pair.refreshToken,
              expiresAt: new Date(Date.now() + 55 * 60_000).toISOString(),
              // What the simulator grants the app, as its token answer would say: a lookup it may not make costs no call.
              scope: simulator!.tokens.grantedScope(company.id, app.clientId),
            };
          },
          simulated: true,
        });
      }
    }
    for (const { webhookSecret, apiKey, testApiKey, ...supplier } of options.seed.suppliers) {
      await admin.registerSupplier({ ...supplier, profile: supplier.profile ?? 'tmc' }, apiKey);
      if (testApiKey) await admin.addApiKey(supplier.id, testApiKey);
      if (webhookSecret) {
        const secrets = typeof webhookSecret === 'string' ? [webhookSecret] : webhookSecret;
        await admin.configureWebhookSecrets(supplier.id, secrets);
      }
    }
  } else {
    const concur = !options.concurBaseUrl
      ? {
          baseUrl: simulator!.url,
          accessToken: simulator!.tokens.accessTokenFor(DEFAULT_COMPANY_ID),
          refreshToken: simulator!.tokens.refreshTokenFor(DEFAULT_COMPANY_ID),
          app: simulator!.tokens.clientFor(DEFAULT_COMPANY_ID),
        }
      : demoConcurAt(options.concurBaseUrl, options.demoConcur);
    await admin.configureApp(DEFAULT_APP_ID, concur.app);
    seedConnections.push({
      ref: { appId: DEFAULT_APP_ID, companyId: DEFAULT_COMPANY_ID },
      entry: !options.concurBaseUrl
        ? { simulator: { clientId: concur.app.clientId } }
        : {
            concur: {
              baseUrl: concur.baseUrl,
              accessToken: concur.accessToken,
              refreshToken: concur.refreshToken,
            },
          },
      tokens: () => ({
        baseUrl: concur.baseUrl,
        accessToken: concur.accessToken,
        refreshToken: concur.refreshToken,
        expiresAt: new Date(Date.now() + 55 * 60_000).toISOString(),
        ...(!options.concurBaseUrl ? { scope: simulator!.tokens.grantedScope(DEFAULT_COMPANY_ID) } : {}),
      }),
      simulated: !options.concurBaseUrl,
    });
    demoApiKey = await demoKey(options.dataDir, 'demo-api-key', admin.generateApiKey);
    await admin.registerSupplier({ ...DEMO_SUPPLIER, profile: 'tmc' }, demoApiKey);
    demoTestApiKey = await demoKey(options.dataDir, 'demo-test-api-key', generateTestApiKey);
    await admin.addApiKey(DEMO_SUPPLIER.id, demoTestApiKey);
    demoWebhookSecret = await demoKey(options.dataDir, 'demo-webhook-secret', generateWebhookSecret);
    await admin.configureWebhookSecrets(DEMO_SUPPLIER.id, [demoWebhookSecret]);
  }
  const { kept: keptConnections } = await applySeedConnections(layout.root, admin, seedConnections);

  const handlers = options.handlers ?? (await loadHandlers());
  const server = await startLambdaHttpServer(handlers, {
    port: options.port,
    host: options.host,
    trustForwardedHeaders: options.trustForwardedHeaders ?? false,
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
  });
  // The operations' links in the webhooks the processor sends name this server.
  process.env.API_BASE_URL = server.url;
  /**
   * Hands a queue's batches to its function's handler, as the queue's event source mapping does on AWS; `batches`
   * names them in the log line of a batch that failed.
   */
  const pollQueue = (
    queueUrl: string,
    queueArn: string,
    handler: EventPollerOptions['handler'],
    batches: string,
  ) =>
    startEventPoller({
      client: sqsClient,
      queueUrl,
      queueArn,
      handler,
      workers: options.events?.workers ?? 4,
      onError: (error) => gatewayLogger().error(`${batches} batch failed`, { error: error as Error }),
    });
  const { handler: processEvents } = await import('../../functions/events/processor');
  const poller = pollQueue(queues.eventsQueueUrl, queues.eventsQueueArn, processEvents, 'event');
  const { handler: sweep } = await import('../../functions/events/sweeper');
  const sweeper = startTimer(
    (options.events?.sweepIntervalSeconds ?? 60) * 1000,
    () => sweep(),
    (error) => gatewayLogger().error('operations sweep failed', { error: error as Error }),
  );
  const { handler: keepAlive } = await import('../../functions/connections/keep-alive');
  const keepAliveTimer = startTimer(
    (options.keepAliveIntervalSeconds ?? 3_600) * 1000,
    () => keepAlive(),
    (error) => gatewayLogger().error('keep-alive of Concur connections failed', { error: error as Error }),
  );
  const sendWebhooks =
    options.deliveriesHandler ?? (await import('../../functions/deliveries/sender')).handler;
  const deliveryPoller = pollQueue(
    deliveries.deliveriesQueueUrl,
    deliveries.deliveriesQueueArn,
    sendWebhooks,
    'delivery',
  );
  const applyChanges =
    options.changeNoticesHandler ?? (await import('../../functions/change-notices/applier')).handler;
  const changeNoticesPoller = pollQueue(
    changeNotices.changeNoticesQueueUrl,
    changeNotices.changeNoticesQueueArn,
    applyChanges,
    'change notices',
  );
  // The companies the simulator serves tell their changes through ESS: the gateway subscribes itself, and they
  // take ESS events unless the operator set them otherwise (`companies connect … --change-notices`).
  if (options.concurEvents && simulator) {
    for (const company of simulatedCompanies) await changeNoticeModes().setModeIfUnset(company.id, 'ess');
  }
  const essSubscription = options.concurEvents
    ? // The companies it serves, not the test-mode sandboxes (their trips are no supplier's live bookings).
      simulator?.ess.subscribe(`${server.url}/v1/concur/events`, {
        companyIds: simulatedCompanies.map((company) => company.id),
      })
    : undefined;
  let changePollTimer: { stop: () => Promise<void> } | undefined;
  if (options.changePollIntervalMs !== undefined) {
    process.env.CHANGE_POLL_INTERVAL = `${options.changePollIntervalMs}ms`;
    const { handler: pollChanges } = await import('../../functions/change-notices/poller');
    changePollTimer = startTimer(
      options.changePollIntervalMs,
      () => pollChanges(),
      (error) => gatewayLogger().error('change poll failed', { error: error as Error }),
    );
  }
  // The operator's command line (`--local`) finds the running stores here.
  await publishEndpoints(options.dataDir, {
    pid: process.pid,
    gateway: server.url,
    dynamodb: dynalite.endpoint,
    secretsManager: secrets.endpoint,
    sqs: sqs.endpoint,
    eventsQueueUrl: queues.eventsQueueUrl,
    ...(simulator ? { simulator: simulator.url } : {}),
  });
  return {
    url: server.url,
    simulator,
    demoApiKey,
    demoTestApiKey,
    demoWebhookSecret,
    keptConnections,
    queues: {
      endpoint: sqs.endpoint,
      eventsQueueUrl: queues.eventsQueueUrl,
      deadLetterQueueUrl: queues.deadLetterQueueUrl,
      deliveriesQueueUrl: deliveries.deliveriesQueueUrl,
      deliveriesDeadLetterQueueUrl: deliveries.deliveriesDeadLetterQueueUrl,
      changeNoticesQueueUrl: changeNotices.changeNoticesQueueUrl,
      changeNoticesDeadLetterQueueUrl: changeNotices.changeNoticesDeadLetterQueueUrl,
    },
    close: async () => {
      await withdrawEndpoints(options.dataDir);
      if (essSubscription) simulator?.ess.unsubscribe(essSubscription.id);
      await server.close();
      await sweeper.stop();
      await keepAliveTimer.stop();
      await changePollTimer?.stop();
      await Promise.all([poller.stop(), deliveryPoller.stop(), changeNoticesPoller.stop()]);
      await sqs.close();
      await simulator?.close();
      await secrets.close();
      await dynalite.close();
      resetServices();
    },
  };
}

/**
 * The simulator's OAuth clients: every app of the seed at every company it serves. An app approved for one booking
 * source gets tokens that act as that source, as Concur binds it; one approved for any acts as a TMC (no source).
 */
function simulatorClients(seed: LocalSeed, companies: readonly { id: string }[]): ClientOptions[] {
  // The default app first: a company's first client is the one its initial tokens belong to.
  const apps = seedApps(seed).sort(
    (a, b) => Number(b.id === DEFAULT_APP_ID) - Number(a.id === DEFAULT_APP_ID),
  );
  return companies.flatMap(({ id }) =>
    apps.map((app) => ({
      companyId: id,
      clientId: app.clientId,
      clientSecret: app.clientSecret,
      ...(app.bookingSources?.length === 1 ? { bookingSource: app.bookingSources[0]! } : {}),
      ...(app.scopes ? { scopes: app.scopes } : {}),
    })),
  );
}

/**
 * The suppliers whose sandbox companies the simulator serves: those the start registers, and those registered
 * before (e.g. by `concur-gateway suppliers add --local`), which get theirs at this start.
 */
async function suppliersWithSandbox(registeredNow: string[]): Promise<string[]> {
  const known = (await supplierDirectory().listSuppliers()).map((supplier) => supplier.id);
  return [...new Set([...registeredNow, ...known])];
}

/** The sandbox app's client at the local simulator: a test key's calls never carry a real app's credentials. */
const SANDBOX_CLIENT = { clientId: 'sandbox-client', clientSecret: 'sandbox-client-secret' };

/** Each sandbox company has the demo's traveler, found by login, email or employee id, as at the demo company. */
const sandboxCompanies = (supplierIds: string[]) =>
  supplierIds.map((id) => ({ id: sandboxCompanyId(id), users: [...DEFAULT_USERS], scopes: DEMO_SCOPES }));

const sandboxClients = (supplierIds: string[]): ClientOptions[] =>
  supplierIds.map((id) => ({ companyId: sandboxCompanyId(id), ...SANDBOX_CLIENT }));

/** The sandbox app and its connection to each sandbox company, at the simulator. */
async function connectSandboxes(admin: Administration, simulator: Simulator, supplierIds: string[]) {
  await admin.configureApp(SANDBOX_APP_ID, SANDBOX_CLIENT);
  for (const id of supplierIds) {
    const companyId = sandboxCompanyId(id);
    await admin.configureConnection(
      { appId: SANDBOX_APP_ID, companyId },
      {
        baseUrl: simulator.url,
        accessToken: simulator.tokens.accessTokenFor(companyId),
        refreshToken: simulator.tokens.refreshTokenFor(companyId),
        expiresAt: new Date(Date.now() + 55 * 60_000).toISOString(),
        scope: simulator.tokens.grantedScope(companyId),
        // Issued by this simulator as it started: nothing for the keep-alive to refresh before a week.
        refreshedAt: new Date().toISOString(),
      },
    );
  }
}

/** The simulator on `port`; on a free port instead when `port` is only a preference and is taken. */
async function startSimulatorOn(
  port: number,
  isPreference: boolean,
  options: Omit<SimulatorOptions, 'port'>,
): Promise<Simulator> {
  try {
    return await startSimulator({ ...options, port });
  } catch (error) {
    if (!isPreference || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    return startSimulator({ ...options, port: 0 });
  }
}

function demoConcurAt(baseUrl: string, credentials: LocalGatewayOptions['demoConcur']) {
  if (!credentials) {
    throw new Error(
      'with CONCUR_BASE_URL, set CONCUR_ACCESS_TOKEN (and CONCUR_REFRESH_TOKEN) or use LOCAL_SEED',
    );
  }
  return {
    baseUrl,
    accessToken: credentials.accessToken,
    refreshToken: credentials.refreshToken ?? 'none',
    // The simulator's demo client, so `concur-gateway simulator` works as an external upstream out of the box.
    app: {
      clientId: credentials.clientId ?? `${DEFAULT_COMPANY_ID}-client`,
      clientSecret: credentials.clientSecret ?? `${DEFAULT_COMPANY_ID}-secret`,
    },
  };
}

/** The demo's keys survive restarts with the data they belong to. */
async function demoKey(dataDir: string, name: string, generate: () => string): Promise<string> {
  const file = join(dataDir, name);
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const key = generate();
    await writeFile(file, `${key}\n`, { mode: 0o600 });
    return key;
  }
}

async function loadHandlers(): Promise<Record<FunctionName, LambdaHandler>> {
  const [bookings, trips, translate, events, endpoints, activity, changes, meta] = await Promise.all([
    import('../../functions/http/bookings'),
    import('../../functions/http/trips'),
    import('../../functions/http/translate'),
    import('../../functions/http/events'),
    import('../../functions/http/endpoints'),
    import('../../functions/http/activity'),
    import('../../functions/http/changes'),
    import('../../functions/http/meta'),
  ]);
  return {
    bookings: bookings.handler,
    trips: trips.handler,
    translate: translate.handler,
    events: events.handler,
    endpoints: endpoints.handler,
    activity: activity.handler,
    changes: changes.handler,
    meta: meta.handler,
  };
}

/** Runs `work` every `intervalMs`, one run at a time, like a schedule that invokes a function. */
function startTimer(intervalMs: number, work: () => Promise<unknown>, onError: (error: unknown) => void) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const next = () => {
    timer = setTimeout(() => {
      running = work().then(
        () => undefined,
        (error: unknown) => onError(error),
      );
      void running.then(() => {
        if (!stopped) next();
      });
    }, intervalMs);
  };
  next();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The events queue and its dead-letter queue, as the CDK stack makes them (redrive after maxReceives + 2). */
async function createEventQueues(client: SQSClient, maxReceives: number, attemptTimeoutSeconds: number) {
  const { QueueUrl: deadLetterQueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: 'concur-gateway-events-dlq' }),
  );
  const { Attributes: dlq } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const { QueueUrl: eventsQueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: 'concur-gateway-events',
      Attributes: {
        // Longer than an attempt may take (the processor function's timeout on AWS).
        VisibilityTimeout: String(attemptTimeoutSeconds),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq!.QueueArn,
          maxReceiveCount: maxReceives + 2,
        }),
      },
    }),
  );
  const { Attributes: events } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: eventsQueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return {
    eventsQueueUrl: eventsQueueUrl!,
    eventsQueueArn: events!.QueueArn!,
    deadLetterQueueUrl: deadLetterQueueUrl!,
  };
}
