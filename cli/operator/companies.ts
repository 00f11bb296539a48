/** `concur-gateway companies …`: connect companies to Concur, see their connection, test it. Never a token shown. */
import type { Command } from 'commander';
import { connectCompany } from '../../shared/concur-client';
import type { CompanyTokens } from '../../shared/tokens';
import { operatorConcur } from './concur';
import { emit, OperatorError, table } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

/** Concur's global token endpoint: it answers with the company's own geolocation. */
const DEFAULT_GEOLOCATION = 'https://us.api.concursolutions.com';

/** What may be shown of a company's connection: where, until when, since when; no token. */
export interface CompanyConnection {
  companyId: string;
  geolocation: string;
  authScheme: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string | null;
  lastChangedAt: string | null;
}

function connectionOf(companyId: string, tokens: CompanyTokens, lastChangedAt?: Date): CompanyConnection {
  return {
    companyId,
    geolocation: tokens.baseUrl,
    authScheme: tokens.authScheme ?? 'Bearer',
    accessTokenExpiresAt: tokens.expiresAt,
    refreshTokenExpiresAt: tokens.refreshExpiresAt ?? null,
    lastChangedAt: lastChangedAt?.toISOString() ?? null,
  };
}

async function connections(target: Target, onlyCompanyId?: string): Promise<CompanyConnection[]> {
  const { credentials } = operatorConcur(target);
  const prefix = credentials.companySecretId('');
  const summaries = await target.secrets.listSecrets(prefix);
  const found: CompanyConnection[] = [];
  for (const summary of summaries) {
    const companyId = summary.name.slice(prefix.length);
    if (onlyCompanyId !== undefined && companyId !== onlyCompanyId) continue;
    found.push(connectionOf(companyId, await credentials.readCompany(companyId), summary.lastChangedAt));
  }
  return found;
}

const humanConnection = (c: CompanyConnection) => [
  `company:                ${c.companyId}`,
  `geolocation:            ${c.geolocation}`,
  `access token expires:   ${c.accessTokenExpiresAt}`,
  `refresh token expires:  ${c.refreshTokenExpiresAt ?? 'unknown (connect again to learn it)'}`,
  `last changed:           ${c.lastChangedAt ?? 'unknown'}`,
];

export function registerCompanyCommands(program: Command, operator: OperatorCommand): void {
  const companies = program.command('companies').description('companies and their Concur connection');

  operator(
    companies
      .command('connect')
      .description(
        'store a company’s Concur tokens: exchange a company request token (--request-token, --company-uuid), or give tokens obtained elsewhere (--access-token, --refresh-token, --expires-at)',
      )
      .argument('<id>', 'the company id suppliers use in the gateway’s URLs')
      .option('--request-token <token>', 'a company request token (valid 24 hours, one use)')
      .option('--company-uuid <uuid>', 'the company’s UUID at Concur')
      .option('--geolocation <url>', `where to exchange or call (default ${DEFAULT_GEOLOCATION})`)
      .option('--access-token <token>', 'an access token obtained elsewhere')
      .option('--refresh-token <token>', 'its refresh token')
      .option('--expires-at <instant>', 'when the access token expires (ISO 8601)')
      .option('--refresh-expires-at <instant>', 'when the refresh token expires (ISO 8601)'),
    async (target, options, companyId) => {
      const { credentials } = operatorConcur(target);
      let tokens: CompanyTokens;
      let correlationId: string | undefined;
      if (options.requestToken !== undefined) {
        if (options.companyUuid === undefined)
          throw new OperatorError('--request-token needs --company-uuid');
        if (options.accessToken !== undefined || options.refreshToken !== undefined) {
          throw new OperatorError('give either --request-token or --access-token/--refresh-token, not both');
        }
        const app = await credentials.readApp();
        const answer = await connectCompany({
          geolocation: (options.geolocation as string | undefined) ?? DEFAULT_GEOLOCATION,
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          companyUuid: options.companyUuid as string,
          requestToken: options.requestToken as string,
        });
        correlationId = answer.correlationId;
        tokens = {
          accessToken: answer.accessToken,
          refreshToken: answer.refreshToken,
          expiresAt: new Date(Date.now() + answer.expiresInSeconds * 1000).toISOString(),
          ...(answer.refreshExpiresAtSeconds !== undefined
            ? { refreshExpiresAt: new Date(answer.refreshExpiresAtSeconds * 1000).toISOString() }
            : {}),
          baseUrl: answer.geolocation,
        };
      } else {
        const missing = ['accessToken', 'refreshToken', 'expiresAt'].filter(
          (name) => options[name] === undefined,
        );
        if (missing.length > 0) {
          throw new OperatorError(
            'give --request-token and --company-uuid, or --access-token, --refresh-token and --expires-at',
          );
        }
        tokens = {
          accessToken: options.accessToken as string,
          refreshToken: options.refreshToken as string,
          expiresAt: options.expiresAt as string,
          ...(options.refreshExpiresAt !== undefined
            ? { refreshExpiresAt: options.refreshExpiresAt as string }
            : {}),
          baseUrl: (options.geolocation as string | undefined) ?? DEFAULT_GEOLOCATION,
        };
      }
      await credentials.writeCompany(companyId, tokens);
      const connection = connectionOf(companyId, tokens, new Date());
      emit(options, { ...connection, ...(correlationId ? { correlationId } : {}) }, (c) => [
        `Company ${companyId} connected; its tokens are in ${credentials.companySecretId(companyId)}.`,
        ...humanConnection(c),
      ]);
    },
  );

  operator(
    companies.command('list').description('every connected company (no tokens)'),
    async (target, options) => {
      const list = await connections(target);
      emit(options, { companies: list }, ({ companies: rows }) =>
        rows.length === 0
          ? ['No companies connected.']
          : table(
              ['ID', 'GEOLOCATION', 'ACCESS EXPIRES', 'REFRESH EXPIRES', 'LAST CHANGED'],
              rows.map((c) => [
                c.companyId,
                c.geolocation,
                c.accessTokenExpiresAt,
                c.refreshTokenExpiresAt ?? 'unknown',
                c.lastChangedAt ?? 'unknown',
              ]),
            ),
      );
    },
  );

  operator(
    companies
      .command('show')
      .description('a company’s connection (no tokens)')
      .argument('<id>', 'the company id'),
    async (target, options, companyId) => {
      const [connection] = await connections(target, companyId);
      if (!connection) throw new OperatorError(`company ${companyId} is not connected`);
      emit(options, connection, humanConnection);
    },
  );

  operator(
    companies
      .command('test')
      .description(
        'a harmless Concur call with the company’s tokens (one trip of a list): latency and correlation id',
      )
      .argument('<id>', 'the company id'),
    async (target, options, companyId) => {
      const { client, tokens } = operatorConcur(target);
      const started = performance.now();
      const access = await tokens.getAccessToken(companyId);
      const answer = await client.listTrips(
        {
          baseUrl: access.baseUrl,
          accessToken: access.accessToken,
          authScheme: access.authScheme,
          deadline: Date.now() + 30_000,
        },
        {},
        { page: 1, itemsPerPage: 1 },
      );
      const result = {
        companyId,
        ok: true,
        status: answer.status,
        latencyMs: Math.round(performance.now() - started),
        correlationId: answer.correlationId ?? null,
        geolocation: access.baseUrl,
      };
      emit(options, result, (r) => [
        `Company ${companyId}: Concur answered ${r.status} in ${r.latencyMs} ms (concur-correlationid ${r.correlationId ?? 'none'}).`,
      ]);
    },
  );
}
