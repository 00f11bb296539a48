/**
 * `concur-gateway apps …`: the Concur apps the gateway calls Concur as. Each is an OAuth client (id and secret)
 * and the booking sources Concur approved for it at its review; a supplier names its app, and each app has its
 * own connection (tokens) to each company. The client secret is stored, never shown.
 */
import type { Command } from 'commander';
import { APP_ID_PATTERN, DEFAULT_APP_ID } from '../../shared/tokens';
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
  secretId: string;
}

const viewOf = (appId: string, app: AppCredentials, secretId: string): AppView => ({
  appId,
  clientId: app.clientId,
  bookingSources: app.bookingSources ?? null,
  secretId,
});

const sourcesText = (sources: string[] | null) => (sources === null ? 'any' : sources.join(', '));

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
      .option('--replace', 'replace the app when it exists (its connections stay)'),
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
      if (!options.replace && (await credentials.listAppIds()).includes(appId)) {
        throw new OperatorError(`app ${appId} exists; give --replace to change it`);
      }
      const app: AppCredentials = {
        clientId: options.clientId as string,
        clientSecret: options.clientSecret as string,
        ...(sources !== undefined ? { bookingSources: [...new Set(sources)] } : {}),
      };
      await credentials.writeApp(appId, app);
      const view = viewOf(appId, app, credentials.appSecretId(appId));
      emit(options, view, (v) => [
        `App ${v.appId} stored in ${v.secretId} (client ${v.clientId}; booking sources: ${sourcesText(v.bookingSources)}).`,
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
              ['ID', 'CLIENT ID', 'BOOKING SOURCES'],
              rows.map((a) => [a.appId, a.clientId, sourcesText(a.bookingSources)]),
            ),
      );
    },
  );
}
