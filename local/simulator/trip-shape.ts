/**
 * What Concur derives from a trip's bookings rather than storing: its dates (the span of its segments, widened
 * by any dates posted with the trip), its name when none was posted, who booked it, and its numeric status.
 */
import type { Booking, Segment } from '../../shared/concur';
import type { StoredTrip } from './stored-trip';

export interface DateSpan {
  start: string;
  end: string;
}

export const TRIP_STATUS_CANCELED = 2;

export function segmentsOf(booking: Booking): Segment[] {
  return (booking.segments ?? []).filter((s): s is Segment => s !== null && s !== undefined);
}

/** The span of a booking's segments: earliest start to latest end (a segment with no end ends at its start). */
export function bookingSpan(booking: Booking): DateSpan | undefined {
  let start: string | undefined;
  let end: string | undefined;
  for (const segment of segmentsOf(booking)) {
    const segmentStart = segment.startDateLocal ?? segment.endDateLocal ?? undefined;
    const segmentEnd = segment.endDateLocal ?? segment.startDateLocal ?? undefined;
    if (segmentStart && (start === undefined || segmentStart < start)) start = segmentStart;
    if (segmentEnd && (end === undefined || segmentEnd > end)) end = segmentEnd;
  }
  return start !== undefined && end !== undefined ? { start, end } : undefined;
}

/**
 * Effective dates: the posted dates widened to cover every booking (cancelled ones too: dates stay stable).
 * Concur moves a trip's dates when its segments reach past them, as the seeds' answers show (a posted start
 * earlier than every segment stays).
 */
export function tripDates(trip: StoredTrip): Partial<DateSpan> {
  let start = trip.header.startDateLocal ?? undefined;
  let end = trip.header.endDateLocal ?? undefined;
  for (const { booking } of trip.bookings) {
    const span = bookingSpan(booking);
    if (!span) continue;
    if (start === undefined || span.start < start) start = span.start;
    if (end === undefined || span.end > end) end = span.end;
  }
  return { ...(start !== undefined ? { start } : {}), ...(end !== undefined ? { end } : {}) };
}

/** Dates used to place a trip in time; a trip with no dates at all counts as happening when it was created. */
export function tripSpan(trip: StoredTrip): DateSpan {
  const { start, end } = tripDates(trip);
  return { start: start ?? end ?? trip.createdUtc, end: end ?? start ?? trip.createdUtc };
}

/** The posted name, else "Trip to {city}" from the first segment (seed 000 answers "Trip to Seattle"). */
export function tripName(trip: StoredTrip): string {
  if (trip.header.tripName) return trip.header.tripName;
  const segments = trip.bookings
    .flatMap(({ booking }) => segmentsOf(booking))
    .sort((a, b) => (a.startDateLocal ?? '').localeCompare(b.startDateLocal ?? ''));
  for (const segment of segments) {
    const place = destinationOf(segment);
    if (place) return `Trip to ${place}`;
  }
  return 'Trip';
}

function destinationOf(segment: Segment): string | undefined {
  const fields = segment as unknown as Record<string, unknown>;
  for (const key of ['endCity', 'endCityCode', 'startCity', 'startCityCode', 'name']) {
    const value = fields[key];
    if (typeof value === 'string' && value.trim() !== '') return value;
  }
  return undefined;
}

/** The first passenger of the first booking: who the seeds show as BookedByFirstName/LastName. */
export function firstPassenger(trip: StoredTrip): { first?: string; last?: string } {
  for (const { booking } of trip.bookings) {
    const passenger = (booking.passengers ?? []).find((p) => p !== null && p !== undefined);
    if (passenger) return { first: passenger.nameFirst ?? undefined, last: passenger.nameLast ?? undefined };
  }
  return {};
}

/**
 * The status as the list reports it: 2 when cancelled, the posted number otherwise, 0 (Confirmed) when the
 * posted status is text (TripLink sends segment codes such as `HK`) or absent.
 */
export function tripStatusNumber(trip: StoredTrip): number {
  if (trip.canceled) return TRIP_STATUS_CANCELED;
  const status = trip.header.tripStatus;
  if (typeof status === 'number') return status;
  if (typeof status === 'string' && /^\d+$/.test(status.trim())) return Number(status);
  return 0;
}
