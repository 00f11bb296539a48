/**
 * The composition root: builds the use cases and the HTTP dependencies from the environment, once per Lambda
 * container (or local process). The same code runs on AWS and locally: the SDK clients read their endpoints
 * from AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SECRETS_MANAGER when the local default sets them.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Logger } from '@aws-lambda-powertools/logger';
import { powertoolsCounter } from '../observability/powertools-counter';
import { DynamoBookingMappings } from '../adapters/dynamodb/booking-mappings';
import { DynamoLocks } from '../adapters/dynamodb/lease';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-window';
import { EventIngress } from '../events/ingress';
import { DynamoOperations } from '../events/operations';
import { parkedOperations } from '../events/parked';
import type { ParkedOperations } from '../events/parked';
import { DEFAULT_EVENT_RETRY, EventProcessor } from '../events/processor';
import type { RetryPolicy } from '../events/processor';
import { SqsEventQueue } from '../events/queue';
import { WebhookSecrets } from '../events/webhooks';
import { respondAsync } from '../events/http-routes';
import { SecretsManagerStore } from '../adapters/secrets/secret-store';
import { BookingService } from '../gateway/bookings';
import { DEFAULT_LOCK_OPTIONS } from '../gateway/locking';
import type { Supplier } from '../gateway/ports';
import { TripService } from '../gateway/trips';
import type { HttpDependencies } from '../http/http-function';
import { BoundedIdempotencyStore } from '../http/idempotency-store';
import {
  cachedAuthenticator,
  DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS,
  DynamoSupplierDirectory,
  generateApiKey,
} from '../suppliers';
import { CompanyCredentials, DEFAULT_SECRET_PREFIX, TokenProvider } from '../tokens';
import type { AppCredentials, CompanyTokens } from '../tokens';
import { createConcurItinerary, createConcurClient } from './concur-itinerary';

export interface GatewayConfig {
  stateTableName: string;
  idempotencyTableName: string;
  secretPrefix: string;
  /** Overall budget of one Concur operation, retries included: within API Gateway's 29 s. */
  concurBudgetMs: number;
  /** The events queue: webhooks, `Prefer: respond-async`, EventBridge, retries. */
  eventsQueueUrl: string;
  /** Requests a minute to each Concur base URL, from all functions together (Concur allows 4,000). */
  concurRatePerMinute: number;
  /** How long one request waits for the rate limit before it counts as refused. */
  concurRateWaitMs: number;
  eventRetry: RetryPolicy;
  /** EventBridge `source` → supplier id: the events of that source are that supplier's. */
  eventSources: Record<string, string>;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set`);
    return value;
  };
  return {
    stateTableName: required('STATE_TABLE_NAME'),
    idempotencyTableName: required('IDEMPOTENCY_TABLE_NAME'),
    secretPrefix: env.SECRET_PREFIX || DEFAULT_SECRET_PREFIX,
    concurBudgetMs: Number(env.CONCUR_BUDGET_MS ?? 25_000),
    eventsQueueUrl: required('EVENTS_QUEUE_URL'),
    concurRatePerMinute: Number(env.CONCUR_RATE_PER_MINUTE ?? 3_000),
    concurRateWaitMs: Number(env.CONCUR_RATE_WAIT_MS ?? 2_000),
    eventRetry: {
      baseSeconds: Number(env.EVENT_RETRY_BASE_SECONDS ?? DEFAULT_EVENT_RETRY.baseSeconds),
      maxSeconds: Number(env.EVENT_RETRY_MAX_SECONDS ?? DEFAULT_EVENT_RETRY.maxSeconds),
      maxReceives: Number(env.EVENT_MAX_RECEIVES ?? DEFAULT_EVENT_RETRY.maxReceives),
      attemptTimeoutSeconds: DEFAULT_EVENT_RETRY.attemptTimeoutSeconds,
    },
    eventSources: env.EVENT_SOURCES ? (JSON.parse(env.EVENT_SOURCES) as Record<string, string>) : {},
  };
}

/** Operations for onboarding and the local default; never reachable through the supplier API. */
export interface Administration {
  configureApp(app: AppCredentials): Promise<void>;
  configureCompany(companyId: string, tokens: CompanyTokens): Promise<void>;
  readCompany(companyId: string): Promise<CompanyTokens>;
  registerSupplier(supplier: Supplier, apiKey: string): Promise<void>;
  /** The supplier's webhook signing secrets (`whsec_…`), newest first. */
  configureWebhookSecrets(supplierId: string, secrets: string[]): Promise<void>;
  generateApiKey(): string;
}

/** Partner events and asynchronous operations. */
export interface EventServices {
  ingress: EventIngress;
  operations: DynamoOperations;
  processor: EventProcessor;
  webhookSecrets: WebhookSecrets;
  /** The operator's view of parked operations. */
  parked: ParkedOperations;
  supplierOf(supplierId: string): Promise<Supplier | undefined>;
}

export interface Services {
  bookings: BookingService;
  trips: TripService;
  http: HttpDependencies;
  events: EventServices;
  admin: Administration;
}

export function createServices(config: GatewayConfig): Services {
  const dynamodb = new DynamoDBClient({});
  const secretStore = new SecretsManagerStore(new SecretsManagerClient({}));
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'concur-gateway';
  const logger = new Logger({ serviceName });
  const count = powertoolsCounter({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ConcurGateway',
    serviceName,
  });
  const mappings = new DynamoBookingMappings({ client: dynamodb, tableName: config.stateTableName });
  const locks = new DynamoLocks({ client: dynamodb, tableName: config.stateTableName });
  const suppliers = new DynamoSupplierDirectory({ client: dynamodb, tableName: config.stateTableName });
  const credentials = new CompanyCredentials({ store: secretStore, prefix: config.secretPrefix });
  const limiter = new DynamoRateLimiter({
    client: dynamodb,
    tableName: config.stateTableName,
    ratePerMinute: config.concurRatePerMinute,
    maxWaitMs: config.concurRateWaitMs,
  });
  const client = createConcurClient(logger, limiter, count);
  const tokens = new TokenProvider({
    credentials,
    locks,
    refresh: (input) => client.refreshToken(input),
    logger,
    count,
  });
  const concur = createConcurItinerary({ client, tokens, budgetMs: config.concurBudgetMs });
  const bookings = new BookingService({ mappings, concur, lockOptions: DEFAULT_LOCK_OPTIONS });
  const trips = new TripService({ mappings, concur });
  const operations = new DynamoOperations({ client: dynamodb, tableName: config.stateTableName });
  const queue = new SqsEventQueue(new SQSClient({}), config.eventsQueueUrl);
  const webhookSecrets = new WebhookSecrets({ store: secretStore, prefix: config.secretPrefix });
  // Every webhook and every event needs its supplier: a warm container remembers one for 60 s, like API keys.
  const knownSuppliers = new Map<string, { supplier: Supplier; until: number }>();
  const supplierOf = async (supplierId: string) => {
    const known = knownSuppliers.get(supplierId);
    if (known && known.until > Date.now()) return known.supplier;
    const supplier = await suppliers.getSupplier(supplierId);
    if (supplier) {
      if (knownSuppliers.size >= 1_000) knownSuppliers.delete(knownSuppliers.keys().next().value!);
      knownSuppliers.set(supplierId, { supplier, until: Date.now() + DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS });
    }
    return supplier;
  };
  const events: EventServices = {
    ingress: new EventIngress({ operations, queue }),
    operations,
    processor: new EventProcessor({
      operations,
      queue,
      useCases: { bookings, trips },
      supplierOf,
      eventSources: config.eventSources,
      retry: config.eventRetry,
      logger,
    }),
    webhookSecrets,
    parked: parkedOperations({ operations, queue }),
    supplierOf,
  };
  return {
    bookings,
    trips,
    events,
    http: {
      respondAsync: (operationId, request, supplier) => respondAsync(events, operationId, request, supplier),
      authenticate: cachedAuthenticator({ authenticate: (apiKey) => suppliers.authenticate(apiKey) }),
      idempotencyStore: new BoundedIdempotencyStore(
        { tableName: config.idempotencyTableName, awsSdkV3Client: dynamodb },
        (message, fields) => logger.warn(message, fields),
      ),
      logger,
    },
    admin: {
      configureApp: async (app) => {
        const id = credentials.appSecretId();
        const text = JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret });
        if ((await secretStore.getSecretString(id)) === undefined) await secretStore.createSecret(id, text);
        else await secretStore.putSecretString(id, text);
      },
      configureCompany: (companyId, companyTokens) => credentials.writeCompany(companyId, companyTokens),
      readCompany: (companyId) => credentials.readCompany(companyId),
      registerSupplier: async (supplier, apiKey) => {
        await suppliers.registerSupplier(supplier);
        await suppliers.addApiKey(supplier.id, apiKey);
      },
      configureWebhookSecrets: (supplierId, secrets) => webhookSecrets.write(supplierId, secrets),
      generateApiKey,
    },
  };
}

let services: Promise<Services> | undefined;

/** The container's services, created on first use. */
export function getServices(): Promise<Services> {
  services ??= Promise.resolve().then(() => createServices(configFromEnv()));
  return services;
}

/** Forgets the services, so the next use reads the environment again (the local default's restarts, tests). */
export function resetServices(): void {
  services = undefined;
}
