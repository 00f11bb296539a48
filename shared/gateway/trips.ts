/**
 * Trips: create, replace, cancel, read and list at Concur, limited to what the supplier may see and change.
 */
import { travelerReferenceOf, tripRequestSchema } from './api-contract';
import type { TripRequest } from './api-contract';
import type { TripList } from './api-responses';
import { assertCompanyAllowed, redactTrip, supplierTrip } from './access';
import { tripIdOf, withOwnBookingSource } from './bookings';
import { GatewayError, validated } from './errors';
import { withBookingLease } from './locking';
import type { LockOptions } from './locking';
import type {
  BookingMappings,
  ChangeNote,
  Clock,
  ConcurCall,
  ConcurItinerary,
  Supplier,
  TravelerDirectory,
  TravelerTripWindows,
} from './ports';
import { connectionOf } from './ports';
import type { Itinerary } from '../concur';
import { TripListing, tripDetailsOf } from './trip-listing';

export interface TripDependencies {
  mappings: BookingMappings;
  concur: ConcurItinerary;
  windows: TravelerTripWindows;
  travelers: TravelerDirectory;
  /** The booking leases a trip change takes to mark the bookings it dropped. */
  lockOptions: LockOptions;
  clock?: Clock;
}

export interface TripOutcome {
  tripId: string;
  itinerary: Itinerary;
  concur: { correlationId?: string; attempts: number };
}

/** Validates a trip create or replace body; each booking's bookingSource is the supplier's, filled in if left out. */
export function parseTripRequest(supplier: Supplier, body: unknown): TripRequest {
  const itinerary = (body as { itinerary?: { bookings?: unknown } } | null)?.itinerary;
  if (itinerary && Array.isArray(itinerary.bookings)) {
    itinerary.bookings = itinerary.bookings.map(
      (booking: unknown, index) =>
        withOwnBookingSource(supplier, booking, `itinerary.bookings[${index}]`) ?? booking,
    );
  }
  return validated(tripRequestSchema(supplier.profile), body, 'the trip request');
}

const outcomeOf = (supplier: Supplier, call: ConcurCall<Itinerary>, fallbackTripId?: string): TripOutcome => {
  const tripId = tripIdOf(call.value) ?? fallbackTripId;
  if (!tripId) throw new Error('Concur answered a trip without an id');
  return {
    tripId,
    itinerary: redactTrip(call.value, supplier.bookingSource),
    concur: { correlationId: call.correlationId, attempts: call.attempts },
  };
};

export class TripService {
  private readonly listing: TripListing;

  constructor(private readonly deps: TripDependencies) {
    this.listing = new TripListing(deps);
  }

