/**
 * The trip listing. Concur withdrew company-wide trip lists (`userid_value=ALL`) and asks for per-user lists of
 * at most a month, no more often than every 10 minutes. So the list comes from the gateway's own records of the
 * supplier's bookings and trips (a Query of the trips index per page, no call to Concur), and only `?traveler=`
 * asks Concur: that traveler's list, one calendar month per request, each month's answer kept for 10 minutes.
 */
import type { Itinerary, ItineraryInfo } from '../concur';
import {
  TRAVELER_LIST_DEFAULT_PAST_DAYS,
  TRAVELER_LIST_DEFAULT_SPAN_DAYS,
  TRAVELER_LIST_MAX_MONTHS,
  tripListQuerySchema,
} from './api-contract';
import type { TripListQuery } from './api-contract';
import type { TripList, TripSummary } from './api-responses';
import { assertCompanyAllowed } from './access';
import { GatewayError, validated } from './errors';
import type {
  BookingMappings,
  Clock,
  ConcurItinerary,
  ConcurTripSummary,
  Supplier,
  TravelerTripWindows,
  TripDetails,
  TripPosition,
  TripRecord,
} from './ports';
import { connectionOf } from './ports';
import {
  cursorRefusal,
  decodeCursor as decodeSignedCursor,
  encodeCursor as encodeSignedCursor,
} from './signed-cursor';

export interface TripListingDependencies {
  mappings: BookingMappings;
  concur: ConcurItinerary;
  windows: TravelerTripWindows;
  clock?: Clock;
}

const DEFAULT_PAGE_SIZE = 50;
/**
 * Trips a page looks at before it answers: with date filters that pass over many trips, a page comes back short
 * (with a cursor) rather than reading the supplier's whole history in one request.
 */
export const MAX_TRIPS_EXAMINED = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The trip's name and dates from a Concur answer (only what it holds). */
export function tripDetailsOf(itinerary: Pick<Itinerary, 'tripName' | 'startDateLocal' | 'endDateLocal'>) {
  const details: TripDetails = {};
  if (itinerary.tripName) details.tripName = itinerary.tripName;
  if (itinerary.startDateLocal) details.tripStartDateLocal = itinerary.startDateLocal;
  if (itinerary.endDateLocal) details.tripEndDateLocal = itinerary.endDateLocal;
  return details;
}

export type Range = { startDate?: string; endDate?: string };

/** Whether the trip is ongoing at some time in the range; a trip whose dates are unknown matches no range. */
function overlaps(details: TripDetails, range: Range): boolean {
  if (range.startDate === undefined && range.endDate === undefined) return true;
  const start = details.tripStartDateLocal?.slice(0, 10);
  const end = details.tripEndDateLocal?.slice(0, 10) ?? start;
  if (!start || !end) return false;
  return (
    (range.endDate === undefined || start <= range.endDate) &&
    (range.startDate === undefined || end >= range.startDate)
  );
}

/**
 * A trip of the listing. The name is always the gateway's record of it: Concur's list shows every trip's name,
 * including that of a trip another source created and this supplier's booking was filed into.
 */
function summaryOf(
  record: TripRecord,
  bookingSource: string,
  concur?: ConcurTripSummary,
  traveler?: string,
): TripSummary {
  const details = concur ?? record;
  return {
    tripId: record.tripId,
    ...(record.tripName !== undefined ? { tripName: record.tripName } : {}),
    ...(details.tripStartDateLocal !== undefined ? { startDateLocal: details.tripStartDateLocal } : {}),
    ...(details.tripEndDateLocal !== undefined ? { endDateLocal: details.tripEndDateLocal } : {}),
    userLoginId: traveler ?? record.travelerLoginId,
    bookingSource,
    recordLocator: record.recordLocators.join(', '),
    created: record.created,
    bookings: record.bookings,
    ...(concur?.tripStatus !== undefined ? { tripStatus: concur.tripStatus } : {}),
  };
}

/** A trip of Concur's list, reduced to what the listing uses; undefined without a trip id. */
function concurSummaryOf(info: ItineraryInfo): ConcurTripSummary | undefined {
  const id = info.id?.trim();
  const tripId = info.tripId || (id ? decodeURIComponent(id.slice(id.lastIndexOf('/') + 1)) : undefined);
  if (!tripId) return undefined;
  const status = Number(info.tripStatus);
  return {
    tripId,
    ...tripDetailsOf(info),
    ...(info.tripStatus !== null && info.tripStatus !== undefined && Number.isInteger(status)
      ? { tripStatus: status }
      : {}),
  };
}

