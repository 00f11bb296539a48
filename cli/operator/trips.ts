/**
 * `concur-gateway trips export`: the trips the gateway knows for a company (created by its suppliers or holding
 * their bookings), with their details fetched from Concur one at a time within the outbound limit the functions
 * share, written as NDJSON or CSV.
 * Each trip is appended as soon as it is fetched, so an interrupted export resumes where it stopped.
 */
import { createWriteStream } from 'node:fs';
import { readFile, truncate } from 'node:fs/promises';
import { once } from 'node:events';
import type { Command } from 'commander';
import { Option } from 'commander';
import { SingleBar } from 'cli-progress';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb';
import { ConcurApiError } from '../../shared/concur-client';
import type { Booking, Itinerary } from '../../shared/concur';
import { redactTrip } from '../../shared/gateway/access';
import { connectionOf } from '../../shared/gateway/ports';
import type { ConnectionRef } from '../../shared/gateway/ports';
import { suppliersOfCompany } from './bookings';
import { requireConnectedCompany } from './companies';
import { operatorConcur } from './concur';
import { emit, OperatorError } from './output';
import type { OperatorCommand } from './run';
import type { Target } from './target';

const FORMATS = ['ndjson', 'csv'] as const;
type ExportFormat = (typeof FORMATS)[number];

const CSV_COLUMNS = [
  'tripId',
  'travelerLoginId',
  'tripName',
  'startDateLocal',
  'endDateLocal',
  'bookingSources',
  'recordLocators',
];

export interface KnownTrip {
  tripId: string;
  travelerLoginId: string;
  /** Booking sources of the gateway's suppliers that created the trip or hold bookings in it. */
  sources: string[];
  /** Read through the connection of the app of the first of those suppliers. */
  connection: ConnectionRef;
  /** Booking sources of the suppliers that created it (and so named it). */
  createdBy: string[];
}

/** Every trip the gateway's records name for the company (of one supplier, or of all that may post to it). */
export async function knownTrips(
  target: Target,
  companyId: string,
  supplierId?: string,
): Promise<KnownTrip[]> {
  const mappings = new DynamoBookingMappings({ client: target.dynamodb, tableName: target.tables.state });
  const trips = new Map<string, KnownTrip>();
  for (const supplier of await suppliersOfCompany(target, companyId, supplierId)) {
    const note = (tripId: string, travelerLoginId: string, created = false) => {
      const source = supplier.bookingSource;
      const known = trips.get(tripId) ?? {
        tripId,
        travelerLoginId,
        sources: [],
        connection: connectionOf(supplier, companyId),
        createdBy: [],
      };
      trips.set(tripId, known);
      if (!known.sources.includes(source)) known.sources.push(source);
      if (created && !known.createdBy.includes(source)) known.createdBy.push(source);
    };
    for (const trip of await mappings.listTripsForSupplier(companyId, supplier.bookingSource)) {
      note(trip.tripId, trip.travelerLoginId, true);
    }
    for (const mapping of await mappings.listForSupplier(companyId, supplier.bookingSource)) {
      if (mapping.tripId) note(mapping.tripId, mapping.travelerLoginId);
    }
  }
  return [...trips.values()].sort((a, b) => a.tripId.localeCompare(b.tripId));
}

/** Whether the trip's dates (YYYY-MM-DD…) overlap [from, to]; a trip without dates is kept. */
function overlaps(itinerary: Itinerary, from: string, to: string): boolean {
  const start = itinerary.startDateLocal?.slice(0, 10);
  const end = itinerary.endDateLocal?.slice(0, 10) ?? start;
  if (!start || !end) return true;
  return start <= to && end >= from;
}

/**
 * One exported trip. Of one supplier (`supplierSource`), the trip as the API shows it to that supplier, and in
 * the columns only its own bookings, and the trip's name when it named the trip (or the trip is all its own).
 */
function exportRecord(trip: KnownTrip, details: Itinerary, supplierSource?: string) {
  const itinerary = supplierSource ? redactTrip(details, supplierSource) : details;
  const bookings = (itinerary.bookings ?? []).filter(
    (booking): booking is Booking =>
      booking !== null && (supplierSource === undefined || booking.bookingSource === supplierSource),
  );
  const namedIt = supplierSource !== undefined && trip.createdBy.includes(supplierSource);
  return {
    tripId: trip.tripId,
    travelerLoginId: trip.travelerLoginId,
    tripName: (namedIt ? details.tripName : itinerary.tripName) ?? null,
    startDateLocal: itinerary.startDateLocal ?? null,
    endDateLocal: itinerary.endDateLocal ?? null,
    bookingSources: bookings.map((booking) => booking.bookingSource ?? ''),
    recordLocators: bookings.map((booking) => booking.recordLocator ?? ''),
    itinerary,
  };
}

