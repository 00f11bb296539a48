/**
 * The gateway's ConcurItinerary and ConcurIdentity ports on top of the Concur client and the token provider: each operation gets
 * the company's token and base URL and a deadline, and an auth failure is answered by one refresh and one
 * more try. Concur answers 403 (not only 401) for an expired or revoked token, with no fixed wording, so any
 * 403 gets that one refresh too; a 403 that survives a fresh token is a refusal.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { rateLimitedFetch } from '../adapters/dynamodb/rate-window';
import type { OutboundLimiter } from '../adapters/dynamodb/rate-window';
import { ConcurApiError, ConcurClient } from '../concur-client';
import type { ConcurCallContext, ConcurResult } from '../concur-client';
import type { ConcurCall, ConcurIdentity, ConcurItinerary } from '../gateway/ports';
import { noMetrics, statusClassOf } from '../observability/counter';
import type { CountEvent, GatewayMetrics } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import type { ConcurOperationName } from '../observability/metric-names';
import type { CompanyAccess } from '../tokens';

interface Tokens {
  getAccessToken(companyId: string): Promise<CompanyAccess>;
  refreshAfterAuthFailure(companyId: string, rejectedAccessToken: string): Promise<CompanyAccess>;
}

const mayBeTokenTrouble = (error: ConcurApiError) =>
  error.kind === 'auth-expired' || (error.kind === 'forbidden' && error.status === 403);

/** The client every function uses: each request first takes a slot of the shared outbound rate limit. */
export function createConcurClient(
  logger: Logger,
  limiter: OutboundLimiter,
  count?: CountEvent,
): ConcurClient {
  return new ConcurClient({
    fetch: rateLimitedFetch(limiter, (input, init) => fetch(input, init)),
    count,
    logger: {
      debug: (message, fields) => logger.debug(message, fields),
      info: (message, fields) => logger.info(message, fields),
      warn: (message, fields) => logger.warn(message, fields),
    },
  });
}

interface CompanyCallDependencies {
  client: ConcurClient;
  tokens: Tokens;
  budgetMs: number;
  metrics?: GatewayMetrics;
}

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
      throw error;
    }
  };
}

/**
 * One Concur operation for a company: its token and base URL, a deadline, and after an auth failure one refresh
 * and one more try.
 */
function companyCaller({ tokens, budgetMs }: CompanyCallDependencies) {
  return async function call<T>(
    companyId: string,
    loginId: string | undefined,
    operation: (context: ConcurCallContext) => Promise<ConcurResult<T>>,
  ): Promise<ConcurCall<T>> {
    const deadline = Date.now() + budgetMs;
    const context = (access: CompanyAccess): ConcurCallContext => ({
      baseUrl: access.baseUrl,
      accessToken: access.accessToken,
      authScheme: access.authScheme,
      ...(loginId !== undefined ? { loginId } : {}),
      deadline,
    });
    const access = await tokens.getAccessToken(companyId);
    let result: ConcurResult<T>;
    try {
      result = await operation(context(access));
    } catch (error) {
      if (!(error instanceof ConcurApiError) || !mayBeTokenTrouble(error)) throw error;
      result = await operation(context(await tokens.refreshAfterAuthFailure(companyId, access.accessToken)));
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
  const { client } = deps;
  const call = companyCaller(deps);
  const measured = measurer(deps.metrics);

  return {
    postBooking: (companyId, { booking, tripId, loginId }) =>
      measured('postBooking', () => call(companyId, loginId, (c) => client.postBooking(c, booking, tripId))),
    cancelBooking: (companyId, { bookingSource, confirmationNumber, loginId }) =>
      measured('cancelBooking', () =>
        call(companyId, loginId, (c) => client.cancelBooking(c, bookingSource, confirmationNumber)),
      ),
    createTrip: (companyId, { itinerary, loginId }) =>
      measured('createTrip', () => call(companyId, loginId, (c) => client.createTrip(c, itinerary))),
    updateTrip: (companyId, { tripId, itinerary, loginId }) =>
      measured('updateTrip', () => call(companyId, loginId, (c) => client.updateTrip(c, tripId, itinerary))),
    cancelTrip: (companyId, { tripId, loginId }) =>
      measured('cancelTrip', () => call(companyId, loginId, (c) => client.cancelTrip(c, tripId))),
    getTrip: (companyId, { tripId, loginId }) =>
      measured('getTrip', () => call(companyId, loginId, (c) => client.getTrip(c, tripId))),
    listTrips: (companyId, { loginId, ...filters }) =>
      measured('listTrips', () => call(companyId, loginId, (c) => client.listAllTrips(c, filters))),
  };
}

/** Concur's Identity v4.1 user search with the company's (company-level) token. */
export function createConcurIdentity(deps: CompanyCallDependencies): ConcurIdentity {
  const call = companyCaller(deps);
  const measured = measurer(deps.metrics);
  return {
    findUsers: async (companyId, lookup) => {
      const found = await measured('findUsers', () =>
        call(companyId, undefined, (c) => deps.client.searchUsers(c, lookup)),
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
