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

/** Other sources' bookings are shown as present, without their details. */
export function redactForeignBookings(itinerary: Itinerary, bookingSource: string): Itinerary {
  if (!itinerary.bookings) return itinerary;
  return {
    ...itinerary,
    bookings: itinerary.bookings.map((booking): Booking | null =>
      booking === null || booking.bookingSource === bookingSource
        ? booking
        : { bookingSource: booking.bookingSource },
    ),
  };
}
