/**
 * Concur as the operator's commands reach it: the functions' own clients (one per Concur app), token provider
 * (refreshing and writing back like the functions do, under the same lease) and ConcurItinerary port, built on
 * the target's clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoLocks } from '../../shared/adapters/dynamodb';
import { DynamoRateLimiter, rateLimitedFetch } from '../../shared/adapters/dynamodb/rate-window';
import { appRateLimits } from '../../shared/app-limits';
import { clientsByApp, createConcurItinerary } from '../../shared/composition/concur-itinerary';
import type { ConcurClients } from '../../shared/composition/concur-itinerary';
import type { ConcurItinerary } from '../../shared/gateway/ports';
import { AppDirectory, CompanyCredentials, TokenProvider } from '../../shared/tokens';
import type { Target } from './target';

/** Each Concur operation a command makes gets this long, retries included. */
const OPERATION_BUDGET_MS = 60_000;
/**
 * The command line counts in the same DynamoDB windows as the functions, under each app's limits (its own or the
 * product's defaults), so an export shares its app's limit with live traffic instead of adding to it, and it may
 * wait longer for its turn than a request can.
 */
const LIMITER_WAIT_MS = 60_000;

export interface OperatorConcur {
  credentials: CompanyCredentials;
  clients: ConcurClients;
  /** `fetch` whose requests count against the app's limit (a company's connect). */
  fetchFor(appId: string): typeof fetch;
  tokens: TokenProvider;
  itinerary: ConcurItinerary;
}

export function operatorConcur(target: Target): OperatorConcur {
  // Log lines would mix with the command's output: the command reports what matters itself.
  const logger = new Logger({ serviceName: 'concur-gateway-cli', logLevel: 'SILENT' });
  const credentials = new CompanyCredentials({ store: target.secrets, prefix: target.secretPrefix });
  const apps = new AppDirectory({ credentials });
  const limiter = new DynamoRateLimiter({
    client: target.dynamodb,
    tableName: target.tables.state,
    limitsOf: async (appId) => appRateLimits(await apps.rateSettings(appId)),
    maxWaitMs: LIMITER_WAIT_MS,
  });
  const clients = clientsByApp(logger, limiter);
  const tokens = new TokenProvider({
    credentials,
    locks: new DynamoLocks({ client: target.dynamodb, tableName: target.tables.state }),
    refresh: (input) => clients(input.appId).refreshToken(input),
  });
  return {
    credentials,
    clients,
    fetchFor: (appId) => rateLimitedFetch(limiter, appId, (input, init) => fetch(input, init)),
    tokens,
    itinerary: createConcurItinerary({ clients, tokens, budgetMs: OPERATION_BUDGET_MS }),
  };
}
