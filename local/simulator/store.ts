/**
 * The simulator's state and Concur's write semantics, free of HTTP:
 *
 * - a posted trip is always a new trip (posted trips never merge); a trip posted with a tripId replaces that
 *   trip whole, so bookings not sent again disappear;
 * - a posted booking is identified by (BookingSource, RecordLocator) within its company; it updates that booking
 *   where it is, or joins the trip named by tripId, else the traveler's first trip whose dates span it, else a
 *   new trip;
 * - a cancelled booking keeps its data but shows no segments in its trip; a trip whose bookings are all
 *   cancelled is cancelled (TripStatus 2);
 * - a caller with a booking source (a supplier) may only write and cancel that source's bookings.
 */
import type { Booking, Itinerary, Segment } from '../../shared/concur';
import { ConcurApiError, SOURCE_MISMATCH, badRequest, forbidden, notFound } from './errors';
import type { IdGenerator } from './ids';
import { assertNoProblems, bookingKey, bookingProblems, itineraryProblems } from './request-rules';
import type { Clock } from './time';
import { concurDateTime } from './time';
import type { StoredBooking, StoredTrip } from './stored-trip';
import { TRIP_STATUS_CANCELED, bookingSpan, segmentsOf, tripSpan } from './trip-shape';

/** Who writes, for whom. */
export interface WriteContext {
  companyId: string;
  /** The traveler the request acts for: userid_value, else the token's own user. */
  traveler: string;
  /** True when the request named the traveler (userid_value): trips of other travelers are then not found. */
  travelerNamed: boolean;
  /** The caller's booking source; undefined for TMC/administrator tokens, which may write any source. */
  callerSource?: string;
}

/** What happened to a trip, as Concur's itinerary events name it. */
export type TripChange = 'created' | 'updated' | 'cancelled' | 'deleted' | 'anonymized';

/** Told of every change to a trip, after it is made (the ESS publisher listens). */
export type TripChangeListener = (trip: StoredTrip, change: TripChange) => void;

export interface CanceledBooking {
  stored: StoredBooking;
  trip: StoredTrip;
}

/** Trip-level elements that Concur generates or that live elsewhere: never taken from a request. */
const GENERATED_TRIP_KEYS = [
  'id',
  'tripId',
  'itinLocator',
  'bookings',
  'dateCreatedUtc',
  'dateModifiedUtc',
] as const;

const BOOKED_VIA = 'EveryGDS';

export class TripStore {
  private trips: StoredTrip[] = [];
  private readonly listeners: TripChangeListener[] = [];
  /** Trips the listeners were told of: the first change told of a trip is its creation. */
  private readonly told = new WeakSet<StoredTrip>();

