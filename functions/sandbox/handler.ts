/**
 * Lambda behind a function URL with IAM auth: the hosted sandbox, the Concur simulator serving every supplier's
 * sandbox company (`sandbox-{supplierId}`) from the state table. Only principals the stack lets invoke the URL
 * (the gateway's functions, signing with their roles) reach it; the company is the path's, and the gateway
 * only ever calls the path of the test key's own sandbox company.
 */
import type { LambdaFunctionURLEvent, LambdaFunctionURLResult, Context } from 'aws-lambda';
import { createHostedSandbox } from '../../local/simulator/hosted/hosted-sandbox';
import type { SimulatorSnapshot } from '../../local/simulator/snapshot';
import { DEFAULT_USERS } from '../../local/simulator/identity';
import {
  DynamoVersionedDocuments,
  SANDBOX_STATE_PARTITION_PREFIX,
} from '../../shared/adapters/dynamodb/versioned-documents';
import { dynamoDbClient, stateTableName } from '../../shared/composition/dynamodb';
import { FORWARDED_AUTHORIZATION } from '../../shared/adapters/function-url/signed-fetch';
import { isSandboxCompany } from '../../shared/sandbox';
import {
  HOSTED_SANDBOX_CLIENT,
  HOSTED_SANDBOX_SCOPES,
  hostedSandboxAccessToken,
  hostedSandboxRefreshToken,
} from '../../shared/sandbox/hosted';

/** Time kept back from the function's end to write the state and answer. */
const ANSWER_MARGIN_MS = 2_000;

let remainingMs = () => 0;

const serve = createHostedSandbox({
  store: new DynamoVersionedDocuments<SimulatorSnapshot>({
    client: dynamoDbClient(),
    tableName: stateTableName(),
    prefix: SANDBOX_STATE_PARTITION_PREFIX,
  }),
  serves: (companyId) => isSandboxCompany(companyId) && /^[A-Za-z0-9_.-]{1,200}$/.test(companyId),
  company: (companyId) => ({
    company: {
      id: companyId,
      users: [...DEFAULT_USERS],
      accessToken: hostedSandboxAccessToken(companyId),
      refreshToken: hostedSandboxRefreshToken(companyId),
      scopes: [...HOSTED_SANDBOX_SCOPES],
    },
    client: { companyId, ...HOSTED_SANDBOX_CLIENT },
  }),
  deadline: () => Date.now() + remainingMs() - ANSWER_MARGIN_MS,
});

export async function handler(
  event: LambdaFunctionURLEvent,
  context: Context,
): Promise<LambdaFunctionURLResult> {
  remainingMs = () => context.getRemainingTimeInMillis();
  const body = event.body
    ? event.isBase64Encoded
      ? Buffer.from(event.body, 'base64').toString('utf8')
      : event.body
    : '';
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  // The Authorization header carried the caller's signature; the Concur token came beside it.
  delete headers.authorization;
  const forwarded = headers[FORWARDED_AUTHORIZATION];
  if (forwarded !== undefined) headers.authorization = forwarded;
  const answer = await serve(
    {
      method: event.requestContext.http.method,
      path: event.rawPath,
      query: event.rawQueryString,
      headers,
      body,
    },
    `https://${event.requestContext.domainName}`,
  );
  return { statusCode: answer.status, headers: answer.headers, body: answer.body };
}
