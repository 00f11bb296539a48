/**
 * `concur-gateway events …`: the operations partner events and asynchronous requests became. `list` shows the
 * recent ones (or the parked ones), `show` one with its event and problem, `replay` queues parked (or failed,
 * or stuck) ones again through the same events queue the functions use.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { DynamoOperations, InvalidCursorError } from '../../shared/events/operations';
import type { OperationRecord, OperationStatus } from '../../shared/events/operations';
import { parkedOperations } from '../../shared/events/parked';
import { OperationSweeper } from '../../shared/events/sweeper';
import { emit, OperatorError, parseDuration, table } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

const STATUSES: OperationStatus[] = ['accepted', 'processing', 'succeeded', 'skipped', 'failed', 'parked'];

function operationsOf(target: Target): DynamoOperations {
  return new DynamoOperations({ client: target.dynamodb, tableName: target.tables.state });
}

/** What a listing shows of an operation: its event and result stay for `events show`. */
function summary(operation: OperationRecord) {
  return {
    id: operation.id,
    status: operation.status,
    supplierId: operation.supplierId,
    trigger: operation.trigger,
    type: operation.type,
    attempts: operation.attempts,
    createdAt: operation.createdAt,
    updatedAt: operation.updatedAt,
    ...(operation.parkedAt ? { parkedAt: operation.parkedAt } : {}),
    ...(operation.problem ? { problem: operation.problem.title } : {}),
  };
}

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 1000)
    throw new OperatorError(`--limit: a whole number from 1 to 1000, not "${text}"`);
  return value;
}