  constructor(
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  reset(): void {
    this.trips = [];
  }

  /** Tells `listener` of every change to a trip from now on. */
  observe(listener: TripChangeListener): void {
    this.listeners.push(listener);
  }

  /** Removes a trip for good (what Concur's deletion and its ItineraryDeleted event mean). */
  removeTrip(trip: StoredTrip, change: 'deleted'): void {
    this.trips = this.trips.filter((t) => t !== trip);
    for (const listener of this.listeners) listener(trip, change);
  }

  /** Takes over trips kept from an earlier run (see persistence.ts). */
  restore(trips: StoredTrip[]): void {
    this.trips = trips;
    for (const trip of trips) this.told.add(trip);
  }

  /** Every trip, in creation order (the live objects: read, do not change). */
  all(): readonly StoredTrip[] {
    return this.trips;
  }

  companyTrips(companyId: string): StoredTrip[] {
    return this.trips.filter((t) => t.companyId === companyId);
  }

  byId(tripId: string): StoredTrip | undefined {
    return this.trips.find((t) => t.id === tripId);
  }

  /** A trip the request may see: same company, and the named traveler's when userid_value was sent. */
  requireTrip(
    context: Pick<WriteContext, 'companyId' | 'traveler' | 'travelerNamed'>,
    tripId: string,
  ): StoredTrip {
    const trip = this.trips.find((t) => t.id === tripId && t.companyId === context.companyId);
    if (!trip || (context.travelerNamed && trip.traveler !== context.traveler)) {
      throw notFound(`Trip ${tripId} was not found.`);
    }
    return trip;
  }

  /**
   * Removes a booking from its trip as if someone deleted it at Concur through another channel (the state API):
   * what reconciliation must notice. Answers whether there was one.
   */
  deleteBooking(companyId: string, bookingSource: string, recordLocator: string): boolean {
    for (const trip of this.companyTrips(companyId)) {
      const index = trip.bookings.findIndex(
        (stored) =>
          stored.booking.bookingSource === bookingSource && stored.booking.recordLocator === recordLocator,
      );
      if (index >= 0) {
        trip.bookings.splice(index, 1);
        this.touch(trip);
        return true;
      }
    }
    return false;
  }

  setTripFlags(tripId: string, flags: { virtual?: boolean; guest?: boolean }): void {
    const trip = this.byId(tripId);
    if (!trip) throw new Error(`unknown trip "${tripId}"`);
    if (flags.virtual !== undefined) trip.virtual = flags.virtual;
    if (flags.guest !== undefined) trip.guest = flags.guest;
  }

  /** `POST /api/travel/trip/v1.1`: always a new trip. */
  createTrip(context: WriteContext, itinerary: Itinerary): StoredTrip {
    assertNoProblems(itineraryProblems(itinerary));
    const posted = postedBookings(itinerary);
    this.assertCallerOwns(context, posted, 'post a trip with');
    const trip = this.newTrip(context, tripHeader(itinerary), 'ConcurTravel');
    trip.bookings = posted.map((booking) => this.takeBooking(context.companyId, booking, trip));
    trip.canceled = isCanceledStatus(itinerary.tripStatus);
    this.touch(trip);
    return trip;
  }

  /** `POST /api/travel/trip/v1.1?tripId=…`: the posted trip replaces the stored one whole. */
  replaceTrip(context: WriteContext, tripId: string, itinerary: Itinerary): StoredTrip {
    const trip = this.requireTrip(context, tripId);
    assertNoProblems(itineraryProblems(itinerary));
    const posted = postedBookings(itinerary);
    this.assertCallerOwns(
      context,
      trip.bookings.map((b) => b.booking),
      'replace a trip holding',
    );
    this.assertCallerOwns(context, posted, 'post a trip with');
    const previous = trip.header;
    trip.header = {
      ...tripHeader(itinerary),
      clientLocator: itinerary.clientLocator ?? previous.clientLocator ?? null,
      itinSourceName: itinerary.itinSourceName ?? previous.itinSourceName ?? null,
      bookedVia: itinerary.bookedVia ?? previous.bookedVia ?? null,
      dateBookedLocal: itinerary.dateBookedLocal ?? previous.dateBookedLocal ?? null,
    };
    trip.bookings = posted.map((booking) => this.takeBooking(context.companyId, booking, trip));
    trip.canceled = isCanceledStatus(itinerary.tripStatus);
    this.touch(trip);
    return trip;
  }

  /**
   * `POST /api/travel/trip/v1.1/cancel?tripId=…`: cancels every segment. A supplier cancels only its own
   * bookings' segments (seed 002); the trip is cancelled once none of its bookings is left.
   */
  cancelTrip(context: WriteContext, tripId: string): StoredTrip {
    const trip = this.requireTrip(context, tripId);
    const mine = trip.bookings.filter(
      (b) => context.callerSource === undefined || b.booking.bookingSource === context.callerSource,
    );
    if (context.callerSource !== undefined && mine.length === 0 && trip.bookings.length > 0) {
      throw forbidden(`${SOURCE_MISMATCH}: trip ${tripId} holds no booking of ${context.callerSource}.`);
    }
    for (const stored of mine) this.cancelStoredBooking(stored);
    if (trip.bookings.every((b) => b.canceled)) trip.canceled = true;
    this.touch(trip);
    return trip;
  }

  /** `POST /api/travel/booking/v1.1[?tripId=…]`: create or update a booking; answers the trip it is in. */
  postBooking(context: WriteContext, booking: Booking, tripId?: string): StoredTrip {
    assertNoProblems(bookingProblems(booking));
    this.assertCallerOwns(context, [booking], 'post');
    const existing = this.locate(context.companyId, booking.bookingSource!, booking.recordLocator!);
    let target: StoredTrip;
    if (tripId !== undefined) target = this.requireTrip(context, tripId);
    else if (existing) target = existing.trip;
    else target = this.spanningTrip(context, booking) ?? this.newTripForBooking(context, booking);

    const stored: StoredBooking = { booking: this.stamp(booking, existing?.stored.booking), canceled: false };
    if (existing && existing.trip === target) {
      target.bookings[target.bookings.indexOf(existing.stored)] = stored;
    } else {
      if (existing) this.detach(existing.trip, existing.stored);
      target.bookings.push(stored);
    }
    // A live booking brings a cancelled trip back.
    target.canceled = false;
    this.touch(target);
    return target;
  }

  /**
   * `POST /api/travel/booking/v1.1/cancel?bookingSource=…&confirmationNumber=…`. The confirmation number is the
   * booking's RecordLocator or one of its segments' ConfirmationNumber; the source must be the booking's.
   */
  cancelBooking(context: WriteContext, bookingSource: string, confirmationNumber: string): CanceledBooking {
    if (!bookingSource || !confirmationNumber) {
      throw badRequest('bookingSource and confirmationNumber are required.');
    }
    if (context.callerSource !== undefined && bookingSource !== context.callerSource) {
      throw forbidden(`${SOURCE_MISMATCH}: this client may only cancel bookings of ${context.callerSource}.`);
    }
    const matches: CanceledBooking[] = [];
    for (const trip of this.companyTrips(context.companyId)) {
      if (context.travelerNamed && trip.traveler !== context.traveler) continue;
      for (const stored of trip.bookings) {
        if (confirms(stored.booking, confirmationNumber)) matches.push({ stored, trip });
      }
    }
    const match = matches.find((m) => m.stored.booking.bookingSource === bookingSource);
    if (!match) {
      if (matches.length > 0) {
        throw forbidden(
          `${SOURCE_MISMATCH}: booking ${confirmationNumber} was created by another booking source and only that source may cancel it.`,
        );
      }
      throw new ConcurApiError(404, 'NotFound', 'not-found-status');
    }
    if (!match.stored.canceled) {
      this.cancelStoredBooking(match.stored);
      if (match.trip.bookings.every((b) => b.canceled)) match.trip.canceled = true;
      this.touch(match.trip);
    }
    return match;
  }

  private assertCallerOwns(context: WriteContext, bookings: readonly Booking[], action: string): void {
    if (context.callerSource === undefined) return;
    const foreign = bookings.find((b) => b.bookingSource !== context.callerSource);
    if (foreign) {
      throw forbidden(
        `${SOURCE_MISMATCH}: this client books as ${context.callerSource} and may not ${action} bookings of ${foreign.bookingSource}; only the booking source that created a booking may update or cancel it.`,
      );
    }
  }

  private locate(
    companyId: string,
    bookingSource: string,
    recordLocator: string,
  ): { trip: StoredTrip; stored: StoredBooking } | undefined {
    const key = bookingKey(bookingSource, recordLocator);
    for (const trip of this.companyTrips(companyId)) {
      const stored = trip.bookings.find(
        (b) => bookingKey(b.booking.bookingSource ?? '', b.booking.recordLocator ?? '') === key,
      );
      if (stored) return { trip, stored };
    }
    return undefined;
  }

  /** The traveler's first (oldest) live trip whose dates span the booking's. */
  private spanningTrip(context: WriteContext, booking: Booking): StoredTrip | undefined {
    const span = bookingSpan(booking);
    if (!span) return undefined;
    return this.companyTrips(context.companyId).find((trip) => {
      if (trip.traveler !== context.traveler || trip.canceled) return false;
      const tripDates = tripSpan(trip);
      return tripDates.start <= span.start && tripDates.end >= span.end;
    });
  }

  private newTripForBooking(context: WriteContext, booking: Booking): StoredTrip {
    return this.newTrip(context, {}, booking.itinSourceName || 'TravelSupplier');
  }

  private newTrip(context: WriteContext, header: Itinerary, defaultSourceName: string): StoredTrip {
    const now = this.now();
    const trip: StoredTrip = {
      id: this.ids.tripId(),
      companyId: context.companyId,
      traveler: context.traveler,
      header: {
        ...header,
        clientLocator: header.clientLocator || this.ids.clientLocator(),
        itinSourceName: header.itinSourceName || defaultSourceName,
        bookedVia: header.bookedVia || BOOKED_VIA,
        dateBookedLocal: header.dateBookedLocal || now,
      },
      bookings: [],
      createdUtc: now,
      modifiedUtc: now,
      canceled: false,
      virtual: false,
      guest: false,
    };
    this.trips.push(trip);
    return trip;
  }

  /** A booking posted inside a trip: moves it out of any other trip (a booking lives in one trip only). */
  private takeBooking(companyId: string, booking: Booking, into: StoredTrip): StoredBooking {
    const existing = this.locate(companyId, booking.bookingSource!, booking.recordLocator!);
    if (existing && existing.trip !== into) {
      this.detach(existing.trip, existing.stored);
      this.touch(existing.trip);
    }
    return { booking: this.stamp(booking, existing?.stored.booking), canceled: false };
  }

  private detach(trip: StoredTrip, stored: StoredBooking): void {
    trip.bookings = trip.bookings.filter((b) => b !== stored);
  }

  /** Concur's generated booking fields: DateCreatedUtc kept from the first post, DateModifiedUtc, PassengerCount. */
  private stamp(posted: Booking, previous: Booking | undefined): Booking {
    const now = this.now();
    const passengers = (posted.passengers ?? []).filter((p) => p !== null);
    return {
      ...posted,
      segments: segmentsOf(posted).map((segment) => ({
        ...segment,
        dateModifiedUtc: segment.dateModifiedUtc ?? now,
      })),
      dateCreatedUtc: posted.dateCreatedUtc ?? previous?.dateCreatedUtc ?? now,
      dateModifiedUtc: now,
      passengerCount: posted.passengerCount ?? (passengers.length > 0 ? passengers.length : null),
    };
  }

  /** Cancels one stored booking as Concur does (its cancel stamps); the caller marks the trip changed. */
  cancelStoredBooking(stored: StoredBooking): void {
    if (stored.canceled) return;
    const now = this.now();
    stored.canceled = true;
    stored.booking = {
      ...stored.booking,
      dateModifiedUtc: now,
      segments: segmentsOf(stored.booking).map((segment): Segment => ({
        ...segment,
        cancellationNumber: segment.cancellationNumber || this.ids.cancellationNumber(),
        dateCancelledUtc: now,
        dateModifiedUtc: now,
      })),
    };
  }

  /**
   * Marks the trip modified now and tells the listeners: `created` the first time, then `cancelled` once no
   * booking of it is left, else `updated` (or the change given, e.g. `anonymized`).
   */
  touch(trip: StoredTrip, change?: TripChange): void {
    trip.modifiedUtc = this.now();
    const told = change ?? (!this.told.has(trip) ? 'created' : trip.canceled ? 'cancelled' : 'updated');
    this.told.add(trip);
    for (const listener of this.listeners) listener(trip, told);
  }

  private now(): string {
    return concurDateTime(this.clock.now());
  }
}

function postedBookings(itinerary: Itinerary): Booking[] {
  return (itinerary.bookings ?? []).filter((b): b is Booking => b !== null && b !== undefined);
}

function tripHeader(itinerary: Itinerary): Itinerary {
  const header: Record<string, unknown> = { ...itinerary };
  for (const key of GENERATED_TRIP_KEYS) delete header[key];
  return header as Itinerary;
}

function isCanceledStatus(status: Itinerary['tripStatus']): boolean {
  return status !== undefined && status !== null && String(status).trim() === String(TRIP_STATUS_CANCELED);
}

function confirms(booking: Booking, confirmationNumber: string): boolean {
  if (booking.recordLocator === confirmationNumber) return true;
  return segmentsOf(booking).some((segment) => segment.confirmationNumber === confirmationNumber);
}
