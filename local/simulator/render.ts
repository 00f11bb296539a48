/**
 * Stored trips → Concur's answers in the JSON form (the toolkit writes them as XML in XSD order): the Itinerary
 * with its generated elements, the booking of a cancel answer, and the trip summaries of the list.
 */
import type { Booking, Itinerary, ItineraryInfo } from '../../shared/concur';
import { withoutAmounts } from './amounts';
import type { StoredBooking, StoredTrip } from './stored-trip';
import { firstPassenger, tripDates, tripName, tripStatusNumber, TRIP_STATUS_CANCELED } from './trip-shape';

/** Who reads: amounts are hidden from suppliers other than the booking's own source. */
export interface Viewer {
  bookingSource?: string;
}

export const TRIP_PATH = '/api/travel/trip/v1.1';

/** The trip's `id` element: its URL at the simulator (the raw id, as Concur writes it). */
export const tripUrl = (baseUrl: string, tripId: string): string => `${baseUrl}${TRIP_PATH}/${tripId}`;

export function renderItinerary(trip: StoredTrip, baseUrl: string, viewer: Viewer): Itinerary {
  const dates = tripDates(trip);
  const bookedBy = firstPassenger(trip);
  const header = trip.header;
  return {
    ...header,
    id: tripUrl(baseUrl, trip.id),
    itinLocator: trip.id,
    tripName: tripName(trip),
    startDateLocal: dates.start ?? null,
    endDateLocal: dates.end ?? null,
    dateCreatedUtc: trip.createdUtc,
    dateModifiedUtc: trip.modifiedUtc,
    bookedByFirstName: header.bookedByFirstName ?? bookedBy.first ?? null,
    bookedByLastName: header.bookedByLastName ?? bookedBy.last ?? null,
    tripStatus: trip.canceled ? TRIP_STATUS_CANCELED : (header.tripStatus ?? null),
    bookings: trip.bookings.map((stored) => bookingInTrip(stored, viewer)),
  };
}

/** A booking as its trip shows it: a cancelled booking has no segments left (seed 002's cancel answer). */
function bookingInTrip(stored: StoredBooking, viewer: Viewer): Booking {
  const booking = stored.canceled ? { ...stored.booking, segments: [] } : stored.booking;
  return visibleTo(booking, viewer);
}

/** A booking on its own (booking cancel answer), with its cancelled segments and their cancel stamps. */
export function renderBooking(stored: StoredBooking, viewer: Viewer): Booking {
  return visibleTo(stored.booking, viewer);
}

function visibleTo(booking: Booking, viewer: Viewer): Booking {
  const foreign = viewer.bookingSource !== undefined && viewer.bookingSource !== booking.bookingSource;
  return foreign ? withoutAmounts(booking) : booking;
}

export function renderItineraryInfo(trip: StoredTrip, baseUrl: string, withStatus: boolean): ItineraryInfo {
  const dates = tripDates(trip);
  return {
    tripId: trip.id,
    tripName: tripName(trip),
    ...(withStatus ? { tripStatus: tripStatusNumber(trip) } : {}),
    startDateLocal: dates.start ?? null,
    endDateLocal: dates.end ?? null,
    userLoginId: trip.traveler,
    dateModifiedUtc: trip.modifiedUtc,
    id: tripUrl(baseUrl, trip.id),
  };
}