export function registerEventCommands(program: Command, operator: OperatorCommand): void {
  const events = program
    .command('events')
    .description('operations of partner events and asynchronous requests: list, show, replay parked ones');

  operator(
    events
      .command('list')
      .description(
        'the operations created recently, newest first (a scan of the state table), or with --parked the parked ones, oldest first (one query)',
      )
      .option('--parked', 'only the parked operations, oldest first')
      .option('--since <duration>', 'without --parked: created within this long, e.g. 30m, 24h, 7d', '24h')
      .option('--supplier <id>', 'without --parked: of this supplier only')
      .addOption(new Option('--status <status>', 'without --parked: in this status only').choices(STATUSES))
      .option('--limit <n>', 'at most this many (1–1000)', '50')
      .option('--cursor <cursor>', 'the next page: the cursor the previous page printed'),
    async (target, options) => {
      const limit = positiveInteger(options.limit as string);
      const cursor = options.cursor as string | undefined;
      const operations = operationsOf(target);
      if (options.parked && (options.supplier !== undefined || options.status !== undefined))
        throw new OperatorError('--parked lists every parked operation: leave out --supplier and --status');
      const since = options.parked
        ? undefined
        : new Date(Date.now() - parseDuration(options.since as string));
      let page: { operations: OperationRecord[]; nextCursor?: string };
      try {
        page = since
          ? await operations.listRecent({
              since,
              limit,
              ...(cursor !== undefined ? { cursor } : {}),
              ...(options.supplier !== undefined ? { supplierId: options.supplier as string } : {}),
              ...(options.status !== undefined ? { status: options.status as OperationStatus } : {}),
            })
          : await operations.listParked({ limit, ...(cursor !== undefined ? { cursor } : {}) });
      } catch (error) {
        if (error instanceof InvalidCursorError)
          throw new OperatorError(
            `--cursor: ${error.message}${options.parked ? ' with --parked' : ' without --parked'}`,
          );
        throw error;
      }
      const listed = {
        operations: page.operations.map(summary),
        ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
      };
      emit(options, listed, ({ operations: rows, nextCursor }) => [
        ...(rows.length === 0
          ? [options.parked ? 'No parked operations.' : 'No operations in that time.']
          : table(
              [
                'ID',
                'STATUS',
                'SUPPLIER',
                'TRIGGER',
                'TYPE',
                'ATTEMPTS',
                options.parked ? 'PARKED' : 'CREATED',
                'PROBLEM',
              ],
              rows.map((row) => [
                row.id,
                row.status,
                row.supplierId,
                row.trigger,
                row.type,
                String(row.attempts),
                (options.parked ? row.parkedAt : row.createdAt) ?? '',
                row.problem ?? '',
              ]),
            )),
        ...(nextCursor ? [`More: add --cursor ${nextCursor}`] : []),
      ]);
    },
  );

  operator(
    events
      .command('show')
      .description('one operation: its event, status, attempts, result and problem')
      .argument('<id>', 'the operation id (op_…)'),
    async (target, options, id) => {
      const operation = await operationsOf(target).get(id);
      if (!operation) throw new OperatorError(`no operation ${id}`);
      emit(options, { operation }, ({ operation: o }) => [
        `Operation ${o.id}: ${o.status} after ${o.attempts} attempt(s)`,
        `  supplier   ${o.supplierId}`,
        `  trigger    ${o.trigger} (event ${o.eventId})`,
        `  type       ${o.type}`,
        `  created    ${o.createdAt}`,
        `  updated    ${o.updatedAt}`,
        ...(o.parkedAt ? [`  parked     ${o.parkedAt}`] : []),
        ...(o.nextAttemptAt ? [`  next try   ${o.nextAttemptAt}`] : []),
        ...(o.problem ? ['Problem:', indent(o.problem)] : []),
        ...(o.result ? ['Result:', indent(o.result)] : []),
        ...(o.command ? ['Command:', indent(o.command)] : []),
      ]);
    },
  );

  operator(
    events
      .command('replay')
      .description(
        'queue parked (or failed) operations again, or stuck ones (accepted or processing long past their next step); each then runs like a new event (an older update ends skipped)',
      )
      .argument('[ids...]', 'the operation ids')
      .option('--all-parked', 'every operation parked now'),
    async (target, options, ...received) => {
      // Commander gives the variadic argument as one array.
      const ids = (received[0] as unknown as string[] | undefined) ?? [];
      if (ids.length > 0 === Boolean(options.allParked))
        throw new OperatorError('give the operation ids to replay, or --all-parked (not both)');
      // Before anything is reopened: an operation reopened for a queue that cannot take it would wait for nothing.
      const queue = await target.eventQueue();
      const operations = operationsOf(target);
      const chosen = options.allParked ? await allParked(operations) : ids;
      // The command line says what it did itself: the sweeper's log lines would only repeat it.
      const quiet = { info: () => undefined, warn: () => undefined };
      const sweeper = new OperationSweeper({ operations, queue, logger: quiet });
      const parked = parkedOperations({ operations, queue, sweeper });
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: 'replay {bar} {value}/{total} {eta_formatted}', stream: process.stderr })
        : undefined;
      bar?.start(chosen.length, 0);
      const replayed: string[] = [];
      const notReplayable: string[] = [];
      try {
        for (const id of chosen) {
          if ((await parked.replay(id)).replayed) replayed.push(id);
          else notReplayable.push(id);
          bar?.increment();
        }
      } finally {
        bar?.stop();
      }
      emit(options, { replayed, notReplayable }, (r) => [
        r.replayed.length === 0
          ? 'Nothing replayed.'
          : `${r.replayed.length} operation(s) queued again: follow them with events show ID.`,
        ...(r.notReplayable.length
          ? [`Not parked, failed or stuck (or unknown), left as they are: ${r.notReplayable.join(', ')}`]
          : []),
      ]);
      if (notReplayable.length > 0) process.exitCode = 1;
    },
  );
}

/** Every operation parked now, oldest first (collected before any is replayed, so the pages stay put). */
async function allParked(operations: DynamoOperations): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await operations.listParked({ limit: 100, ...(cursor ? { cursor } : {}) });
    ids.push(...page.operations.map((operation) => operation.id));
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

function indent(value: unknown): string {
  return JSON.stringify(value, null, 2)
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
