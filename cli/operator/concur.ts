/**
 * Concur as the operator's commands reach it: the functions' own client, token provider (refreshing and writing
 * back like the functions do, under the same lease) and ConcurItinerary port, built on the target's clients.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoLocks } from '../../shared/adapters/dynamodb';
import { DynamoRateLimiter } from '../../shared/adapters/dynamodb/rate-window';
import { createConcurClient, createConcurItinerary } from '../../shared/composition/concur-itinerary';
import type { ConcurClient } from '../../shared/concur-client';
import type { ConcurItinerary } from '../../shared/gateway/ports';
import { CompanyCredentials, TokenProvider } from '../../shared/tokens';
import type { Target } from './target';

/** Each Concur operation a command makes gets this long, retries included. */
const OPERATION_BUDGET_MS = 60_000;
/**
 * The functions' default outbound limit per Concur base URL. The command line counts in the same DynamoDB
 * windows as the functions, so an export shares the limit with live traffic instead of adding to it, and it
 * may wait longer for its turn than a request can.
 */
const CONCUR_RATE_PER_MINUTE = 3_000;
const LIMITER_WAIT_MS = 60_000;

export interface OperatorConcur {
  credentials: CompanyCredentials;
  client: ConcurClient;
  tokens: TokenProvider;
  itinerary: ConcurItinerary;
}

export function operatorConcur(target: Target): OperatorConcur {
  // Log lines would mix with the command's output: the command reports what matters itself.
  const logger = new Logger({ serviceName: 'concur-gateway-cli', logLevel: 'SILENT' });
  const credentials = new CompanyCredentials({ store: target.secrets, prefix: target.secretPrefix });
  const limiter = new DynamoRateLimiter({
    client: target.dynamodb,
    tableName: target.tables.state,
    ratePerMinute: CONCUR_RATE_PER_MINUTE,
    maxWaitMs: LIMITER_WAIT_MS,
  });
  const client = createConcurClient(logger, limiter);
  const tokens = new TokenProvider({
    credentials,
    locks: new DynamoLocks({ client: target.dynamodb, tableName: target.tables.state }),
    refresh: (input) => client.refreshToken(input),
  });
  return {
    credentials,
    client,
    tokens,
    itinerary: createConcurItinerary({ client, tokens, budgetMs: OPERATION_BUDGET_MS }),
  };
}
