/**
 * A trip the supplier created, compared as a whole with the trip as Concur shows it: what is told of it, and
 * what is not (the supplier's own cancel, a state already told, dates as recorded).
 */
import { describe, expect, it } from 'vitest';
import { compareCreatedTrip } from '../../shared/change-notices/comparison';
import type { ConcurTripState } from '../../shared/change-notices/concur-trip';
import type { CreatedTrip } from '../../shared/gateway/ports';

const created: CreatedTrip = {
  tripId: 'T1',
  travelerLoginId: 'cm@example.com',
  tripStartDateLocal: '2029-11-20T08:00:00',
  tripEndDateLocal: '2029-11-23T20:00:00',
};
const booking = (cancelled = false) => ({
  bookingSource: 'DemoSupplier',
  recordLocator: 'R1',
  confirmationNumbers: ['C1'],
  cancelled,
});
const trip = (overrides: Partial<ConcurTripState> = {}): { trip: ConcurTripState } => ({
  trip: {
    tripId: 'T1',
    cancelled: false,
    startDateLocal: '2029-11-20T08:00:00',
    endDateLocal: '2029-11-23T20:00:00',
    bookings: [booking()],
    ...overrides,
  },
});

describe('a created trip against Concur', () => {
  it('tells nothing while Concur shows it as recorded', () => {
    expect(compareCreatedTrip(created, trip())).toBeUndefined();
  });

  it('tells its dates moving, from the recorded ones to Concur’s', () => {
    expect(compareCreatedTrip(created, trip({ endDateLocal: '2029-11-25T20:00:00' }))).toEqual({
      state: 'changed_in_concur',
      reason: 'dates-changed',
      dates: {
        from: { startDateLocal: '2029-11-20T08:00:00', endDateLocal: '2029-11-23T20:00:00' },
        to: { startDateLocal: '2029-11-20T08:00:00', endDateLocal: '2029-11-25T20:00:00' },
      },
    });
  });

  it('tells a cancel of the trip, or of every booking in it, once', () => {
    const cancelled = { state: 'cancelled_in_concur', reason: 'cancelled' };
    expect(compareCreatedTrip(created, trip({ cancelled: true }))).toEqual(cancelled);
    expect(compareCreatedTrip(created, trip({ bookings: [booking(true), booking(true)] }))).toEqual(
      cancelled,
    );
    expect(compareCreatedTrip(created, trip({ bookings: [booking(true), booking()] }))).toBeUndefined();
    expect(
      compareCreatedTrip({ ...created, concurState: 'cancelled_in_concur' }, trip({ cancelled: true })),
    ).toBeUndefined();
  });

  it('tells a deleted or anonymized trip once, as removed', () => {
    expect(compareCreatedTrip(created, { gone: 'deleted' })).toEqual({
      state: 'removed_in_concur',
      reason: 'trip-deleted',
    });
    expect(compareCreatedTrip(created, { gone: 'anonymized' })).toEqual({
      state: 'removed_in_concur',
      reason: 'trip-anonymized',
    });
    expect(
      compareCreatedTrip({ ...created, concurState: 'removed_in_concur' }, { gone: 'deleted' }),
    ).toBeUndefined();
  });

  it('tells nothing of a trip the supplier cancelled through the gateway', () => {
    const cancelledByItsSupplier = { ...created, cancelledAt: '2029-01-01T00:00:00.000Z' };
    expect(compareCreatedTrip(cancelledByItsSupplier, trip({ cancelled: true }))).toBeUndefined();
    expect(compareCreatedTrip(cancelledByItsSupplier, { gone: 'deleted' })).toBeUndefined();
  });
});
