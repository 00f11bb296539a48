/**
 * `concur-gateway apps …`: the Concur apps the gateway calls Concur as. Each is an OAuth client (id and secret),
 * the booking sources Concur approved for it at its review, and its outbound limit (Concur counts per app); a
 * supplier names its app, and each app has its own connection (tokens) to each company. The client secret is
 * stored, never shown.
 */
import type { Command } from 'commander';
import {
  DEFAULT_APP_RATE_PER_HOUR,
  DEFAULT_APP_RATE_PER_MINUTE,
  MIN_APP_RATE_PER_MINUTE,
} from '../../shared/app-limits';
import { APP_ID_PATTERN, DEFAULT_APP_CACHE_MAX_AGE_MS, DEFAULT_APP_ID } from '../../shared/tokens';
import type { AppCredentials } from '../../shared/tokens';
import { operatorConcur } from './concur';
import { emit, OperatorError, table } from './output';
import type { OperatorCommand } from './run';

/** What may be shown of an app: never its client secret. */
export interface AppView {
  appId: string;
  clientId: string;
  /** Null: the app may post any booking source (Concur decides). */
  bookingSources: string[] | null;
  /** The limits its calls are held to, from every function together, and whether they are its own. */
  ratePerMinute: number;
  ratePerHour: number;
  ownRate: { perMinute: boolean; perHour: boolean };
  secretId: string;
}

const viewOf = (appId: string, app: AppCredentials, secretId: string): AppView => ({
  appId,
  clientId: app.clientId,
  bookingSources: app.bookingSources ?? null,
  ratePerMinute: app.ratePerMinute ?? DEFAULT_APP_RATE_PER_MINUTE,
  ratePerHour: app.ratePerHour ?? DEFAULT_APP_RATE_PER_HOUR,
  ownRate: { perMinute: app.ratePerMinute !== undefined, perHour: app.ratePerHour !== undefined },
  secretId,
});

const sourcesText = (sources: string[] | null) => (sources === null ? 'any' : sources.join(', '));
const rateText = (rate: number, own: boolean) => `${rate}${own ? '' : ' (default)'}`;
const limitText = (v: AppView) =>
  `${rateText(v.ratePerMinute, v.ownRate.perMinute)} a minute, ${rateText(v.ratePerHour, v.ownRate.perHour)} an hour`;

const PER_MINUTE_HELP = `requests a minute its connections may send together (at least ${MIN_APP_RATE_PER_MINUTE}, counted a sixtieth a second; default ${DEFAULT_APP_RATE_PER_MINUTE}, under Concur's 4,000)`;
const PER_HOUR_HELP = `requests an hour its connections may send together (default ${DEFAULT_APP_RATE_PER_HOUR}, under Concur's 240,000)`;

/** A limit as given: a whole number within its bounds, or `default` (undefined) where allowed. */
function parseLimit(option: string, text: string, min: number, allowDefault: boolean): number | undefined {
  if (allowDefault && text === 'default') return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || !Number.isSafeInteger(value)) {
    throw new OperatorError(
      `${option} ${text}: a whole number of requests, at least ${min}${allowDefault ? ', or default' : ''}`,
    );
  }
  return value;
}

/** The limits an app keeps, after the options given (`default` clears one; an absent option keeps it). */
function withLimits(
  app: AppCredentials,
  options: Record<string, unknown>,
  allowDefault: boolean,
): AppCredentials {
  const { ratePerMinute: _minute, ratePerHour: _hour, ...rest } = app;
  const given = (name: string, option: string, min: number, current: number | undefined) =>
    options[name] === undefined ? current : parseLimit(option, options[name] as string, min, allowDefault);
  const ratePerMinute = given(
    'ratePerMinute',
    '--rate-per-minute',
    MIN_APP_RATE_PER_MINUTE,
    app.ratePerMinute,
  );
  const ratePerHour = given('ratePerHour', '--rate-per-hour', 1, app.ratePerHour);
  return {
    ...rest,
    ...(ratePerMinute !== undefined ? { ratePerMinute } : {}),
    ...(ratePerHour !== undefined ? { ratePerHour } : {}),
  };
}

const CACHE_MINUTES = DEFAULT_APP_CACHE_MAX_AGE_MS / 60_000;

