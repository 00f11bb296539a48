/**
 * `GET /api/travel/trip/v1.1/`: the trip list's filters, defaults and paging (seeds 003, 004).
 *
 * - startDate/endDate select trips ongoing during the window (they overlap it). When the request has no date
 *   filter at all, the window is today − 30 days … today + 12 months; a request with only some date filters
 *   leaves the missing bounds open (seed 003 lists 2012 trips for `createdAfterDate=2012/02/01`).
 * - createdAfterDate/createdBeforeDate are inclusive days; lastModifiedDate (a date or a date and time) keeps
 *   trips whose trip or any booking changed at or after it.
 * - Cancelled trips only with includeCanceledTrips=true, which also adds TripStatus; personal trips only with
 *   includePersonalTrips=true; virtual trips only with includeVirtualTrip=1; guest bookings only with
 *   includeGuestBookings=true.
 * - One traveler per list: the named one (userid_value) or the token's own. Company-wide lists
 *   (`userid_value=ALL`) were withdrawn in 2022 and are refused, as on every route.
 * - Paging always applies (ItemsPerPage defaults to 200 when Page is sent, else 1000; Page defaults to 1);
 *   includeMetadata=true wraps the page in ConnectResponse/Metadata/Paging with working Previous/Next URLs.
 */
import type { ConcurDocument, ItineraryInfo } from '../../shared/concur';
import { badRequest, refuseAllUsers } from './errors';
import type { QueryParams } from './query-params';
import { renderItineraryInfo, TRIP_PATH } from './render';
import type { StoredTrip } from './stored-trip';
import { addDays, addMonths, concurDateTime, parseQueryDate } from './time';
import { segmentsOf, tripSpan } from './trip-shape';

export interface TripListQuery {
  window?: { start: string; end: string };
  createdAfter?: string;
  createdBefore?: string;
  lastModified?: string;
  /** A segment kind (`air`, `car`, …). */
  bookingType?: string;
  /** One traveler: Concur lists per user only. */
  traveler: string;
  includeCanceled: boolean;
  includePersonal: boolean;
  includeVirtual: boolean;
  includeGuest: boolean;
  includeMetadata: boolean;
  itemsPerPage: number;
  page: number;
}

const BOOKING_TYPES = ['Air', 'Car', 'Dining', 'Hotel', 'Parking', 'Rail', 'Ride', 'Event', 'Travel'];
const DATE_FILTERS = ['startDate', 'endDate', 'createdAfterDate', 'createdBeforeDate', 'lastModifiedDate'];
const EARLIEST = '0000-01-01T00:00:00';
const LATEST = '9999-12-31T23:59:59';

/** Reads the list's query; `traveler` is whom the request acts for when it names nobody. */
export function parseTripListQuery(query: QueryParams, now: Date, traveler: string): TripListQuery {
  const date = (name: string, edge: 'start' | 'end'): string | undefined => {
    const value = query.get(name);
    if (value === undefined || value.trim() === '') return undefined;
    const parsed = parseQueryDate(value, edge);
    if (parsed === undefined) throw badRequest(`${name} "${value}" is not a date (YYYY-MM-DD).`);
    return parsed;
  };
  const startDate = date('startDate', 'start');
  const endDate = date('endDate', 'end');
  let window: TripListQuery['window'];
  if (startDate !== undefined || endDate !== undefined) {
    window = { start: startDate ?? EARLIEST, end: endDate ?? LATEST };
  } else if (!DATE_FILTERS.some((name) => query.has(name))) {
    const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
    window = {
      start: concurDateTime(addDays(today, -30)),
      end: `${concurDateTime(addMonths(today, 12)).slice(0, 10)}T23:59:59`,
    };
  }

  const bookingTypeText = query.get('bookingType');
  let bookingType: string | undefined;
  if (bookingTypeText !== undefined && bookingTypeText !== '') {
    const known = BOOKING_TYPES.find((t) => t.toLowerCase() === bookingTypeText.toLowerCase());
    if (!known)
      throw badRequest(`bookingType "${bookingTypeText}" is not one of ${BOOKING_TYPES.join(', ')}.`);
    bookingType = known.toLowerCase();
  }

  const pageText = query.get('Page');
  const page = positiveInteger('Page', pageText) ?? 1;
  const itemsPerPage = positiveInteger('ItemsPerPage', query.get('ItemsPerPage')) ?? (pageText ? 200 : 1000);

  return {
    ...(window ? { window } : {}),
    ...optional('createdAfter', date('createdAfterDate', 'start')),
    ...optional('createdBefore', date('createdBeforeDate', 'end')),
    ...optional('lastModified', date('lastModifiedDate', 'start')),
    ...optional('bookingType', bookingType),
    traveler: listTraveler(query, traveler),
    includeCanceled: query.flag('includeCanceledTrips'),
    includePersonal: query.flag('includePersonalTrips'),
    includeVirtual: query.flag('includeVirtualTrip'),
    includeGuest: query.flag('includeGuestBookings'),
    includeMetadata: query.flag('includeMetadata'),
    itemsPerPage,
    page,
  };
}

