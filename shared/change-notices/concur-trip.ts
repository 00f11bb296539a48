/**
 * A trip as Concur shows it now, reduced to what the comparison needs: the v1.1 trip id (v4's `ItinLocator`,
 * which the gateway's mappings hold), the trip's status and dates, and each booking's source, record locator,
 * segment confirmation numbers, dates and whether it is cancelled. Read from Itinerary v4 (an ESS event's trip)
 * or from Itinerary v1.1 (the poller's), which name the same facts in PascalCase and camelCase. v4's dates carry
 * an offset (`2020-12-11T15:54:18.000-00:00`); the local ones are compared as the gateway stores them
 * (`YYYY-MM-DDThh:mm:ss`), so the offset and fraction are dropped.
 */
import type { Itinerary } from '../concur';
import { tripIdOf } from '../gateway/bookings';

export interface ConcurBookingState {
  bookingSource: string;
  recordLocator: string;
  confirmationNumbers: string[];
  cancelled: boolean;
  startDateLocal?: string;
  endDateLocal?: string;
}

export interface ConcurTripState {
  /** The v1.1 trip id (`ItinLocator`). */
  tripId: string;
  cancelled: boolean;
  startDateLocal?: string;
  endDateLocal?: string;
  bookings: ConcurBookingState[];
}

const TRIP_STATUS_CANCELLED = 2;
const LOCAL = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})/;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

/** `2020-12-11T15:54:18.000-00:00` → `2020-12-11T15:54:18`. */
export function localDateOf(value: unknown): string | undefined {
  const match = LOCAL.exec(text(value) ?? '');
  return match ? match[1] : undefined;
}

const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null)
    : [];

/** v4 names a field `RecordLocator`, v1.1's JSON form `recordLocator`. */
type Field = (item: Record<string, unknown>, name: string) => unknown;
const v4Field: Field = (item, name) => item[name];
const v11Field: Field = (item, name) => item[name.charAt(0).toLowerCase() + name.slice(1)];

/** A segment Concur cancelled: it carries its cancel stamp, or a cancelled status code (`XX`, `HX`, `UC`…). */
function isCancelledSegment(segment: Record<string, unknown>, field: Field): boolean {
  if (text(field(segment, 'DateCancelledUtc')) || text(field(segment, 'CancellationNumber'))) return true;
  const status = text(field(segment, 'Status'))?.toUpperCase();
  return (
    status !== undefined && ['XX', 'XK', 'HX', 'UC', 'UN', 'NO', 'CANCELLED', 'CANCELED'].includes(status)
  );
}

function bookingState(
  booking: Record<string, unknown>,
  field: Field,
  segments: Record<string, unknown>[],
): ConcurBookingState | undefined {
  const bookingSource = text(field(booking, 'BookingSource'));
  const recordLocator = text(field(booking, 'RecordLocator'));
  if (!bookingSource || !recordLocator) return undefined;
  let start: string | undefined;
  let end: string | undefined;
  for (const segment of segments) {
    const segmentStart =
      localDateOf(field(segment, 'StartDateLocal')) ?? localDateOf(field(segment, 'EndDateLocal'));
    const segmentEnd = localDateOf(field(segment, 'EndDateLocal')) ?? segmentStart;
    if (segmentStart && (start === undefined || segmentStart < start)) start = segmentStart;
    if (segmentEnd && (end === undefined || segmentEnd > end)) end = segmentEnd;
  }
  return {
    bookingSource,
    recordLocator,
    confirmationNumbers: segments
      .map((segment) => text(field(segment, 'ConfirmationNumber')))
      .filter((n) => n !== undefined),
    // Concur's v1.1 shows a cancelled booking without segments; v4 keeps them, stamped.
    cancelled: segments.length === 0 || segments.every((segment) => isCancelledSegment(segment, field)),
    ...(start ? { startDateLocal: start } : {}),
    ...(end ? { endDateLocal: end } : {}),
  };
}

function tripState(
  trip: Record<string, unknown>,
  field: Field,
  tripId: string | undefined,
  segmentsOf: (booking: Record<string, unknown>) => Record<string, unknown>[],
): ConcurTripState | undefined {
  if (!tripId) return undefined;
  const start = localDateOf(field(trip, 'StartDateLocal'));
  const end = localDateOf(field(trip, 'EndDateLocal'));
  return {
    tripId,
    cancelled: Number(field(trip, 'TripStatus')) === TRIP_STATUS_CANCELLED,
    ...(start ? { startDateLocal: start } : {}),
    ...(end ? { endDateLocal: end } : {}),
    bookings: records(field(trip, 'Bookings'))
      .map((booking) => bookingState(booking, field, segmentsOf(booking)))
      .filter((booking) => booking !== undefined),
  };
}

/** The state of an Itinerary v4 trip; undefined when it names no v1.1 trip id (nothing to compare with). */
export function tripStateOfV4(trip: Record<string, unknown>): ConcurTripState | undefined {
  // v4 groups segments by kind: `"Segments": {"Car": [...], "Air": [...]}`.
  return tripState(trip, v4Field, text(trip.ItinLocator), (booking) => {
    const groups = booking.Segments;
    return typeof groups === 'object' && groups !== null
      ? Object.values(groups).flatMap((group) => records(group))
      : [];
  });
}

/** The state of an Itinerary v1.1 trip as the gateway reads it (the JSON form of its XML). */
export function tripStateOfV11(trip: Itinerary): ConcurTripState | undefined {
  const record = trip as Record<string, unknown>;
  // v1.1's JSON form lists segments of every kind in one array (`{"kind": "car", ...}`).
  return tripState(record, v11Field, tripIdOf(trip), (booking) => records(booking.segments));
}
