/**
 * What a traveler (or Concur itself) does to a trip inside Concur, outside any API client: cancel the whole
 * trip, change or cancel one booking's dates, and Concur's own deletion and anonymization. Each is one change of
 * the trip, told to the store's listeners (the ESS publisher) and seen in the trip list's lastModifiedDate.
 */
import type { Segment } from '../../shared/concur';
import { ConcurApiError } from './errors';
import type { TripStore } from './store';
import type { StoredBooking, StoredTrip } from './stored-trip';
import { segmentsOf } from './trip-shape';

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
