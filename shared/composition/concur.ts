/**
 * The Concur side of the composition: each company's tokens in Secrets Manager (endpoint from
 * AWS_ENDPOINT_URL_SECRETS_MANAGER when the local default sets it), the token provider, the Concur client, and
 * the booking and trip use cases on top of them.
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoBookingMappings } from '../adapters/dynamodb/booking-mappings';
import { DynamoLocks } from '../adapters/dynamodb/lease';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-window';
import { DynamoTravelerTripWindows } from '../adapters/dynamodb/traveler-trip-windows';
import { DynamoTravelerCache } from '../adapters/dynamodb/traveler-cache';
import { DynamoTripKeys } from '../adapters/dynamodb/trip-keys';
import { SecretsManagerStore } from '../adapters/secrets/secret-store';
import { BookingService } from '../gateway/bookings';
import { DEFAULT_LOCK_OPTIONS } from '../gateway/locking';
import type { ConcurIdentity, ConcurItinerary, TravelerDirectory } from '../gateway/ports';
import type { ConcurTripsV4 } from '../change-notices/ports';
import { TravelerResolver } from '../gateway/travelers';
import { TripKeyService } from '../gateway/trip-keys';
import { TripService } from '../gateway/trips';
import { CompanyCredentials, DEFAULT_SECRET_PREFIX } from '../tokens/company-credentials';
import { TokenProvider } from '../tokens/token-provider';
import { AppDirectory } from '../tokens/app-directory';
import { appRateLimits, defaultAppRateLimits } from '../app-limits';
import { HostedSandboxCredentials } from '../sandbox/hosted-credentials';
import { functionUrlSignedFetch } from '../adapters/function-url/signed-fetch';
import {
  clientsByApp,
  countedRefresh,
  createConcurIdentity,
  createConcurTripsV4,
  createConcurItinerary,
} from './concur-itinerary';
import { recordingHistory } from '../activity/recording-mappings';
import { supplierActivity } from './activity';
import { once } from './container';
import { dynamoDbClient, stateTableName } from './dynamodb';
import { gatewayLogger, gatewayMetrics } from './logging';
import { keepAliveFetch } from '../adapters/http/keep-alive-fetch';

export const secretStore = (): SecretsManagerStore =>
  once('secrets', () => new SecretsManagerStore(new SecretsManagerClient({})));

/** The stack's hosted sandbox (SANDBOX_URL, a function URL with IAM auth) when it has one. */
const sandboxUrl = (): string | undefined => process.env.SANDBOX_URL || undefined;

export const companyCredentials = (): CompanyCredentials =>
  once('credentials', () => {
    const options = { store: secretStore(), prefix: process.env.SECRET_PREFIX || DEFAULT_SECRET_PREFIX };
    const sandbox = sandboxUrl();
    // Test keys' sandbox connections then follow from the sandbox's URL instead of a secret.
    return sandbox ? new HostedSandboxCredentials(options, sandbox) : new CompanyCredentials(options);
  });

const locks = (): DynamoLocks =>
  once('locks', () => new DynamoLocks({ client: dynamoDbClient(), tableName: stateTableName() }));

/** The mappings, each stored change recorded in its booking's history. */
export const mappings = () =>
  once('mappings', () =>
    recordingHistory(
      new DynamoBookingMappings({ client: dynamoDbClient(), tableName: stateTableName() }),
      supplierActivity(),
      (error, lease) =>
        gatewayLogger().error('booking history record not written', {
          companyId: lease.key.companyId,
          confirmationNumber: lease.key.confirmationNumber,
          error: error as Error,
        }),
    ),
  );

const appDirectory = (): AppDirectory =>
  once('apps', () => new AppDirectory({ credentials: companyCredentials() }));

/**
 * Each Concur app's requests from all functions together: its own limits, or CONCUR_RATE_PER_MINUTE and
 * CONCUR_RATE_PER_HOUR (shared/app-limits).
 */
