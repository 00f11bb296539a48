/**
 * The gateway's ConcurItinerary and ConcurIdentity ports on top of the Concur client and the token provider: each
 * operation gets its connection's token and base URL (the supplier's app's tokens for the company) and a deadline,
 * and a write for a booking source the app was not approved for is refused before any call. A 401, or a 403 whose
 * message says the token expired, was revoked or is invalid, gets one refresh and one more try, at most once a
 * minute per connection; any other 403 (the app may not reach the company, lacks a product or a scope, another
 * source's booking) is Concur's refusal, answered as it is and counted, never refreshed: a new token would not
 * change it, and Concur asks not to fetch tokens for repeated transactions.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { rateLimitedFetch } from '../adapters/dynamodb/rate-window';
import type { OutboundLimiter } from '../adapters/dynamodb/rate-window';
import { ConcurApiError, ConcurClient } from '../concur-client';
import type { ConcurCallContext, ConcurResult } from '../concur-client';
import type { Booking, Itinerary } from '../concur';
import { GatewayError } from '../gateway/errors';
import type { ConcurCall, ConcurIdentity, ConcurItinerary, ConnectionRef } from '../gateway/ports';
import { DEFAULT_APP_ID } from '../gateway/ports';
import type { ConcurTripsV4 } from '../change-notices/ports';
import { noMetrics, statusClassOf } from '../observability/counter';
import type { CountEvent, GatewayMetrics } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import type { ConcurOperationName } from '../observability/metric-names';
import { missingLookupScopes, RefreshTooSoonError } from '../tokens';
import type { CompanyAccess } from '../tokens';
import { keepAliveFetch } from '../adapters/http/keep-alive-fetch';

interface Tokens {
  getAccessToken(connection: ConnectionRef): Promise<CompanyAccess>;
  refreshAfterAuthFailure(connection: ConnectionRef, rejectedAccessToken: string): Promise<CompanyAccess>;
  grantedScope(connection: ConnectionRef): Promise<string | undefined>;
}

interface Apps {
  approvedBookingSources(appId: string): Promise<readonly string[] | undefined>;
}

/** A Concur client per Concur app, each from `clientsByApp`. */
export type ConcurClients = (appId: string) => ConcurClient;

/**
 * The clients every function uses, one per Concur app: each request a client sends first takes a slot of its app's
 * outbound limit, whatever the company's geolocation, as Concur counts an app's calls across all of them.
 */
export function clientsByApp(
  logger: Logger,
  limiter: OutboundLimiter,
  count?: CountEvent,
  send: typeof fetch = keepAliveFetch,
): ConcurClients {
  const clients = new Map<string, ConcurClient>();
  return (appId) => {
    let client = clients.get(appId);
    if (!client) {
      client = new ConcurClient({
        fetch: rateLimitedFetch(limiter, appId, send),
        count,
        logger: {
          debug: (message, fields) => logger.debug(message, fields),
          info: (message, fields) => logger.info(message, fields),
          warn: (message, fields) => logger.warn(message, fields),
        },
      });
      clients.set(appId, client);
    }
    return client;
  };
}

interface CompanyCallDependencies {
  clients: ConcurClients;
  tokens: Tokens;
  /** The apps' approved booking sources; without it, no write is checked (the command line's reads). */
  apps?: Apps;
  budgetMs: number;
  metrics?: GatewayMetrics;
}

/**
 * Concur binds a booking source to the app it approved it for, and refuses another app's post for it: refused
 * here first, without a call, so the supplier learns which app lacks which source.
 */
function approvalChecker(apps: Apps | undefined) {
  return async (connection: ConnectionRef, bookingSources: readonly (string | null | undefined)[]) => {
    const approved = apps && (await apps.approvedBookingSources(connection.appId));
    if (approved === undefined) return;
    const refused = [...new Set(bookingSources)].filter(
      (source): source is string => typeof source === 'string' && !approved.includes(source),
    );
    if (refused.length === 0) return;
    throw new GatewayError(
      'booking-source-not-approved',
      `Concur did not approve booking source ${refused.join(', ')} for the Concur app ${connection.appId}; an operator adds it to the app once Concur has approved it`,
    );
  };
}

const sourcesOf = (itinerary: Itinerary) =>
  (itinerary.bookings ?? []).map((booking: Booking | null) => booking?.bookingSource);

/** The status class a Concur call ended with: its HTTP status, or `none` when no answer came. */
const statusOf = (error: unknown) =>
  statusClassOf(error instanceof ConcurApiError ? error.status : undefined);

/** A company's token refresh, counted: every refresh, and those that failed by status class. */
export function countedRefresh<I, R>(
  refresh: (input: I) => Promise<R>,
  metrics: GatewayMetrics,
): (input: I) => Promise<R> {
  return async (input) => {
    metrics.count(GATEWAY_METRICS.tokenRefreshes);
    try {
      return await refresh(input);
    } catch (error) {
      metrics.count(GATEWAY_METRICS.tokenRefreshFailures, 1, { status: statusOf(error) });
      throw error;
    }
  };
}