/** userid_type=login_id|login with userid_value={login}; without them, the token's own traveler. */
function listTraveler(query: QueryParams, traveler: string): string {
  const type = query.get('userid_type');
  const value = query.get('userid_value');
  if (type === undefined && value === undefined) return traveler;
  refuseAllUsers(value);
  if (type === undefined || !/^(login_id|login)$/i.test(type) || !value) {
    throw badRequest('userid_type must be login_id (or login) and userid_value a login.');
  }
  return value;
}

function positiveInteger(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw badRequest(`${name} must be a positive integer.`);
  return Number(text);
}

const optional = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

/** The trips the query selects, by start date (then creation), before paging. */
export function selectTrips(trips: readonly StoredTrip[], query: TripListQuery): StoredTrip[] {
  return trips
    .filter((trip) => {
      if (trip.traveler !== query.traveler) return false;
      if (trip.canceled && !query.includeCanceled) return false;
      if (trip.header.isPersonal === true && !query.includePersonal) return false;
      if (trip.virtual && !query.includeVirtual) return false;
      if (trip.guest && !query.includeGuest) return false;
      const span = tripSpan(trip);
      if (query.window && (span.start > query.window.end || span.end < query.window.start)) return false;
      if (query.createdAfter !== undefined && trip.createdUtc < query.createdAfter) return false;
      if (query.createdBefore !== undefined && trip.createdUtc > query.createdBefore) return false;
      if (query.lastModified !== undefined && !modifiedSince(trip, query.lastModified)) return false;
      if (query.bookingType !== undefined && !hasSegmentKind(trip, query.bookingType)) return false;
      return true;
    })
    .sort(
      (a, b) =>
        tripSpan(a).start.localeCompare(tripSpan(b).start) || a.createdUtc.localeCompare(b.createdUtc),
    );
}

function modifiedSince(trip: StoredTrip, since: string): boolean {
  if (trip.modifiedUtc >= since) return true;
  return trip.bookings.some(({ booking }) => (booking.dateModifiedUtc ?? '') >= since);
}

function hasSegmentKind(trip: StoredTrip, kind: string): boolean {
  return trip.bookings.some(
    ({ booking, canceled }) => !canceled && segmentsOf(booking).some((s) => s.kind === kind),
  );
}

/** The answer: a plain ItineraryInfoList, or a ConnectResponse with paging metadata. */
export function tripListDocument(
  selected: readonly StoredTrip[],
  query: TripListQuery,
  requestQuery: URLSearchParams,
  baseUrl: string,
): ConcurDocument {
  const totalItems = selected.length;
  const totalPages = Math.ceil(totalItems / query.itemsPerPage);
  const first = (query.page - 1) * query.itemsPerPage;
  const items: ItineraryInfo[] = selected
    .slice(first, first + query.itemsPerPage)
    .map((trip) => renderItineraryInfo(trip, baseUrl, query.includeCanceled));
  if (!query.includeMetadata) return { itineraryInfoList: items };
  const pageUrl = (page: number): string => listPageUrl(baseUrl, requestQuery, query.itemsPerPage, page);
  return {
    connectResponse: {
      metadata: {
        paging: {
          totalPages,
          totalItems,
          currentPage: query.page,
          itemsPerPage: query.itemsPerPage,
          previousPageURL:
            query.page > 1 && totalPages > 0 ? pageUrl(Math.min(query.page - 1, totalPages)) : '',
          nextPageURL: query.page < totalPages ? pageUrl(query.page + 1) : '',
        },
      },
      data: { itineraryInfoList: items },
    },
  };
}

/** The request's own query with the page replaced, so that following the URL keeps every filter. */
function listPageUrl(
  baseUrl: string,
  requestQuery: URLSearchParams,
  itemsPerPage: number,
  page: number,
): string {
  const params = new URLSearchParams();
  for (const [name, value] of requestQuery) {
    if (!/^(page|itemsperpage|includemetadata)$/i.test(name)) params.append(name, value);
  }
  params.set('includeMetadata', 'true');
  params.set('ItemsPerPage', String(itemsPerPage));
  params.set('Page', String(page));
  return `${baseUrl}${TRIP_PATH}/?${params.toString()}`;
}