const outboundLimiter = () =>
  once('limiter', () => {
    const defaults = defaultAppRateLimits();
    return new DynamoRateLimiter({
      client: dynamoDbClient(),
      tableName: stateTableName(),
      limitsOf: async (appId) => appRateLimits(await appDirectory().rateSettings(appId), defaults),
      maxWaitMs: Number(process.env.CONCUR_RATE_WAIT_MS ?? 2_000),
      metrics: gatewayMetrics(),
    });
  });

/** Every Concur call's fetch; requests to the hosted sandbox are signed with the function's role. */
export const outboundFetch = (): typeof fetch => {
  const sandbox = sandboxUrl();
  return sandbox
    ? functionUrlSignedFetch({ urlPrefix: sandbox, region: process.env.AWS_REGION ?? 'us-east-1' })
    : keepAliveFetch;
};

const concurClients = () =>
  once('concurClients', () =>
    clientsByApp(gatewayLogger(), outboundLimiter(), gatewayMetrics().count, outboundFetch()),
  );

export const tokenProvider = (): TokenProvider =>
  once(
    'tokens',
    () =>
      new TokenProvider({
        credentials: companyCredentials(),
        locks: locks(),
        refresh: countedRefresh(
          (input) => concurClients()(input.appId).refreshToken(input),
          gatewayMetrics(),
        ),
        logger: gatewayLogger(),
        count: gatewayMetrics().count,
      }),
  );

/** How long each Concur operation of a request may take, retries included: inside API Gateway's 29 s. */
export const DEFAULT_CONCUR_BUDGET_MS = 25_000;

/** Each Concur operation within CONCUR_BUDGET_MS. */
const concurCallDependencies = () => ({
  clients: concurClients(),
  tokens: tokenProvider(),
  apps: appDirectory(),
  budgetMs: Number(process.env.CONCUR_BUDGET_MS ?? DEFAULT_CONCUR_BUDGET_MS),
  metrics: gatewayMetrics(),
});

/** Concur's Itinerary operations with the tokens of the supplier's app's connection to the company. */
export const concurItinerary = (): ConcurItinerary =>
  once('concur', () => createConcurItinerary(concurCallDependencies()));

/** Itinerary v4 trips, read with the gateway's own app's company tokens. */
export const concurTripsV4 = (): ConcurTripsV4 =>
  once('concurTripsV4', () => createConcurTripsV4(concurCallDependencies()));

const concurIdentity = (): ConcurIdentity =>
  once('identity', () => createConcurIdentity(concurCallDependencies()));

/** Travelers named by email or employee id, resolved at Concur and remembered for a day. */
const travelerDirectory = (): TravelerDirectory =>
  once(
    'travelers',
    () =>
      new TravelerResolver({
        identity: concurIdentity(),
        cache: new DynamoTravelerCache({ client: dynamoDbClient(), tableName: stateTableName() }),
      }),
  );

export const bookingService = (): BookingService =>
  once(
    'bookings',
    () =>
      new BookingService({
        mappings: mappings(),
        concur: concurItinerary(),
        travelers: travelerDirectory(),
        lockOptions: DEFAULT_LOCK_OPTIONS,
      }),
  );

export const tripKeyService = (): TripKeyService =>
  once(
    'tripKeys',
    () =>
      new TripKeyService({
        trips: tripService(),
        keys: new DynamoTripKeys({ client: dynamoDbClient(), tableName: stateTableName() }),
        lockOptions: DEFAULT_LOCK_OPTIONS,
      }),
  );

export const tripService = (): TripService =>
  once(
    'trips',
    () =>
      new TripService({
        mappings: mappings(),
        concur: concurItinerary(),
        windows: new DynamoTravelerTripWindows({ client: dynamoDbClient(), tableName: stateTableName() }),
        travelers: travelerDirectory(),
        lockOptions: DEFAULT_LOCK_OPTIONS,
      }),
  );