/** Runs one operation, its latency and outcome measured by operation and status class (never by company). */
function measurer(metrics: GatewayMetrics = noMetrics) {
  return async function measured<T>(operation: ConcurOperationName, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      metrics.time(GATEWAY_METRICS.concurLatency, performance.now() - started, { operation, status: '2xx' });
      return result;
    } catch (error) {
      const status = statusOf(error);
      metrics.time(GATEWAY_METRICS.concurLatency, performance.now() - started, { operation, status });
      metrics.count(GATEWAY_METRICS.concurErrors, 1, { operation, status });
      if (error instanceof ConcurApiError && error.kind === 'forbidden') {
        metrics.count(GATEWAY_METRICS.concurForbidden, 1, { operation });
      }
      throw error;
    }
  };
}

/**
 * One Concur operation for a company: its token and base URL, a deadline, and after an auth failure one refresh
 * and one more try.
 */
function companyCaller({ clients, tokens, budgetMs }: CompanyCallDependencies) {
  return async function call<T>(
    connection: ConnectionRef,
    loginId: string | undefined,
    operation: (client: ConcurClient, context: ConcurCallContext) => Promise<ConcurResult<T>>,
  ): Promise<ConcurCall<T>> {
    const client = clients(connection.appId);
    const deadline = Date.now() + budgetMs;
    const context = (access: CompanyAccess): ConcurCallContext => ({
      baseUrl: access.baseUrl,
      accessToken: access.accessToken,
      authScheme: access.authScheme,
      ...(loginId !== undefined ? { loginId } : {}),
      deadline,
    });
    const access = await tokens.getAccessToken(connection);
    let result: ConcurResult<T>;
    try {
      result = await operation(client, context(access));
    } catch (error) {
      if (!(error instanceof ConcurApiError) || error.kind !== 'auth-expired') throw error;
      let renewed: CompanyAccess;
      try {
        renewed = await tokens.refreshAfterAuthFailure(connection, access.accessToken);
      } catch (refreshError) {
        // Refreshed within the minute and refused again: Concur's refusal stands.
        if (refreshError instanceof RefreshTooSoonError) throw error;
        throw refreshError;
      }
      result = await operation(client, context(renewed));
    }
    return {
      value: result.value,
      correlationId: result.correlationId,
      attempts: result.attempts,
      ...(result.tooLargeToShow ? { tooLargeToShow: true as const } : {}),
    };
  };
}

export function createConcurItinerary(deps: CompanyCallDependencies): ConcurItinerary {
  const call = companyCaller(deps);
  const measured = measurer(deps.metrics);
  const approve = approvalChecker(deps.apps);

  return {
    postBooking: async (connection, { booking, tripId, loginId }) => {
      await approve(connection, [booking.bookingSource]);
      return measured('postBooking', () =>
        call(connection, loginId, (client, c) => client.postBooking(c, booking, tripId)),
      );
    },
    cancelBooking: async (connection, { bookingSource, confirmationNumber, loginId }) => {
      await approve(connection, [bookingSource]);
      return measured('cancelBooking', () =>
        call(connection, loginId, (client, c) => client.cancelBooking(c, bookingSource, confirmationNumber)),
      );
    },
    createTrip: async (connection, { itinerary, loginId }) => {
      await approve(connection, sourcesOf(itinerary));
      return measured('createTrip', () =>
        call(connection, loginId, (client, c) => client.createTrip(c, itinerary)),
      );
    },
    updateTrip: async (connection, { tripId, itinerary, loginId }) => {
      await approve(connection, sourcesOf(itinerary));
      return measured('updateTrip', () =>
        call(connection, loginId, (client, c) => client.updateTrip(c, tripId, itinerary)),
      );
    },
    cancelTrip: (connection, { tripId, loginId }) =>
      measured('cancelTrip', () => call(connection, loginId, (client, c) => client.cancelTrip(c, tripId))),
    getTrip: (connection, { tripId, loginId }) =>
      measured('getTrip', () => call(connection, loginId, (client, c) => client.getTrip(c, tripId))),
    listTrips: (connection, { loginId, ...filters }) =>
      measured('listTrips', () => call(connection, loginId, (client, c) => client.listAllTrips(c, filters))),
  };
}

/** Itinerary v4's trip read, with the company's (company-level) token of the gateway's own app. */
export function createConcurTripsV4(deps: CompanyCallDependencies): ConcurTripsV4 {
  const call = companyCaller(deps);
  const measured = measurer(deps.metrics);
  return {
    read: async (companyId, v4TripId) => {
      try {
        const found = await measured('getTripV4', () =>
          call({ appId: DEFAULT_APP_ID, companyId }, undefined, (client, c) => client.getTripV4(c, v4TripId)),
        );
        return found.value;
      } catch (error) {
        if (error instanceof ConcurApiError && error.kind === 'not-found') return undefined;
        throw error;
      }
    },
  };
}

/** Concur's Identity v4.1 user search with the company's (company-level) token. */
export function createConcurIdentity(deps: CompanyCallDependencies): ConcurIdentity {
  const call = companyCaller(deps);
  const measured = measurer(deps.metrics);
  return {
    lookupScopesMissing: async (connection, kind) => {
      const scope = await deps.tokens.grantedScope(connection);
      return scope === undefined ? [] : missingLookupScopes(scope, kind);
    },
    findUsers: async (connection, lookup) => {
      const found = await measured('findUsers', () =>
        call(connection, undefined, (client, c) => client.searchUsers(c, lookup)),
      );
      return {
        ...found,
        value: {
          totalResults: found.value.totalResults,
          loginIds: found.value.users.map((user) => user.userName),
        },
      };
    },
  };
}