  async create(supplier: Supplier, companyId: string, body: unknown): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const request = parseTripRequest(supplier, body);
    const loginId = await this.deps.travelers.loginIdOf(
      connectionOf(supplier, companyId),
      travelerReferenceOf(request.traveler),
    );
    const call = await this.deps.concur.createTrip(connectionOf(supplier, companyId), {
      itinerary: request.itinerary,
      loginId,
    });
    const outcome = outcomeOf(supplier, call);
    await this.record(supplier, companyId, outcome.tripId, loginId, call.value);
    return outcome;
  }

  /**
   * Replaces a trip the supplier created. A trip that also holds other sources' bookings is refused (409):
   * a replace drops whatever it does not send, and the gateway cannot re-send another supplier's booking
   * faithfully from what Concur shows. The supplier's own bookings the replace drops are marked cancelled.
   */
  async update(supplier: Supplier, companyId: string, tripId: string, body: unknown): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const trip = await this.requireCreated(supplier, companyId, tripId);
    const request = parseTripRequest(supplier, body);
    const loginId = await this.deps.travelers.loginIdOf(
      connectionOf(supplier, companyId),
      travelerReferenceOf(request.traveler),
    );
    await this.refuseSharedTrip(supplier, companyId, tripId, trip.travelerLoginId, 'replaced');
    const call = await this.deps.concur.updateTrip(connectionOf(supplier, companyId), {
      tripId,
      itinerary: request.itinerary,
      loginId,
    });
    const kept = new Set((call.value.bookings ?? []).map((booking) => booking?.recordLocator));
    await this.markCancelled(supplier, companyId, tripId, (recordLocator) => !kept.has(recordLocator), {
      action: 'trip-replaced',
      concur: { status: 'ok', ...(call.correlationId ? { correlationId: call.correlationId } : {}) },
    });
    await this.record(supplier, companyId, tripId, trip.travelerLoginId, call.value);
    return outcomeOf(supplier, call, tripId);
  }

  /** Cancels a trip the supplier created, refused (409) while it holds other sources' bookings. */
  async cancel(supplier: Supplier, companyId: string, tripId: string): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const trip = await this.requireCreated(supplier, companyId, tripId);
    await this.refuseSharedTrip(supplier, companyId, tripId, trip.travelerLoginId, 'cancelled');
    // Noted before Concur is asked: the change notice of this very cancel may come back before its answer, and
    // must read as the supplier's own cancel, not as one made in Concur.
    const standing = {
      companyId,
      bookingSource: supplier.bookingSource,
      tripId,
      travelerLoginId: trip.travelerLoginId,
    };
    await this.deps.mappings.recordTrip({ ...standing, cancelledAt: new Date(this.now()).toISOString() });
    let call: Awaited<ReturnType<ConcurItinerary['cancelTrip']>>;
    try {
      call = await this.deps.concur.cancelTrip(connectionOf(supplier, companyId), {
        tripId,
        loginId: trip.travelerLoginId,
      });
    } catch (error) {
      await this.deps.mappings.recordTrip({ ...standing, cancelledAt: null });
      throw error;
    }
    await this.markCancelled(supplier, companyId, tripId, () => true, {
      action: 'trip-cancelled',
      concur: { status: 'ok', ...(call.correlationId ? { correlationId: call.correlationId } : {}) },
    });
    // Concur answers either the trip with empty segments or <Message>Cancelled Successfully</Message>.
    const itinerary = (call.value.itinerary as Itinerary | undefined) ?? {};
    return {
      tripId,
      itinerary: redactTrip(itinerary, supplier.bookingSource),
      concur: { correlationId: call.correlationId, attempts: call.attempts },
    };
  }

  async get(supplier: Supplier, companyId: string, tripId: string): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const trip = await supplierTrip(this.deps.mappings, supplier, companyId, tripId);
    if (!trip) throw new GatewayError('not-found', `no trip ${tripId} with your bookings`);
    const call = await this.deps.concur.getTrip(connectionOf(supplier, companyId), {
      tripId,
      loginId: trip.travelerLoginId,
    });
    return outcomeOf(supplier, call, tripId);
  }

  /** The supplier's trips: from the gateway's records, or with `?traveler=` that traveler's list at Concur. */
  list(supplier: Supplier, companyId: string, query: unknown): Promise<TripList> {
    return this.listing.list(supplier, companyId, query);
  }

  private async refuseSharedTrip(
    supplier: Supplier,
    companyId: string,
    tripId: string,
    loginId: string,
    change: 'replaced' | 'cancelled',
  ): Promise<void> {
    const current = await this.deps.concur.getTrip(connectionOf(supplier, companyId), { tripId, loginId });
    const others = new Set(
      (current.value.bookings ?? [])
        .filter((booking) => booking !== null && booking.bookingSource !== supplier.bookingSource)
        .map((booking) => booking!.bookingSource ?? '(none)'),
    );
    if (others.size > 0) {
      throw new GatewayError(
        'conflict',
        `the trip also holds bookings of ${[...others].sort().join(', ')}; it cannot be ${change} without them. Change or cancel your bookings one by one instead.`,
        [
          {
            path: 'tripId',
            message: `holds bookings of other booking sources: ${[...others].sort().join(', ')}`,
          },
        ],
      );
    }
  }

  /** The supplier's record of a trip it created, with the name, dates and own bookings Concur answered. */
  private now(): number {
    return (this.deps.clock ?? Date).now();
  }

  private async record(
    supplier: Supplier,
    companyId: string,
    tripId: string,
    travelerLoginId: string,
    itinerary: Itinerary,
  ): Promise<void> {
    const recordLocators = (itinerary.bookings ?? [])
      .filter((booking) => booking?.bookingSource === supplier.bookingSource && booking.recordLocator)
      .map((booking) => booking!.recordLocator!);
    await this.deps.mappings.recordTrip({
      companyId,
      bookingSource: supplier.bookingSource,
      tripId,
      travelerLoginId,
      recordLocators,
      ...tripDetailsOf(itinerary),
    });
  }

  /**
   * Keeps the supplier's mappings in step with a trip change Concur made to its bookings: the trip's records come
   * from the trips index (not from every booking of the supplier); each mapping is then changed under its
   * booking's lease, as a booking PUT changes it, so the two never interleave.
   */
  private async markCancelled(
    supplier: Supplier,
    companyId: string,
    tripId: string,
    dropped: (recordLocator: string) => boolean,
    change: ChangeNote,
  ): Promise<void> {
    const { mappings } = this.deps;
    const trip = await mappings.tripOfSupplier(companyId, supplier.bookingSource, tripId);
    const affected = (trip?.bookings ?? []).filter(
      (booking) => booking.status !== 'cancelled' && dropped(booking.recordLocator),
    );
    for (const { confirmationNumber } of affected) {
      const key = { companyId, bookingSource: supplier.bookingSource, confirmationNumber };
      await withBookingLease(
        mappings,
        key,
        async ({ mapping, save }) => {
          // As it stands under the lease: a PUT may have moved the booking to another trip meanwhile.
          if (mapping?.tripId === tripId && mapping.status !== 'cancelled')
            await save({ changes: { status: 'cancelled', pendingStep: undefined }, change });
        },
        this.deps.lockOptions,
        supplier.actor,
      );
    }
  }

  private async requireCreated(supplier: Supplier, companyId: string, tripId: string) {
    const trip = await this.deps.mappings.createdTrip(companyId, supplier.bookingSource, tripId);
    if (!trip) throw new GatewayError('not-found', `no trip ${tripId} created by you`);
    return trip;
  }
}
