/**
 * A booking mapping against the booking as Concur shows it now: what changed that this gateway did not do. Concur
 * warns that an update event does not mean anything changed, so only real differences count: a booking the
 * gateway cancelled, or one whose cancel was already told, is no news; dates are compared with those the gateway
 * last posted (or last saw); a mapping whose change is in progress is never compared (its lease is held).
 */
import type { BookingMapping, BookingMappingChanges, ConcurState, CreatedTrip } from '../gateway/ports';
import type { ConcurBookingState, ConcurTripState } from './concur-trip';

export interface BookingDifference {
  state: ConcurState;
  /** Why, in the event's terms. */
  reason:
    'cancelled' | 'removed-from-trip' | 'trip-deleted' | 'trip-anonymized' | 'dates-changed' | 'moved-trip';
  dates?: {
    from: { startDateLocal?: string; endDateLocal?: string };
    to: { startDateLocal?: string; endDateLocal?: string };
  };
  movedToTripId?: string;
}

export interface BookingVerdict {
  /** What to store on the mapping; undefined: nothing. */
  changes?: BookingMappingChanges;
  /** What to tell its supplier; undefined: nothing happened that it did not do itself. */
  difference?: BookingDifference;
}

/** Where the trip stands: Concur's state of it, or gone (deleted, anonymized). */
export type TripSight = { trip: ConcurTripState } | { gone: 'deleted' | 'anonymized' };

/** The value that replaces a traveler's login once Concur erased the trip. */
export const ERASED_TRAVELER = 'erased';

export function bookingIn(trip: ConcurTripState, mapping: BookingMapping): ConcurBookingState | undefined {
  return trip.bookings.find(
    (booking) =>
      booking.bookingSource === mapping.bookingSource &&
      (booking.recordLocator === mapping.recordLocator ||
        booking.confirmationNumbers.includes(mapping.confirmationNumber)),
  );
}

export function compareBooking(mapping: BookingMapping, sight: TripSight, now: string): BookingVerdict {
  if ('gone' in sight) {
    if (mapping.concurState === 'removed_in_concur' && mapping.travelerLoginId === ERASED_TRAVELER) return {};
    const told = mapping.status === 'cancelled' || mapping.concurState === 'removed_in_concur';
    return {
      changes: { concurState: 'removed_in_concur', concurChangedAt: now, travelerLoginId: ERASED_TRAVELER },
      ...(told
        ? {}
        : {
            difference: {
              state: 'removed_in_concur',
              reason: sight.gone === 'deleted' ? 'trip-deleted' : 'trip-anonymized',
            },
          }),
    };
  }
  // A rebooking in progress is the gateway's own change.
  if (mapping.status === 'rebooking') return {};
  const { trip } = sight;
  const booking = bookingIn(trip, mapping);
  const cancelledInConcur =
    booking === undefined ? mapping.tripId === trip.tripId : booking.cancelled || trip.cancelled;
  if (cancelledInConcur) {
    if (mapping.status === 'cancelled' || mapping.concurState === 'cancelled_in_concur') return {};
    return {
      changes: { concurState: 'cancelled_in_concur', concurChangedAt: now },
      difference: { state: 'cancelled_in_concur', reason: booking ? 'cancelled' : 'removed-from-trip' },
    };
  }
  if (!booking || mapping.status === 'cancelled') return {};
  const seen = {
    ...(booking.startDateLocal ? { startDateLocal: booking.startDateLocal } : {}),
    ...(booking.endDateLocal ? { endDateLocal: booking.endDateLocal } : {}),
  };
  const baseline = {
    bookingStartDateLocal: booking.startDateLocal,
    bookingEndDateLocal: booking.endDateLocal,
  };
  if (mapping.tripId !== undefined && mapping.tripId !== trip.tripId) {
    return {
      changes: { concurState: 'changed_in_concur', concurChangedAt: now, tripId: trip.tripId, ...baseline },
      difference: { state: 'changed_in_concur', reason: 'moved-trip', movedToTripId: trip.tripId },
    };
  }
  // A mapping from before the gateway kept booking dates: what Concur shows now becomes the baseline.
  if (mapping.bookingStartDateLocal === undefined && mapping.bookingEndDateLocal === undefined) {
    return booking.startDateLocal || booking.endDateLocal ? { changes: baseline } : {};
  }
  const moved =
    (booking.startDateLocal !== undefined && booking.startDateLocal !== mapping.bookingStartDateLocal) ||
    (booking.endDateLocal !== undefined && booking.endDateLocal !== mapping.bookingEndDateLocal);
  if (!moved) return {};
  return {
    changes: { concurState: 'changed_in_concur', concurChangedAt: now, ...baseline },
    difference: {
      state: 'changed_in_concur',
      reason: 'dates-changed',
      dates: {
        from: {
          ...(mapping.bookingStartDateLocal ? { startDateLocal: mapping.bookingStartDateLocal } : {}),
          ...(mapping.bookingEndDateLocal ? { endDateLocal: mapping.bookingEndDateLocal } : {}),
        },
        to: seen,
      },
    },
  };
}

/** A change made in Concur to a trip the supplier created, as a whole. */
export interface TripDifference {
  state: ConcurState;
  reason: 'cancelled' | 'trip-deleted' | 'trip-anonymized' | 'dates-changed';
  dates?: BookingDifference['dates'];
}

/**
 * A trip the supplier created against the trip as Concur shows it now: cancelled (the trip, or every booking in
 * it) or gone when the supplier did not cancel it through the gateway, or its dates moved from those the gateway
 * last recorded. A state already told is no news.
 */
export function compareCreatedTrip(created: CreatedTrip, sight: TripSight): TripDifference | undefined {
  if (created.cancelledAt !== undefined || created.concurState === 'removed_in_concur') return undefined;
  if ('gone' in sight)
    return {
      state: 'removed_in_concur',
      reason: sight.gone === 'deleted' ? 'trip-deleted' : 'trip-anonymized',
    };
  const { trip } = sight;
  const cancelled = trip.cancelled || (trip.bookings.length > 0 && trip.bookings.every((b) => b.cancelled));
  if (cancelled)
    return created.concurState === 'cancelled_in_concur'
      ? undefined
      : { state: 'cancelled_in_concur', reason: 'cancelled' };
  const from = { startDateLocal: created.tripStartDateLocal, endDateLocal: created.tripEndDateLocal };
  const to = { startDateLocal: trip.startDateLocal, endDateLocal: trip.endDateLocal };
  const moved =
    (to.startDateLocal !== undefined && to.startDateLocal !== from.startDateLocal) ||
    (to.endDateLocal !== undefined && to.endDateLocal !== from.endDateLocal);
  return moved ? { state: 'changed_in_concur', reason: 'dates-changed', dates: { from, to } } : undefined;
}