export function registerAppCommands(program: Command, operator: OperatorCommand): void {
  const apps = program
    .command('apps')
    .description('the Concur apps (OAuth clients) the gateway calls Concur as');

  operator(
    apps
      .command('add')
      .description(
        `store a Concur app: its OAuth client and the booking sources Concur approved for it (the app "${DEFAULT_APP_ID}" serves suppliers that name none)`,
      )
      .requiredOption('--id <id>', 'the app id suppliers name (letters, digits, . _ -)')
      .requiredOption('--client-id <id>', 'its OAuth client id')
      .requiredOption('--client-secret <secret>', 'its OAuth client secret (stored, never shown)')
      .option(
        '--booking-source <name...>',
        'a booking source Concur approved for the app (repeat for more); without any, the app may post every source',
      )
      .option('--rate-per-minute <n>', PER_MINUTE_HELP)
      .option('--rate-per-hour <n>', PER_HOUR_HELP)
      .option(
        '--replace',
        'replace the app when it exists (its connections, and its limits unless given, stay)',
      ),
    async (target, options) => {
      const appId = options.id as string;
      if (!APP_ID_PATTERN.test(appId)) {
        throw new OperatorError('--id: 1 to 64 of A-Z a-z 0-9 . _ -');
      }
      const sources = options.bookingSource as string[] | undefined;
      const tooLong = sources?.find((source) => source.length > 32);
      if (tooLong !== undefined)
        throw new OperatorError(`--booking-source ${tooLong}: at most 32 characters`);
      const { credentials } = operatorConcur(target);
      const exists = (await credentials.listAppIds()).includes(appId);
      if (!options.replace && exists) {
        throw new OperatorError(`app ${appId} exists; give --replace to change it`);
      }
      const before = exists ? await credentials.readApp(appId) : undefined;
      const app = withLimits(
        {
          clientId: options.clientId as string,
          clientSecret: options.clientSecret as string,
          ...(sources !== undefined ? { bookingSources: [...new Set(sources)] } : {}),
          ...(before?.ratePerMinute !== undefined ? { ratePerMinute: before.ratePerMinute } : {}),
          ...(before?.ratePerHour !== undefined ? { ratePerHour: before.ratePerHour } : {}),
        },
        options,
        false,
      );
      await credentials.writeApp(appId, app);
      const view = viewOf(appId, app, credentials.appSecretId(appId));
      emit(options, view, (v) => [
        `App ${v.appId} stored in ${v.secretId} (client ${v.clientId}; booking sources: ${sourcesText(v.bookingSources)}; limit ${limitText(v)}).`,
        `Connect companies for it with: concur-gateway companies connect COMPANY --app ${v.appId} …`,
      ]);
    },
  );

  operator(
    apps.command('list').description('every Concur app (never its client secret)'),
    async (target, options) => {
      const { credentials } = operatorConcur(target);
      const list: AppView[] = [];
      for (const appId of await credentials.listAppIds()) {
        list.push(viewOf(appId, await credentials.readApp(appId), credentials.appSecretId(appId)));
      }
      emit(options, { apps: list }, ({ apps: rows }) =>
        rows.length === 0
          ? ['No apps.']
          : table(
              ['ID', 'CLIENT ID', 'BOOKING SOURCES', 'PER MINUTE', 'PER HOUR'],
              rows.map((a) => [
                a.appId,
                a.clientId,
                sourcesText(a.bookingSources),
                rateText(a.ratePerMinute, a.ownRate.perMinute),
                rateText(a.ratePerHour, a.ownRate.perHour),
              ]),
            ),
      );
    },
  );

  operator(
    apps
      .command('show')
      .description(
        'one Concur app: its client, approved sources and outbound limit (never its client secret)',
      )
      .argument('<id>', 'the app id'),
    async (target, options, appId) => {
      const { credentials } = operatorConcur(target);
      const view = viewOf(appId, await credentials.readApp(appId), credentials.appSecretId(appId));
      emit(options, view, (v) => [
        `app:             ${v.appId}`,
        `client id:       ${v.clientId}`,
        `booking sources: ${sourcesText(v.bookingSources)}`,
        `limit:           ${limitText(v)}, all its connections together`,
        `secret:          ${v.secretId}`,
      ]);
    },
  );

  operator(
    apps
      .command('update')
      .description(
        "change a Concur app's outbound limit, counted across every company and geolocation it serves (the functions apply it within minutes)",
      )
      .argument('<id>', 'the app id')
      .option('--rate-per-minute <n|default>', `${PER_MINUTE_HELP}; default: back to the default`)
      .option('--rate-per-hour <n|default>', `${PER_HOUR_HELP}; default: back to the default`),
    async (target, options, appId) => {
      if (options.ratePerMinute === undefined && options.ratePerHour === undefined)
        throw new OperatorError('give --rate-per-minute, --rate-per-hour or both');
      const { credentials } = operatorConcur(target);
      const app = withLimits(await credentials.readApp(appId), options, true);
      await credentials.writeApp(appId, app);
      const view = viewOf(appId, app, credentials.appSecretId(appId));
      emit(options, view, (v) => [
        `App ${v.appId} now has the limit ${limitText(v)} (within ${CACHE_MINUTES} minutes).`,
      ]);
    },
  );
}
