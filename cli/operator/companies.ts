/**
 * `concur-gateway companies …`: connect companies to Concur (one connection per Concur app and company), see the
 * connections, test one. Never a token shown.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { DynamoChangeNoticeModes } from '../../shared/change-notices/dynamo-records';
import { CHANGE_NOTICE_MODES } from '../../shared/change-notices/ports';
import type { ChangeNoticeMode } from '../../shared/change-notices/ports';
import { CONCUR_GLZ_URL, connectCompany } from '../../shared/concur-client';
import { ConnectionKeepAlive, KEEP_ALIVE_DEFAULTS } from '../../shared/keep-alive';
import { DEFAULT_APP_ID, featuresOf } from '../../shared/tokens';
import type { CompanyTokens, ConnectionRef } from '../../shared/tokens';
import { operatorConcur } from './concur';
import { emit, OperatorError, parseDuration, table } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

/** Where tokens obtained elsewhere are used when no --geolocation names the company's. */
const DEFAULT_GEOLOCATION = 'https://us.api.concursolutions.com';

/**
 * Where a company request token is exchanged: `--geolocation` when given, else `CONCUR_GLZ_URL`, else the local
 * simulator's GLZ for `--local` data served by npm start, else Concur's GLZ base URI.
 */
function exchangeUrl(target: Target, override: string | undefined, env = process.env): string {
  if (override !== undefined) return override;
  if (env.CONCUR_GLZ_URL) return env.CONCUR_GLZ_URL;
  if (target.localSimulatorUrl !== undefined) return `${target.localSimulatorUrl}/glz`;
  return CONCUR_GLZ_URL;
}

/** What may be shown of a connection (a Concur app's access to a company): where, until when, since when. */
export interface CompanyConnection {
  companyId: string;
  appId: string;
  geolocation: string;
  authScheme: string;
  accessTokenExpiresAt: string;
  refreshTokenExpiresAt: string | null;
  /** When Concur last issued tokens for the connection (a connect or a refresh). */
  refreshedAt: string | null;
  /** The scopes Concur granted, as it answered them; null when it was never told. */
  scopes: string[] | null;
  /** What the scopes allow of the gateway's features; null when the scopes are not known. */
  features: string[] | null;
  lastChangedAt: string | null;
}

function connectionView(
  { companyId, appId }: ConnectionRef,
  tokens: CompanyTokens,
  lastChangedAt?: Date,
): CompanyConnection {
  return {
    companyId,
    appId,
    geolocation: tokens.baseUrl,
    authScheme: tokens.authScheme ?? 'Bearer',
    accessTokenExpiresAt: tokens.expiresAt,
    refreshTokenExpiresAt: tokens.refreshExpiresAt ?? null,
    refreshedAt: tokens.refreshedAt ?? null,
    scopes: tokens.scope === undefined ? null : tokens.scope.split(/\s+/).filter(Boolean),
    features: tokens.scope === undefined ? null : featuresOf(tokens.scope),
    lastChangedAt: lastChangedAt?.toISOString() ?? null,
  };
}

/** Every connection (of one company, when given), by company then app. */
async function connections(target: Target, onlyCompanyId?: string): Promise<CompanyConnection[]> {
  const { credentials } = operatorConcur(target);
  const found: CompanyConnection[] = [];
  for (const { ref, lastChangedAt } of await credentials.listConnections()) {
    if (onlyCompanyId !== undefined && ref.companyId !== onlyCompanyId) continue;
    found.push(connectionView(ref, await credentials.readConnection(ref), lastChangedAt));
  }
  return found.sort((a, b) => a.companyId.localeCompare(b.companyId) || a.appId.localeCompare(b.appId));
}

/**
 * Refuses a company the gateway has no Concur connection for: a command that names it would otherwise find
 * nothing and say nothing (a typo), or hand a supplier a company no request can reach.
 */
export async function requireConnectedCompany(
  target: Target,
  companyId: string,
  appId?: string,
): Promise<void> {
  const found = (await connections(target, companyId)).filter(
    (connection) => appId === undefined || connection.appId === appId,
  );
  if (found.length === 0)
    throw new OperatorError(
      `no company ${companyId}: it is not connected to Concur${appId === undefined ? '' : ` for app ${appId}`} (companies list shows the connections; companies connect ${companyId}${appId === undefined || appId === DEFAULT_APP_ID ? '' : ` --app ${appId}`} connects it)`,
    );
}

/** How the gateway learns of the company's changes made in Concur (ESS, the poller, or not at all). */
const changeNoticeModes = (target: Target) =>
  new DynamoChangeNoticeModes({ client: target.dynamodb, tableName: target.tables.state });

const CHANGE_NOTICES_HELP: Record<ChangeNoticeMode, string> = {
  ess: 'ESS events (Concur delivers them to POST /v1/concur/events)',
  poll: 'polled (the trip lists of travelers with live bookings, every CHANGE_POLL_INTERVAL)',
  off: 'not followed (changes made in Concur are neither applied nor polled)',
};

