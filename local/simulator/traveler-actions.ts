/**
 * What a traveler (or Concur itself) does to a trip inside Concur, outside any API client: a trip booked
 * elsewhere (by the traveler's agency), cancel the whole trip, change or cancel one booking's dates, and Concur's
 * own deletion and anonymization. Each is one change of
 * the trip, told to the store's listeners (the ESS publisher) and seen in the trip list's lastModifiedDate.
 */
import type { Segment } from '../../shared/concur';
import { ConcurApiError } from './errors';
import type { TripStore } from './store';
import type { StoredBooking, StoredTrip } from './stored-trip';
import { segmentsOf } from './trip-shape';

/** A trip the traveler's agency booked: one hotel stay of its own booking source over these dates. */
export interface TripBookedElsewhere {
  companyId: string;
  /** The traveler's Concur login. */
  traveler: string;
  startDateLocal: string;
  endDateLocal: string;
}

/** The booking source of trips booked elsewhere: no supplier's. */
export const ELSEWHERE_BOOKING_SOURCE = 'TravelAgency';

export interface TravelerChange {
  /** The booking's record locator or one of its segments' confirmation numbers. */
  confirmationNumber: string;
  startDateLocal?: string;
  endDateLocal?: string;
  cancel?: boolean;
}

const notFound = (message: string) => new ConcurApiError(404, message);

export class TravelerActions {
  constructor(private readonly store: TripStore) {}

  /**
   * A trip of the traveler booked through another channel: a booking posted later without a trip id whose
   * segments fall within its dates joins it, as Concur merges posted bookings into the traveler's trips.
   */
  bookElsewhere(trip: TripBookedElsewhere): StoredTrip {
    const taken = new Set(
      this.store
        .companyTrips(trip.companyId)
        .flatMap((t) => t.bookings.map((stored) => stored.booking.recordLocator)),
    );
    let number = taken.size + 1;
    while (taken.has(`AGENCY${number}`)) number++;
    const dates = { startDateLocal: trip.startDateLocal, endDateLocal: trip.endDateLocal };
    return this.store.createTrip(
      { companyId: trip.companyId, traveler: trip.traveler, travelerNamed: true },
      {
        tripName: 'Booked by the travel agency',
        ...dates,
        bookings: [
          {
            bookingSource: ELSEWHERE_BOOKING_SOURCE,
            recordLocator: `AGENCY${number}`,
            itinSourceName: ELSEWHERE_BOOKING_SOURCE,
            segments: [{ kind: 'hotel', vendor: 'HY', confirmationNumber: `AGENCY${number}`, ...dates }],
          },
        ],
      },
    );
  }

  cancelTrip(tripId: string): StoredTrip {
    const trip = this.require(tripId);
    for (const stored of trip.bookings) this.store.cancelStoredBooking(stored);
    trip.canceled = true;
    this.store.touch(trip);
    return trip;
  }

  changeBooking(tripId: string, change: TravelerChange): StoredTrip {
    const trip = this.require(tripId);
    const stored = trip.bookings.find((b) => confirms(b, change.confirmationNumber));
    if (!stored) throw notFound(`Trip ${tripId} holds no booking ${change.confirmationNumber}.`);
    if (change.cancel) {
      this.store.cancelStoredBooking(stored);
      if (trip.bookings.every((b) => b.canceled)) trip.canceled = true;
    } else {
      const whole = stored.booking.recordLocator === change.confirmationNumber;
      stored.booking = {
        ...stored.booking,
        segments: segmentsOf(stored.booking).map((segment): Segment =>
          whole || segment.confirmationNumber === change.confirmationNumber
            ? {
                ...segment,
                ...(change.startDateLocal ? { startDateLocal: change.startDateLocal } : {}),
                ...(change.endDateLocal ? { endDateLocal: change.endDateLocal } : {}),
              }
            : segment,
        ),
      };
    }
    this.store.touch(trip);
    return trip;
  }

  /** Concur deletes the trip for good: gone from every API. */
  deleteTrip(tripId: string): StoredTrip {
    const trip = this.require(tripId);
    this.store.removeTrip(trip, 'deleted');
    return trip;
  }

  /** Concur anonymizes the trip (GDPR, right to be forgotten): no traveler's name or login is left in it. */
  anonymizeTrip(tripId: string): StoredTrip {
    const trip = this.require(tripId);
    trip.traveler = `anonymized-${trip.id}`;
    trip.header = { ...trip.header, bookedByFirstName: null, bookedByLastName: null };
    for (const stored of trip.bookings) {
      stored.booking = {
        ...stored.booking,
        passengers: (stored.booking.passengers ?? []).map(() => ({
          nameFirst: 'Anonymized',
          nameLast: 'Anonymized',
        })),
      };
    }
    this.store.touch(trip, 'anonymized');
    return trip;
  }

  private require(tripId: string): StoredTrip {
    const trip = this.store.byId(tripId);
    if (!trip) throw notFound(`unknown trip "${tripId}"`);
    return trip;
  }
}

function confirms(stored: StoredBooking, confirmationNumber: string): boolean {
  return (
    stored.booking.recordLocator === confirmationNumber ||
    segmentsOf(stored.booking).some((segment) => segment.confirmationNumber === confirmationNumber)
  );
}