/**
 * Where the next page starts, bound to the listing it came from. The digest covers the company, the booking
 * source and the filters, so a cursor of another supplier, company or query, or an altered one, is refused.
 * It is a checksum, not a secret: the partition read always comes from the caller's own identity, never from
 * the cursor, so a forged cursor could only move within the caller's own records.
 */
type ListingPosition =
  { kind: 'records'; position: TripPosition } | { kind: 'traveler'; start: string; tripId: string };

function listingScope(supplier: Supplier, companyId: string, query: TripListQuery): string {
  return JSON.stringify([
    companyId,
    supplier.bookingSource,
    query.traveler ?? null,
    query.startDate ?? null,
    query.endDate ?? null,
  ]);
}

function encodeCursor(scope: string, position: ListingPosition): string {
  const fields =
    position.kind === 'records'
      ? ['r', position.position.tripId, position.position.sk]
      : ['t', position.tripId, position.start];
  return encodeSignedCursor(scope, fields);
}

function decodeCursor<K extends ListingPosition['kind']>(
  scope: string,
  cursor: string,
  kind: K,
): Extract<ListingPosition, { kind: K }> {
  const fields = decodeSignedCursor(
    scope,
    cursor,
    (candidate) => candidate.length === 3,
    'another supplier, company or filters',
  );
  const [tag, tripId, last] = fields as [string, string, string];
  // Only key values this listing writes: a forged one must not reach DynamoDB as an invalid start key.
  const isRecordKey = /^(BOOKING|TRIP)#./.test(last);
  const position: ListingPosition | undefined =
    tripId === ''
      ? undefined
      : tag === 'r' && isRecordKey
        ? { kind: 'records', position: { tripId, sk: last } }
        : tag === 't'
          ? { kind: 'traveler', tripId, start: last }
          : undefined;
  if (position?.kind !== kind) throw cursorRefusal('not a valid cursor');
  return position as Extract<ListingPosition, { kind: K }>;
}

const isoDay = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const addDays = (day: string, days: number) => isoDay(Date.parse(`${day}T00:00:00Z`) + days * DAY_MS);

/**
 * The calendar months (`YYYY-MM`) from the start's to the end's: Concur asks for lists of at most a month, and
 * whole months let a repeat over a slightly different range find the months already asked. Stops one past
 * the most a traveler's list may span, which is enough to refuse it.
 */