const humanConnection = (c: CompanyConnection) => [
  `company:                ${c.companyId}`,
  `app:                    ${c.appId}`,
  `geolocation:            ${c.geolocation}`,
  `access token expires:   ${c.accessTokenExpiresAt}`,
  `refresh token expires:  ${c.refreshTokenExpiresAt ?? 'unknown (connect again to learn it)'}`,
  `last refreshed:         ${c.refreshedAt ?? 'unknown'}`,
  `scopes:                 ${c.scopes === null ? 'unknown (Concur tells them at the next refresh)' : c.scopes.join(' ')}`,
  `allows:                 ${c.features === null ? 'unknown' : c.features.join(', ') || 'nothing the gateway uses'}`,
  `last changed:           ${c.lastChangedAt ?? 'unknown'}`,
];

export function registerCompanyCommands(program: Command, operator: OperatorCommand): void {
  const companies = program.command('companies').description('companies and their Concur connection');

  operator(
    companies
      .command('connect')
      .description(
        'store a Concur app’s tokens for a company: exchange a company request token (--request-token, --company-uuid), or give tokens obtained elsewhere (--access-token, --refresh-token, --expires-at)',
      )
      .argument('<id>', 'the company id suppliers use in the gateway’s URLs')
      .option('--app <id>', 'the Concur app the tokens are for (see apps list)', DEFAULT_APP_ID)
      .option(
        '--request-token <token>',
        'a company request token (valid 24 hours; sent again with the same token when an answer is lost)',
      )
      .option('--company-uuid <uuid>', 'the company’s UUID at Concur')
      .option(
        '--geolocation <url>',
        `where to exchange the request token instead of Concur's GLZ (${CONCUR_GLZ_URL}, or CONCUR_GLZ_URL; Concur's answer names the company's geolocation, which is stored), or where tokens obtained elsewhere are used (default ${DEFAULT_GEOLOCATION})`,
      )
      .option('--access-token <token>', 'an access token obtained elsewhere')
      .option('--refresh-token <token>', 'its refresh token')
      .option('--expires-at <instant>', 'when the access token expires (ISO 8601)')
      .option('--refresh-expires-at <instant>', 'when the refresh token expires (ISO 8601)')
      .addOption(
        new Option(
          '--change-notices <mode>',
          'how the gateway learns of changes made in Concur: ess (Concur’s ESS delivers events), poll (the trip lists are polled; a company never set is polled) or off; alone, changes only this of a connected company',
        ).choices(CHANGE_NOTICE_MODES),
      ),
    async (target, options, companyId) => {
      const { credentials, fetchFor } = operatorConcur(target);
      const ref: ConnectionRef = { appId: options.app as string, companyId };
      const mode = options.changeNotices as ChangeNoticeMode | undefined;
      const tokenOptions = ['requestToken', 'companyUuid', 'accessToken', 'refreshToken', 'expiresAt'];
      if (mode !== undefined && tokenOptions.every((name) => options[name] === undefined)) {
        await requireConnectedCompany(target, companyId);
        await changeNoticeModes(target).setMode(companyId, mode);
        emit(options, { companyId, changeNotices: mode }, () => [
          `Company ${companyId}: changes made in Concur are ${CHANGE_NOTICES_HELP[mode]}.`,
        ]);
        return;
      }
      let tokens: CompanyTokens;
      let correlationId: string | undefined;
      let exchanges: number | undefined;
      if (options.requestToken !== undefined) {
        if (options.companyUuid === undefined)
          throw new OperatorError('--request-token needs --company-uuid');
        if (options.accessToken !== undefined || options.refreshToken !== undefined) {
          throw new OperatorError('give either --request-token or --access-token/--refresh-token, not both');
        }
        const app = await credentials.readApp(ref.appId);
        const answer = await connectCompany({
          baseUrl: exchangeUrl(target, options.geolocation as string | undefined),
          clientId: app.clientId,
          clientSecret: app.clientSecret,
          companyUuid: options.companyUuid as string,
          requestToken: options.requestToken as string,
          // Sent with the app's credentials: Concur counts it against the app, so the gateway does too.
          fetch: fetchFor(ref.appId),
        });
        correlationId = answer.correlationId;
        exchanges = answer.attempts;
        tokens = {
          accessToken: answer.accessToken,
          refreshToken: answer.refreshToken,
          expiresAt: new Date(Date.now() + answer.expiresInSeconds * 1000).toISOString(),
          ...(answer.refreshExpiresAtSeconds !== undefined
            ? { refreshExpiresAt: new Date(answer.refreshExpiresAtSeconds * 1000).toISOString() }
            : {}),
          baseUrl: answer.geolocation,
          ...(answer.scope !== undefined ? { scope: answer.scope } : {}),
          refreshedAt: new Date().toISOString(),
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
        // Tokens of an app that does not exist could never be refreshed.
        await credentials.readApp(ref.appId);
      }
      await credentials.writeConnection(ref, tokens);
      if (mode !== undefined) await changeNoticeModes(target).setMode(companyId, mode);
      const connection = connectionView(ref, tokens, new Date());
      const shown = {
        ...connection,
        changeNotices: await changeNoticeModes(target).modeOf(companyId),
        ...(correlationId ? { correlationId } : {}),
        ...(exchanges !== undefined ? { exchanges } : {}),
      };
      emit(options, shown, (c) => [
        `Company ${companyId} connected for app ${ref.appId}; its tokens are in ${credentials.connectionSecretId(ref)}.`,
        ...(exchanges !== undefined && exchanges > 1
          ? [`The request token was sent ${exchanges} times: the earlier exchanges got no answer or a 5xx.`]
          : []),
        ...humanConnection(c),
        `change notices:         ${c.changeNotices}`,
      ]);
    },
  );

  operator(
    companies.command('list').description('every connection of a Concur app to a company (no tokens)'),
    async (target, options) => {
      const list = await connections(target);
      emit(options, { companies: list }, ({ companies: rows }) =>
        rows.length === 0
          ? ['No companies connected.']
          : table(
              ['ID', 'APP', 'GEOLOCATION', 'REFRESHED', 'REFRESH EXPIRES', 'SCOPES'],
              rows.map((c) => [
                c.companyId,
                c.appId,
                c.geolocation,
                c.refreshedAt ?? 'unknown',
                c.refreshTokenExpiresAt ?? 'unknown',
                c.scopes === null ? 'unknown' : c.scopes.join(' '),
              ]),
            ),
      );
    },
  );

  operator(
    companies
      .command('show')
      .description('a company’s connections, one per Concur app (no tokens)')
      .argument('<id>', 'the company id')
      .option('--app <id>', 'only the connection of this Concur app'),
    async (target, options, companyId) => {
      const appId = options.app as string | undefined;
      const found = (await connections(target, companyId)).filter(
        (connection) => appId === undefined || connection.appId === appId,
      );
      if (found.length === 0) {
        throw new OperatorError(
          `no company ${companyId}: it is not connected to Concur${appId === undefined ? '' : ` for app ${appId}`} (companies list shows the connections)`,
        );
      }
      const changeNotices = await changeNoticeModes(target).modeOf(companyId);
      emit(options, { changeNotices, connections: found }, ({ connections: shown }) => [
        `change notices:         ${changeNotices}: ${CHANGE_NOTICES_HELP[changeNotices]}`,
        '',
        ...shown.flatMap((connection, index) => [...(index > 0 ? [''] : []), ...humanConnection(connection)]),
      ]);
    },
  );

  operator(
    companies
      .command('test')
      .description(
        'a harmless Concur call with the company’s tokens (one trip of a list): latency and correlation id',
      )
      .argument('<id>', 'the company id')
      .option('--app <id>', 'the Concur app whose connection to test', DEFAULT_APP_ID),
    async (target, options, companyId) => {
      const { clients, tokens } = operatorConcur(target);
      const appId = options.app as string;
      const started = performance.now();
      const access = await tokens.getAccessToken({ appId, companyId });
      const answer = await clients(appId).listTrips(
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

  operator(
    companies
      .command('keep-alive')
      .description(
        'refresh every connection not refreshed for a while (what the scheduled keep-alive does), so that no refresh token reaches its six months unused; exit 1 when Concur refused or a refresh failed',
      )
      .option(
        '--older-than <duration>',
        'refresh the connections not refreshed for this long (e.g. 7d, 24h; 0 refreshes every one)',
        '7d',
      ),
    async (target, options) => {
      const olderThanMs = parseDuration(options.olderThan as string);
      const { credentials, tokens } = operatorConcur(target);
      const report = await new ConnectionKeepAlive({ connections: credentials, tokens }).run({ olderThanMs });
      if (report.refused > 0 || report.failed > 0) process.exitCode = 1;
      emit(options, report, (r) => [
        ...(r.connections.length === 0
          ? ['No companies connected.']
          : table(
              ['ID', 'APP', 'OUTCOME', 'REFRESHED', 'REFRESH EXPIRES', 'ATTENTION'],
              r.connections.map((c) => [
                c.companyId,
                c.appId,
                c.outcome,
                c.refreshedAt ?? 'unknown',
                c.refreshExpiresAt ?? 'unknown',
                [
                  ...(c.outcome === 'refused' ? ['connect it again (Concur refused its refresh token)'] : []),
                  ...(c.outcome === 'failed' ? [`refresh failed: ${c.reason ?? 'unknown'}`] : []),
                  ...(c.stale
                    ? [`not refreshed for ${KEEP_ALIVE_DEFAULTS.staleAfterMs / 86_400_000} days`]
                    : []),
                  ...(c.expiring ? ['refresh token ends within 30 days: connect it again'] : []),
                ].join('; '),
              ]),
            )),
        `${r.refreshed} refreshed, ${r.recent} refreshed recently (left alone), ${r.refused} refused, ${r.failed} failed.`,
      ]);
    },
  );
}
