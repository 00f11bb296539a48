/**
 * A trip as Concur shows it now, reduced to what the comparison needs: the v1.1 trip id (v4's `ItinLocator`,
 * which the gateway's mappings hold), the trip's status and dates, and each booking's source, record locator,
 * segment confirmation numbers, dates and whether it is cancelled. v4's dates carry an offset
 * (`2020-12-11T15:54:18.000-00:00`); the local ones are compared as the gateway stores them
 * (`YYYY-MM-DDThh:mm:ss`), so the offset and fraction are dropped.
 */
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

/** A segment Concur cancelled: it carries its cancel stamp, or a cancelled status code (`XX`, `HX`, `UC`…). */
function isCancelledSegment(segment: Record<string, unknown>): boolean {
  if (text(segment.DateCancelledUtc) || text(segment.CancellationNumber)) return true;
  const status = text(segment.Status)?.toUpperCase();
  return (
    status !== undefined && ['XX', 'XK', 'HX', 'UC', 'UN', 'NO', 'CANCELLED', 'CANCELED'].includes(status)
  );
}

function bookingState(booking: Record<string, unknown>): ConcurBookingState | undefined {
  const bookingSource = text(booking.BookingSource);
  const recordLocator = text(booking.RecordLocator);
  if (!bookingSource || !recordLocator) return undefined;
  const groups = booking.Segments;
  const segments =
    typeof groups === 'object' && groups !== null
      ? Object.values(groups).flatMap((group) => records(group))
      : [];
  let start: string | undefined;
  let end: string | undefined;
  for (const segment of segments) {
    const segmentStart = localDateOf(segment.StartDateLocal) ?? localDateOf(segment.EndDateLocal);
    const segmentEnd = localDateOf(segment.EndDateLocal) ?? segmentStart;
    if (segmentStart && (start === undefined || segmentStart < start)) start = segmentStart;
    if (segmentEnd && (end === undefined || segmentEnd > end)) end = segmentEnd;
  }
  return {
    bookingSource,
    recordLocator,
    confirmationNumbers: segments
      .map((segment) => text(segment.ConfirmationNumber))
      .filter((n) => n !== undefined),
    // Concur's v1.1 shows a cancelled booking without segments; v4 keeps them, stamped.
    cancelled: segments.length === 0 || segments.every(isCancelledSegment),
    ...(start ? { startDateLocal: start } : {}),
    ...(end ? { endDateLocal: end } : {}),
  };
}

/** The state of an Itinerary v4 trip; undefined when it names no v1.1 trip id (nothing to compare with). */
export function tripStateOfV4(trip: Record<string, unknown>): ConcurTripState | undefined {
  const tripId = text(trip.ItinLocator);
  if (!tripId) return undefined;
  const start = localDateOf(trip.StartDateLocal);
  const end = localDateOf(trip.EndDateLocal);
  return {
    tripId,
    cancelled: Number(trip.TripStatus) === TRIP_STATUS_CANCELLED,
    ...(start ? { startDateLocal: start } : {}),
    ...(end ? { endDateLocal: end } : {}),
    bookings: records(trip.Bookings)
      .map(bookingState)
      .filter((booking) => booking !== undefined),
  };
}