function monthsOf(range: Required<Range>): string[] {
  const months: string[] = [];
  let year = Number(range.startDate.slice(0, 4));
  let month = Number(range.startDate.slice(5, 7));
  const last = range.endDate.slice(0, 7);
  for (;;) {
    const current = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
    if (current > last || months.length > TRAVELER_LIST_MAX_MONTHS) return months;
    months.push(current);
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
}

/** First and last day of a calendar month. */
function monthWindow(month: string): Required<Range> {
  const [year, monthNumber] = month.split('-').map(Number) as [number, number];
  const last = new Date(Date.UTC(year, monthNumber, 0)).getUTCDate();
  return { startDate: `${month}-01`, endDate: `${month}-${String(last).padStart(2, '0')}` };
}

/** The calendar-month windows (first to last day) covering the range, at most one past the traveler limit. */
export function monthWindows(range: Required<Range>): Required<Range>[] {
  return monthsOf(range).map(monthWindow);
}

/** The range a traveler's list covers: the given dates, filled in around today. */
export function travelerRange(nowMs: number, given: Range): Required<Range> {
  if (given.startDate !== undefined && given.endDate !== undefined)
    return { startDate: given.startDate, endDate: given.endDate };
  if (given.startDate !== undefined)
    return { startDate: given.startDate, endDate: addDays(given.startDate, TRAVELER_LIST_DEFAULT_SPAN_DAYS) };
  if (given.endDate !== undefined)
    return { startDate: addDays(given.endDate, -TRAVELER_LIST_DEFAULT_SPAN_DAYS), endDate: given.endDate };
  const startDate = addDays(isoDay(nowMs), -TRAVELER_LIST_DEFAULT_PAST_DAYS);
  return { startDate, endDate: addDays(startDate, TRAVELER_LIST_DEFAULT_SPAN_DAYS) };
}

export class TripListing {
  private readonly clock: Clock;

  constructor(private readonly deps: TripListingDependencies) {
    this.clock = deps.clock ?? { now: () => Date.now() };
  }

  async list(supplier: Supplier, companyId: string, rawQuery: unknown): Promise<TripList> {
    assertCompanyAllowed(supplier, companyId);
    const query = validated(tripListQuerySchema, rawQuery, 'the query');
    if (query.startDate && query.endDate && query.startDate > query.endDate) {
      throw new GatewayError('validation', 'the query is not valid', [
        { path: 'endDate', message: 'must not be before startDate' },
      ]);
    }
    const scope = listingScope(supplier, companyId, query);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const { cursor, traveler } = query;
    if (traveler === undefined) {
      const after = cursor === undefined ? undefined : decodeCursor(scope, cursor, 'records').position;
      return this.fromRecords(supplier, companyId, query, limit, scope, after);
    }
    const after = cursor === undefined ? undefined : decodeCursor(scope, cursor, 'traveler');
    return this.forTraveler(supplier, companyId, { ...query, traveler }, limit, scope, after);
  }

  private async fromRecords(
    supplier: Supplier,
    companyId: string,
    range: Range,
    limit: number,
    scope: string,
    after?: TripPosition,
  ): Promise<TripList> {
    const trips: TripSummary[] = [];
    let examined = 0;
    let last: TripPosition | undefined;
    let more = false;
    for await (const { trip, position } of this.deps.mappings.tripsOfSupplier(
      companyId,
      supplier.bookingSource,
      after,
    )) {
      if (trips.length === limit || examined === MAX_TRIPS_EXAMINED) {
        more = true;
        break;
      }
      examined += 1;
      last = position;
      if (overlaps(trip, range)) trips.push(summaryOf(trip, supplier.bookingSource));
    }
    return {
      trips,
      ...(more && last ? { nextCursor: encodeCursor(scope, { kind: 'records', position: last }) } : {}),
      concur: { attempts: 0 },
    };
  }

  private async forTraveler(
    supplier: Supplier,
    companyId: string,
    query: TripListQuery & { traveler: string },
    limit: number,
    scope: string,
    after?: { start: string; tripId: string },
  ): Promise<TripList> {
    const range = travelerRange(this.clock.now(), query);
    const months = monthsOf(range);
    if (months.length > TRAVELER_LIST_MAX_MONTHS) {
      throw new GatewayError('validation', 'the range is too long for one traveler’s list', [
        {
          // Only two given dates can be that far apart: a missing one is filled in 120 days away.
          path: 'endDate',
          message: `with traveler, startDate and endDate may span at most ${TRAVELER_LIST_MAX_MONTHS} calendar months`,
        },
      ]);
    }
    const { concur, windows, mappings } = this.deps;
    const listed = new Map<string, ConcurTripSummary>();
    let attempts = 0;
    let correlationId: string | undefined;
    // One month after another: Concur asks not to fetch lists in parallel.
    for (const month of months) {
      let summaries = await windows.get(companyId, query.traveler, month);
      if (summaries === undefined) {
        const call = await concur.listTrips(connectionOf(supplier, companyId), {
          loginId: query.traveler,
          ...monthWindow(month),
          includeCanceledTrips: true,
        });
        attempts += call.attempts;
        correlationId = call.correlationId ?? correlationId;
        summaries = call.value.map(concurSummaryOf).filter((summary) => summary !== undefined);
        await windows.put(companyId, query.traveler, month, summaries);
      }
      for (const summary of summaries) listed.set(summary.tripId, summary);
    }
    const orderOf = (summary: ConcurTripSummary) =>
      [summary.tripStartDateLocal ?? '', summary.tripId] as const;
    const candidates = [...listed.values()]
      .filter((summary) => overlaps(summary, range))
      .sort((a, b) => {
        const [startA, idA] = orderOf(a);
        const [startB, idB] = orderOf(b);
        return startA.localeCompare(startB) || idA.localeCompare(idB);
      })
      .filter((summary) => {
        if (!after) return true;
        const [start, tripId] = orderOf(summary);
        return start > after.start || (start === after.start && tripId > after.tripId);
      });
    const trips: TripSummary[] = [];
    let last: ConcurTripSummary | undefined;
    let more = false;
    for (const summary of candidates) {
      if (trips.length === limit) {
        more = true;
        break;
      }
      last = summary;
      // Only trips holding the supplier's bookings or created by it; Concur's summary of anyone else's stays here.
      const record = await mappings.tripOfSupplier(companyId, supplier.bookingSource, summary.tripId);
      if (record) trips.push(summaryOf(record, supplier.bookingSource, summary, query.traveler));
    }
    return {
      trips,
      ...(more && last
        ? {
            nextCursor: encodeCursor(scope, {
              kind: 'traveler',
              start: last.tripStartDateLocal ?? '',
              tripId: last.tripId,
            }),
          }
        : {}),
      concur: { ...(correlationId ? { correlationId } : {}), attempts },
    };
  }
}
