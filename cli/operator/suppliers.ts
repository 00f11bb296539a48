/** `concur-gateway suppliers …`: onboard suppliers, list and show them, rotate and end their API keys. */
import type { Command } from 'commander';
import { Option } from 'commander';
import { VALIDATION_PROFILES } from '../../shared/concur';
import type { ValidationProfile } from '../../shared/concur';
import {
  DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS,
  DynamoSupplierDirectory,
  generateApiKey,
  MAX_SUPPLIER_RATE_PER_SECOND,
} from '../../shared/suppliers';
import type { SupplierRecord } from '../../shared/suppliers';
import { DEFAULT_WEBHOOK_SECRETS_MAX_AGE_MS, WebhookSecrets } from '../../shared/events/webhooks';
import { DEFAULT_APP_ID } from '../../shared/tokens';
import { generateTestApiKey, sandboxCompanyId, sandboxPrincipal } from '../../shared/sandbox';
import type { Supplier } from '../../shared/gateway/ports';
import { DynamoSupplierActivity } from '../../shared/activity/dynamo-activity';
import { requireConnectedCompany } from './companies';
import { operatorConcur } from './concur';
import { registerEndpointCommands } from './endpoints';
import { emit, OperatorError, parseDuration, table } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

/** How long a warm function may still accept what a command ended: a key, a supplier, a webhook secret. */
const CACHE_SECONDS = DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS / 1000;
const SECRETS_CACHE_SECONDS = DEFAULT_WEBHOOK_SECRETS_MAX_AGE_MS / 1000;

const countsText = (byStatus: Record<string, number>) =>
  Object.keys(byStatus).length === 0
    ? 'none'
    : Object.entries(byStatus)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, count]) => `${count} ${status}`)
        .join(', ');

/**
 * What the supplier's records tell of its activity, from the activity index: its mappings and operations by
 * status, and the newest change either made (the last request that changed something; reads leave no record).
 */
async function supplierActivityOf(
  activity: DynamoSupplierActivity,
  principal: Pick<Supplier, 'id' | 'bookingSource'>,
  inCompany: (companyId: string) => boolean,
) {
  const [bookings, operations] = await Promise.all([
    activity.countByStatus({ bookingSource: principal.bookingSource }, inCompany),
    activity.countByStatus({ supplierId: principal.id }),
  ]);
  const summary = (counted: { counts: Record<string, number>; lastChangeAt?: string }) => ({
    total: Object.values(counted.counts).reduce((sum, count) => sum + count, 0),
    byStatus: counted.counts,
    ...(counted.lastChangeAt ? { lastChangeAt: counted.lastChangeAt } : {}),
  });
  const lastRequestAt = [bookings.lastChangeAt, operations.lastChangeAt]
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  return {
    bookings: summary(bookings),
    operations: summary(operations),
    ...(lastRequestAt ? { lastRequestAt } : {}),
  };
}

const RATE_HELP = `requests a second it may send (1 to ${MAX_SUPPLIER_RATE_PER_SECOND}); without it, the stage's default`;

function parseRate(text: string): number {
  const rate = Number(text);
  if (!/^\d+$/.test(text) || rate < 1 || rate > MAX_SUPPLIER_RATE_PER_SECOND)
    throw new OperatorError(
      `--rate ${text}: a whole number of requests a second from 1 to ${MAX_SUPPLIER_RATE_PER_SECOND}`,
    );
  return rate;
}

const rateText = (ratePerSecond: number | undefined) =>
  ratePerSecond === undefined ? "the stage's default rate" : `${ratePerSecond} requests a second`;

function directoryOf(target: Target): DynamoSupplierDirectory {
  return new DynamoSupplierDirectory({ client: target.dynamodb, tableName: target.tables.state });
}