const csvCell = (value: unknown): string => {
  const text = Array.isArray(value)
    ? value.join(';')
    : value === null || value === undefined
      ? ''
      : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** Trip ids already written by an earlier run, after cutting a half-written last line. */
async function alreadyExported(file: string, format: ExportFormat): Promise<Set<string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return new Set();
  }
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) await truncate(file, Buffer.byteLength(text.slice(0, complete)));
  const lines = text.slice(0, complete).split('\n').filter(Boolean);
  if (format === 'csv')
    return new Set(lines.slice(1).map((line) => line.split(',')[0]!.replace(/^"|"$/g, '')));
  return new Set(lines.map((line) => (JSON.parse(line) as { tripId: string }).tripId));
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function registerTripCommands(program: Command, operator: OperatorCommand): void {
  const trips = program.command('trips').description('trips the gateway knows');
  operator(
    trips
      .command('export')
      .description(
        'the company’s trips known to the gateway, details from Concur, to a file; resumes an interrupted export',
      )
      .requiredOption('--company <id>', 'the company')
      .option(
        '--supplier <id>',
        'only trips of this supplier, as the API shows them to it: other sources’ bookings show their source only, the columns only its own bookings, and the trip’s name when it created the trip',
      )
      .requiredOption('--from <date>', 'trips ending on or after this day (YYYY-MM-DD)')
      .requiredOption('--to <date>', 'trips starting on or before this day (YYYY-MM-DD)')
      .requiredOption('--out <file>', 'where to write; an existing file is continued')
      .addOption(
        new Option('--format <format>', 'one JSON object per line, or CSV')
          .choices(FORMATS)
          .default('ndjson'),
      ),
    async (target, options) => {
      const companyId = options.company as string;
      const supplierId = options.supplier as string | undefined;
      const [from, to, out] = [options.from, options.to, options.out] as string[];
      const format = options.format as ExportFormat;
      if (!DATE.test(from!) || !DATE.test(to!))
        throw new OperatorError('--from and --to are days: YYYY-MM-DD');
      if (from! > to!)
        throw new OperatorError(`--from ${from} is after --to ${to}: no trip could be in between`);
      await requireConnectedCompany(target, companyId);
      const supplierSource = supplierId
        ? (await suppliersOfCompany(target, companyId, supplierId))[0]!.bookingSource
        : undefined;

      const all = await knownTrips(target, companyId, supplierId);
      const done = await alreadyExported(out!, format);
      const pending = all.filter((trip) => !done.has(trip.tripId));
      const { itinerary } = operatorConcur(target);
      const stream = createWriteStream(out!, { flags: 'a' });
      const write = async (line: string) => {
        if (!stream.write(`${line}\n`)) await once(stream, 'drain');
      };
      if (format === 'csv' && done.size === 0) await write(CSV_COLUMNS.join(','));
      const bar = process.stderr.isTTY
        ? new SingleBar({ format: 'trips {bar} {value}/{total} {eta_formatted}', stream: process.stderr })
        : undefined;
      bar?.start(pending.length, 0);
      let written = 0;
      let outsideDates = 0;
      const gone: string[] = [];
      try {
        for (const trip of pending) {
          let details: Itinerary;
          try {
            details = (
              await itinerary.getTrip(trip.connection, { tripId: trip.tripId, loginId: trip.travelerLoginId })
            ).value;
          } catch (error) {
            if (!(error instanceof ConcurApiError && error.kind === 'not-found')) throw error;
            gone.push(trip.tripId);
            bar?.increment();
            continue;
          }
          if (!overlaps(details, from!, to!)) {
            outsideDates += 1;
          } else {
            const record = exportRecord(trip, details, supplierSource);
            await write(
              format === 'csv'
                ? CSV_COLUMNS.map((column) => csvCell(record[column as keyof typeof record])).join(',')
                : JSON.stringify(record),
            );
            written += 1;
          }
          bar?.increment();
        }
      } finally {
        bar?.stop();
        stream.end();
        await once(stream, 'close');
      }
      emit(
        options,
        {
          companyId,
          out,
          known: all.length,
          alreadyExported: done.size,
          written,
          outsideDates,
          notFoundAtConcur: gone,
        },
        (s) => [
          `${s.written} trip(s) written to ${s.out} (${s.known} known, ${s.alreadyExported} already there, ${s.outsideDates} outside the dates${s.notFoundAtConcur.length ? `, ${s.notFoundAtConcur.length} not found at Concur: ${s.notFoundAtConcur.join(', ')}` : ''}).`,
        ],
      );
    },
  );
}
