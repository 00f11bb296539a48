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

/** Trip ids the supplier may read: trips it created and trips that hold one of its bookings. */
export async function visibleTripIds(
  mappings: BookingMappings,
  supplier: Supplier,
  companyId: string,
): Promise<Map<string, { created: boolean; travelerLoginId: string }>> {
  const [bookings, trips] = await Promise.all([
    mappings.listForSupplier(companyId, supplier.bookingSource),
    mappings.listTripsForSupplier(companyId, supplier.bookingSource),
  ]);
  const visible = new Map<string, { created: boolean; travelerLoginId: string }>();
  for (const booking of bookings) {
    if (booking.tripId)
      visible.set(booking.tripId, { created: false, travelerLoginId: booking.travelerLoginId });
  }
  for (const trip of trips)
    visible.set(trip.tripId, { created: true, travelerLoginId: trip.travelerLoginId });
  return visible;
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
