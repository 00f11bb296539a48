/** What the simulator keeps of a trip and its bookings. */
import type { Booking, Itinerary } from '../../shared/concur';

export interface StoredBooking {
  /** The booking as last posted, with Concur's generated fields; cancelled segments carry their cancel stamps. */
  booking: Booking;
  canceled: boolean;
}

export interface StoredTrip {
  id: string;
  companyId: string;
  /** Login of the traveler who owns the trip. */
  traveler: string;
  /** Trip-level elements as posted (never bookings or ids) plus the constants Concur fills in. */
  header: Itinerary;
  bookings: StoredBooking[];
  createdUtc: string;
  modifiedUtc: string;
  canceled: boolean;
  /** Offline Travel Request segments: listed only with includeVirtualTrip=1. Set through the state API. */
  virtual: boolean;
  /** Guest bookings: listed only with includeGuestBookings=true. Set through the state API. */
  guest: boolean;
}