export function registerSupplierCommands(program: Command, operator: OperatorCommand): void {
  const suppliers = program.command('suppliers').description('suppliers of bookings and their API keys');

  operator(
    suppliers
      .command('add')
      .description('add a supplier and print its first API key (shown this once)')
      .requiredOption('--id <id>', 'the supplier id')
      .requiredOption('--booking-source <name>', 'its Concur BookingSource (at most 32 characters)')
      .requiredOption('--company <id...>', 'a company it may post to (repeat for more)')
      .addOption(
        new Option('--profile <profile>', 'its validation rules').choices(VALIDATION_PROFILES).default('tmc'),
      )
      .option(
        '--concur-app <id>',
        'the Concur app it posts through (see apps list); the default app if left out',
      )
      .option('--rate <n>', RATE_HELP),
    async (target, options) => {
      const directory = directoryOf(target);
      const concurApp = options.concurApp as string | undefined;
      const ratePerSecond = options.rate === undefined ? undefined : parseRate(options.rate as string);
      const supplier = {
        id: options.id as string,
        bookingSource: options.bookingSource as string,
        companies: options.company as string[],
        profile: options.profile as ValidationProfile,
        ...(concurApp !== undefined ? { concurApp } : {}),
        ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
      };
      if (supplier.bookingSource.length > 32)
        throw new OperatorError('--booking-source: at most 32 characters');
      const appId = concurApp ?? DEFAULT_APP_ID;
      const app = await operatorConcur(target).credentials.readApp(appId);
      // Concur would refuse every post: say so now rather than at the supplier's first booking.
      if (app.bookingSources !== undefined && !app.bookingSources.includes(supplier.bookingSource)) {
        throw new OperatorError(
          `Concur did not approve booking source ${supplier.bookingSource} for app ${appId} (it has ${app.bookingSources.join(', ') || 'none'}): add it with apps add --id ${appId} --replace …, or name another --concur-app`,
        );
      }
      for (const companyId of supplier.companies) await requireConnectedCompany(target, companyId, appId);
      await directory.addSupplier(supplier);
      const apiKey = generateApiKey();
      await directory.addApiKey(supplier.id, apiKey);
      const testApiKey = generateTestApiKey();
      await directory.addApiKey(supplier.id, testApiKey);
      const sandbox = sandboxCompanyId(supplier.id);
      emit(options, { supplier, apiKey, testApiKey, sandboxCompany: sandbox }, () => [
        `Supplier ${supplier.id} added (booking source ${supplier.bookingSource}, Concur app ${appId}, companies ${supplier.companies.join(', ')}, profile ${supplier.profile}, ${rateText(ratePerSecond)}).`,
        'Its API keys, shown only this once (only their hashes are stored):',
        `live: ${apiKey}`,
        `test: ${testApiKey} (reaches only its sandbox company ${sandbox}, at the simulator)`,
      ]);
    },
  );

  operator(
    suppliers.command('list').description('every supplier and whether it is enabled'),
    async (target, options) => {
      const list = await directoryOf(target).listSuppliers();
      emit(options, { suppliers: list }, ({ suppliers: rows }) =>
        rows.length === 0
          ? ['No suppliers.']
          : table(
              ['ID', 'BOOKING SOURCE', 'APP', 'COMPANIES', 'PROFILE', 'RATE', 'STATE', 'UPDATED'],
              rows.map((s: SupplierRecord) => [
                s.id,
                s.bookingSource,
                s.concurApp ?? DEFAULT_APP_ID,
                s.companies.join(','),
                s.profile,
                s.ratePerSecond === undefined ? 'default' : `${s.ratePerSecond}/s`,
                s.disabled ? 'disabled' : 'enabled',
                s.updatedAt,
              ]),
            ),
      );
    },
  );

  operator(
    suppliers
      .command('show')
      .description(
        'a supplier and its activity: bookings and operations by status, its last request (never a key)',
      )
      .argument('<id>', 'the supplier id'),
    async (target, options, id) => {
      const supplier = await directoryOf(target).getSupplierRecord(id);
      if (!supplier) throw new OperatorError(`no supplier ${id}`);
      const records = new DynamoSupplierActivity({ client: target.dynamodb, tableName: target.tables.state });
      // Live and test activity from the same records: the sandbox company's bookings are the test key's.
      const sandbox = sandboxCompanyId(supplier.id);
      const [activity, testActivity] = await Promise.all([
        supplierActivityOf(records, supplier, (companyId) => companyId !== sandbox),
        supplierActivityOf(records, sandboxPrincipal(supplier), (companyId) => companyId === sandbox),
      ]);
      emit(options, { supplier, activity, testActivity }, () => [
        `Supplier ${supplier.id}: booking source ${supplier.bookingSource}, Concur app ${supplier.concurApp ?? DEFAULT_APP_ID}, companies ${supplier.companies.join(', ')}, profile ${supplier.profile}, ${supplier.disabled ? 'disabled' : 'enabled'}, updated ${supplier.updatedAt}.`,
        `Bookings (${activity.bookings.total}): ${countsText(activity.bookings.byStatus)}`,
        `Operations (${activity.operations.total}): ${countsText(activity.operations.byStatus)}`,
        `Last request: ${activity.lastRequestAt ?? 'none recorded'}`,
        `Test mode (company ${sandbox}): bookings (${testActivity.bookings.total}): ${countsText(testActivity.bookings.byStatus)}; operations (${testActivity.operations.total}): ${countsText(testActivity.operations.byStatus)}; last request: ${testActivity.lastRequestAt ?? 'none recorded'}`,
      ]);
    },
  );

  operator(
    suppliers
      .command('update')
      .description(`change a supplier's settings (functions see them within ${CACHE_SECONDS} s)`)
      .argument('<id>', 'the supplier id')
      .requiredOption('--rate <n|default>', `${RATE_HELP}; default: the stage's`),
    async (target, options, id) => {
      const text = options.rate as string;
      const ratePerSecond = text === 'default' ? undefined : parseRate(text);
      await directoryOf(target).setRate(id, ratePerSecond);
      emit(options, { supplierId: id, ratePerSecond: ratePerSecond ?? null }, () => [
        `Supplier ${id} now has ${rateText(ratePerSecond)} (within ${CACHE_SECONDS} s).`,
      ]);
    },
  );

  operator(
    suppliers
      .command('rotate-key')
      .description('print a new API key; the supplier’s other keys keep working for the grace, then stop')
      .argument('<id>', 'the supplier id')
      .option('--test', 'a new test key (cgw_test_…) instead; only the test keys end, the live ones stay')
      .option(
        '--grace <duration>',
        'how long the old keys keep working: 0 ends them now; e.g. 30m, 24h, 7d',
        '24h',
      ),
    async (target, options, id) => {
      const graceMs = parseDuration(options.grace as string);
      const directory = directoryOf(target);
      if (!(await directory.getSupplierRecord(id))) throw new OperatorError(`no supplier ${id}`);
      const mode = options.test ? 'test' : 'live';
      const apiKey = mode === 'test' ? generateTestApiKey() : generateApiKey();
      const ended = await directory.rotateApiKey(id, apiKey, graceMs);
      const oldKeysEndAt = new Date(Date.now() + graceMs).toISOString();
      emit(options, { supplierId: id, mode, apiKey, oldKeys: ended.length, oldKeysEndAt }, () => [
        `New ${mode} API key of ${id}, shown only this once:`,
        apiKey,
        ended.length === 0
          ? `It had no other ${mode} key still working.`
          : graceMs === 0
            ? `Its ${ended.length} other ${mode} key(s) stop now (a warm function may accept them for up to ${CACHE_SECONDS} s more).`
            : `Its ${ended.length} other ${mode} key(s) keep working until ${oldKeysEndAt}.`,
      ]);
    },
  );

  operator(
    suppliers
      .command('disable')
      .description(`stop every key of a supplier (within ${CACHE_SECONDS} s); its bookings stay`)
      .argument('<id>', 'the supplier id'),
    async (target, options, id) => {
      await directoryOf(target).disableSupplier(id);
      // A warm function that checked a key a moment ago remembers it for the cache's whole age, from now.
      const keysStopBy = new Date(Date.now() + DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS).toISOString();
      emit(options, { supplierId: id, disabled: true, keysStopBy }, () => [
        `Supplier ${id} disabled: its keys stop working within ${CACHE_SECONDS} s from now (by ${keysStopBy}).`,
      ]);
    },
  );

  operator(
    suppliers
      .command('webhook-secret')
      .description(
        'print a new webhook signing secret (shown this once); the supplier’s other secrets keep verifying for the grace, then stop',
      )
      .argument('<id>', 'the supplier id')
      .option(
        '--grace <duration>',
        'how long the old secrets keep verifying: 0 ends them now; e.g. 30m, 24h, 7d',
        '24h',
      ),
    async (target, options, id) => {
      const graceMs = parseDuration(options.grace as string);
      if (!(await directoryOf(target).getSupplierRecord(id))) throw new OperatorError(`no supplier ${id}`);
      const secrets = new WebhookSecrets({ store: target.secrets, prefix: target.secretPrefix });
      const { secret, retiring } = await secrets.rotate(id, graceMs);
      emit(options, { supplierId: id, webhookSecret: secret, oldSecrets: retiring }, () => [
        `New webhook signing secret of ${id}, shown only this once:`,
        secret,
        retiring.length === 0
          ? graceMs === 0
            ? `No other secret verifies any more (a warm function may accept one for up to ${SECRETS_CACHE_SECONDS} s more).`
            : 'It had no other secret.'
          : `Its ${retiring.length} other secret(s) keep verifying until ${retiring.map((r) => r.validUntil).join(', ')}.`,
        `A warm function may know only the previous secrets for up to ${SECRETS_CACHE_SECONDS} s: senders switch after that, or sign with both meanwhile.`,
      ]);
    },
  );

  registerEndpointCommands(suppliers, operator);
}
