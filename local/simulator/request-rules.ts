/**
 * The checks Concur makes on a posted Booking or Itinerary before storing it. Deliberately few: the required
 * elements every seed agrees on, the XSD lengths that identify a booking, one booking per identity, and the
 * agency proposal rules. Full validation is the gateway's job; the simulator must not be stricter than Concur.
 */
import type { Booking, Itinerary } from '../../shared/concur';
import { badRequest } from './errors';
import { proposalProblems } from './proposals';

const LIMITS = { bookingSource: 32, recordLocator: 50, tripName: 255 } as const;

export const bookingKey = (bookingSource: string, recordLocator: string): string =>
  `${bookingSource}\u0000${recordLocator}`;

export function bookingProblems(booking: Booking, where = 'Booking'): string[] {
  const problems: string[] = [];
  for (const field of ['bookingSource', 'recordLocator'] as const) {
    const value = booking[field];
    const element = field === 'bookingSource' ? 'BookingSource' : 'RecordLocator';
    if (typeof value !== 'string' || value.trim() === '') problems.push(`${where}: ${element} is required`);
    else if (value.length > LIMITS[field])
      problems.push(`${where}: ${element} is longer than ${LIMITS[field]}`);
  }
  return problems;
}

export function itineraryProblems(itinerary: Itinerary): string[] {
  const problems: string[] = [];
  if (typeof itinerary.tripName === 'string' && itinerary.tripName.length > LIMITS.tripName) {
    problems.push(`TripName is longer than ${LIMITS.tripName}`);
  }
  const seen = new Set<string>();
  (itinerary.bookings ?? []).forEach((booking, index) => {
    if (!booking) return;
    const where = `Bookings/Booking[${index + 1}]`;
    const own = bookingProblems(booking, where);
    problems.push(...own);
    if (own.length > 0) return;
    const key = bookingKey(booking.bookingSource!, booking.recordLocator!);
    if (seen.has(key)) problems.push(`${where}: the trip already has booking ${booking.recordLocator}`);
    seen.add(key);
  });
  problems.push(...proposalProblems(itinerary));
  return problems;
}

export function assertNoProblems(problems: readonly string[]): void {
  if (problems.length > 0) throw badRequest(problems.join('; '));
}
