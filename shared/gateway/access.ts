/**
 * What a supplier may see and change. Concur shows a company token every traveler's trips, so the gateway
 * decides: a supplier reaches only its companies, its own bookings, and trips that hold them or that it created.
 */
import type { Booking, Itinerary } from '../concur';
import { GatewayError } from './errors';
import type { BookingMappings, Supplier } from './ports';

export function assertCompanyAllowed(supplier: Supplier, companyId: string): void {
  if (!supplier.companies.includes(companyId)) {
    throw new GatewayError('forbidden', `this API key may not act for company ${companyId}`);
  }
}

/**
 * A trip as the supplier may reach it: one it created, or one that holds one of its bookings; undefined when
 * neither. At most two reads, however many bookings the supplier has: the created trip's own item (read
 * consistently), else the supplier's records of the trip in the trips index (eventually consistent: a booking
 * stored a moment ago may not show its trip for a moment).
 */
export async function supplierTrip(
  mappings: BookingMappings,
  supplier: Supplier,
  companyId: string,
  tripId: string,
): Promise<{ created: boolean; travelerLoginId: string } | undefined> {
  const created = await mappings.createdTrip(companyId, supplier.bookingSource, tripId);
  if (created) return { created: true, travelerLoginId: created.travelerLoginId };
  const records = await mappings.tripOfSupplier(companyId, supplier.bookingSource, tripId);
  return records && { created: records.created, travelerLoginId: records.travelerLoginId };
}

/**
 * Trip fields that describe no one's booking. Concur fills the others (bookedBy names, comments, client
 * locator, rule violations…) from whoever booked, so a trip shared with another source shows only these.
 */
const SHARED_TRIP_FIELDS = [
  'id',
  'tripId',
  'itinLocator',
  'userLoginId',
  'startDateLocal',
  'startDateUtc',
  'endDateLocal',
  'endDateUtc',
  'dateCreatedUtc',
  'dateModifiedUtc',
  'tripStatus',
  'isPersonal',
] as const satisfies readonly (keyof Itinerary)[];

/**
 * The one view of a Concur trip a supplier gets, in every answer that carries one: its own bookings in full,
 * every other source's booking reduced to `{ bookingSource }` (no record locator, names or amounts), and,
 * when the trip holds another source's booking, only the trip fields that describe no one's booking.
 */
export function redactTrip(itinerary: Itinerary, bookingSource: string): Itinerary {
  const bookings = itinerary.bookings ?? [];
  if (bookings.every((booking) => booking === null || booking.bookingSource === bookingSource)) {
    return itinerary;
  }
  const shared: Itinerary = {};
  for (const field of SHARED_TRIP_FIELDS) {
    if (itinerary[field] !== undefined) (shared as Record<string, unknown>)[field] = itinerary[field];
  }
  return { ...shared, bookings: bookings.map((booking) => redactBooking(booking, bookingSource)) };
}

function redactBooking(booking: Booking | null, bookingSource: string): Booking | null {
  return booking === null || booking.bookingSource === bookingSource
    ? booking
    : { bookingSource: booking.bookingSource ?? null };
}

/** A Concur answer in the JSON form (`{ itinerary }`, `{ booking }` or a message) with `redactTrip` applied. */
export function redactConcurDocument(
  document: Record<string, unknown>,
  bookingSource: string,
): Record<string, unknown> {
  const { itinerary, booking } = document as { itinerary?: Itinerary; booking?: Booking | null };
  return {
    ...document,
    ...(itinerary && typeof itinerary === 'object'
      ? { itinerary: redactTrip(itinerary, bookingSource) }
      : {}),
    ...(booking && typeof booking === 'object' ? { booking: redactBooking(booking, bookingSource) } : {}),
  };
}
