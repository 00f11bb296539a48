/**
 * Applies one itinerary event: reads the trip it names with Itinerary v4 (or, for a trip deleted or anonymized,
 * recalls which trip that was), finds every supplier's mappings for it (by the trip id, `ItinLocator`, then by
 * each Concur booking's BookingSource and its record locator and segment confirmation numbers), compares each
 * under the booking's lease, records `concurState` on the mapping and tells the booking's own supplier, and no
 * other, of a real difference. Applying an event again changes and tells nothing twice: the comparison finds
 * the state already recorded, and the supplier's message id comes from the event. ESS events count only for the
 * companies set to `ess`; the poller brings the trips of the companies set to `poll` (applyTrip), compared and
 * told the same way.
 */
import type { BookingKey, BookingMapping, BookingMappings, Clock, Supplier } from '../gateway/ports';
import { bookingMappingView } from '../gateway/views';
import { messageIdOf } from '../webhooks-out/message-ids';
import type { SupplierEventPublisher } from '../webhooks-out/publisher';
import type { SupplierEventType } from '../webhooks-out/event-types';
import { tripStateOfV4 } from './concur-trip';
import type { ConcurTripState } from './concur-trip';
import { compareBooking, compareCreatedTrip, ERASED_TRAVELER } from './comparison';
import type { BookingDifference, TripDifference, TripSight } from './comparison';
import type {
  ChangeNotice,
  ChangeNoticeMode,
  ChangeNoticeModes,
  ChangeNoticeRecords,
  CompanySuppliers,
  ConcurTripsV4,
  TravelerRecords,
} from './ports';

/** A booking's change is in progress (its lease is held): the event is applied again later. */
export class BookingBusyError extends Error {
  constructor(readonly key: BookingKey) {
    super(
      `booking ${key.confirmationNumber} of ${key.bookingSource} is being changed; the event is applied later`,
    );
    this.name = 'BookingBusyError';
  }
}

export interface ChangeApplierDependencies {
  trips: ConcurTripsV4;
  suppliers: CompanySuppliers;
  mappings: BookingMappings;
  records: ChangeNoticeRecords;
  travelers: TravelerRecords;
  publisher: SupplierEventPublisher;
  modes: ChangeNoticeModes;
  clock?: Clock;
  /** How long a comparison may hold a booking's lease. */
  leaseMs?: number;
}

export interface ApplyOutcome {
  /** The event was applied before (ESS delivered it again). */
  duplicate?: true;
  /** The company does not take ESS events (its mode is `poll` or `off`): nothing was read or compared. */
  ignored?: Exclude<ChangeNoticeMode, 'ess'>;
  /** Supplier events queued, per supplier id: of a booking, or of a trip the supplier created. */
  announced: ({ supplierId: string; type: SupplierEventType } & (
    { confirmationNumber: string } | { tripId: string }
  ))[];
}

/**
 * One change to apply: its id (an ESS event's, or the poller's for a trip's modification) names the supplier
 * messages it causes and holds the bookings' leases; `read` reads the trip again when a booking changed meanwhile.
 */
interface TripChange {
  id: string;
  companyId: string;
  read: () => Promise<Sighting | undefined>;
}

/** What was seen of the trip, when (epoch ms; a trip gone is seen forever). */
interface Sighting {
  sight: TripSight;
  tripId: string;
  readAt: number;
}

/** Clocks of different functions may differ this much: a mapping written this close to the read is read again. */
const CLOCK_MARGIN_MS = 2_000;

const EVENT_OF_STATE = {
  changed_in_concur: 'booking.changed_in_concur',
  cancelled_in_concur: 'booking.cancelled_in_concur',
  removed_in_concur: 'booking.cancelled_in_concur',
} as const;

const TRIP_EVENT_OF_STATE = {
  changed_in_concur: 'trip.changed_in_concur',
  cancelled_in_concur: 'trip.cancelled_in_concur',
  removed_in_concur: 'trip.cancelled_in_concur',
} as const;

export class ChangeApplier {
  constructor(private readonly deps: ChangeApplierDependencies) {}

  async apply(notice: ChangeNotice): Promise<ApplyOutcome> {
    const { records } = this.deps;
    if (await records.isApplied(notice.eventId)) return { duplicate: true, announced: [] };
    const mode = await this.deps.modes.modeOf(notice.companyId);
    if (mode !== 'ess') {
      await records.markApplied(notice.eventId);
      return { ignored: mode, announced: [] };
    }
    const change: TripChange = {
      id: notice.eventId,
      companyId: notice.companyId,
      read: () => this.sight(notice),
    };
    const seen = await change.read();
    const announced = seen ? await this.applySighting(change, seen) : [];
    if (seen && !('trip' in seen.sight)) await records.forgetTrip(notice.companyId, notice.v4TripId);
    await records.markApplied(notice.eventId);
    return { announced };
  }

  /**
   * A trip the poller read (Itinerary v1.1), compared and told as an ESS event's trip is. `read` answers the trip
   * as Concur shows it now (undefined: Concur no longer has it); `changeId` names the modification seen, so the
   * same modification seen twice tells nothing twice.
   */
  async applyTrip(
    companyId: string,
    changeId: string,
    read: () => Promise<ConcurTripState | undefined>,
  ): Promise<ApplyOutcome['announced']> {
    const change: TripChange = {
      id: changeId,
      companyId,
      read: async () => {
        const readAt = this.now();
        const trip = await read();
        return trip && { sight: { trip }, tripId: trip.tripId, readAt };
      },
    };
    const seen = await change.read();
    return seen ? this.applySighting(change, seen) : [];
  }

  private async applySighting(change: TripChange, seen: Sighting): Promise<ApplyOutcome['announced']> {
    const announced: ApplyOutcome['announced'] = [];
    for (const supplier of await this.deps.suppliers.of(change.companyId)) {
      const keys = await this.keysOf(
        supplier,
        change.companyId,
        seen.tripId,
        'trip' in seen.sight ? seen.sight.trip : undefined,
      );
      for (const key of keys) {
        const told = await this.applyToBooking(change, supplier, key, seen);
        if (told)
          announced.push({ supplierId: supplier.id, type: told, confirmationNumber: key.confirmationNumber });
      }
      const toldOfTrip = await this.applyToCreatedTrip(change, supplier, seen);
      if (toldOfTrip) announced.push({ supplierId: supplier.id, type: toldOfTrip, tripId: seen.tripId });
    }
    return announced;
  }

  /**
   * A trip the supplier created, compared as a whole (its bookings are compared one by one besides): told once
   * per state, which its record keeps. A trip the gateway recorded a moment before the read is the gateway's
   * own change; a later notice compares it again.
   */
  private async applyToCreatedTrip(
    change: TripChange,
    supplier: Supplier,
    seen: Sighting,
  ): Promise<SupplierEventType | undefined> {
    const { mappings } = this.deps;
    const created = await mappings.createdTrip(change.companyId, supplier.bookingSource, seen.tripId);
    if (!created) return undefined;
    if (created.updatedAt && Date.parse(created.updatedAt) >= seen.readAt - CLOCK_MARGIN_MS) return undefined;
    const difference = compareCreatedTrip(created, seen.sight);
    if (!difference) {
      // Told or not, a trip Concur erased keeps no login here.
      if ('gone' in seen.sight && created.travelerLoginId !== ERASED_TRAVELER)
        await mappings.recordTrip({
          companyId: change.companyId,
          bookingSource: supplier.bookingSource,
          tripId: created.tripId,
          travelerLoginId: ERASED_TRAVELER,
        });
      return undefined;
    }
    const type = TRIP_EVENT_OF_STATE[difference.state];
    const concurChangedAt = new Date(this.now()).toISOString();
    // Told before it is recorded: should the write fail, the notice is applied again and tells the same message.
    await this.announceTrip(change, supplier, created.tripId, difference);
    await mappings.recordTrip({
      companyId: change.companyId,
      bookingSource: supplier.bookingSource,
      tripId: created.tripId,
      travelerLoginId: difference.state === 'removed_in_concur' ? ERASED_TRAVELER : created.travelerLoginId,
      concurState: difference.state,
      concurChangedAt,
      ...(difference.dates
        ? {
            tripStartDateLocal: difference.dates.to.startDateLocal,
            tripEndDateLocal: difference.dates.to.endDateLocal,
          }
        : {}),
    });
    return type;
  }

  private async announceTrip(
    change: TripChange,
    supplier: Supplier,
    tripId: string,
    difference: TripDifference,
  ): Promise<void> {
    const messageId = messageIdOf(change.id, supplier.id, 'trip', tripId);
    await this.deps.publisher.publish(
      supplier.id,
      {
        type: TRIP_EVENT_OF_STATE[difference.state],
        data: { companyId: change.companyId, tripId, change: difference },
      },
      { messageId },
    );
  }

  /** The trip now, or which trip went; undefined when there is nothing the gateway could know of it. */
  private async sight(notice: ChangeNotice): Promise<Sighting | undefined> {
    if (notice.kind !== 'changed') {
      const tripId = await this.deps.records.tripIdOf(notice.companyId, notice.v4TripId);
      return tripId === undefined ? undefined : { sight: { gone: notice.kind }, tripId, readAt: Infinity };
    }
    const readAt = this.now();
    const raw = await this.deps.trips.read(notice.companyId, notice.v4TripId);
    // Gone since the event was sent: its ItineraryDeleted event follows.
    const trip = raw && tripStateOfV4(raw);
    if (!trip) return undefined;
    await this.deps.records.rememberTrip(notice.companyId, notice.v4TripId, trip.tripId);
    return { sight: { trip }, tripId: trip.tripId, readAt };
  }

  private now(): number {
    return (this.deps.clock ?? Date).now();
  }

  /** The supplier's bookings the trip concerns: those mapped to it, and its bookings Concur shows in it now. */
  private async keysOf(
    supplier: Supplier,
    companyId: string,
    tripId: string,
    trip: ConcurTripState | undefined,
  ): Promise<BookingKey[]> {
    const key = (confirmationNumber: string): BookingKey => ({
      companyId,
      bookingSource: supplier.bookingSource,
      confirmationNumber,
    });
    const numbers = new Set(
      (await this.deps.mappings.tripOfSupplier(companyId, supplier.bookingSource, tripId))?.bookings.map(
        (booking) => booking.confirmationNumber,
      ) ?? [],
    );
    for (const booking of trip?.bookings ?? []) {
      if (booking.bookingSource !== supplier.bookingSource) continue;
      for (const candidate of new Set([booking.recordLocator, ...booking.confirmationNumbers])) {
        if (numbers.has(candidate)) continue;
        if (await this.deps.mappings.get(key(candidate))) numbers.add(candidate);
      }
    }
    return [...numbers].sort().map(key);
  }

  private async applyToBooking(
    change: TripChange,
    supplier: Supplier,
    key: BookingKey,
    seen: Sighting,
  ): Promise<SupplierEventType | undefined> {
    const { mappings } = this.deps;
    const lease = await mappings.tryLease(key, `concur-change:${change.id}`, this.deps.leaseMs ?? 30_000);
    if (!lease) throw new BookingBusyError(key);
    const mapping = lease.mapping;
    let sight = seen.sight;
    // The gateway changed the booking since Concur was read: compare with Concur as it is now, under the lease.
    if (mapping && 'trip' in sight && Date.parse(mapping.updatedAt) >= seen.readAt - CLOCK_MARGIN_MS) {
      const fresh = await change.read().catch(async (error: unknown) => {
        await mappings.release(lease);
        throw error;
      });
      if (!fresh || !('trip' in fresh.sight)) {
        await mappings.release(lease);
        return undefined;
      }
      sight = fresh.sight;
    }
    const now = new Date(this.now()).toISOString();
    const verdict = mapping ? compareBooking(mapping, sight, now) : {};
    if (!mapping || !verdict.changes) {
      await mappings.release(lease);
      return undefined;
    }
    const loginId = mapping.travelerLoginId;
    try {
      const stored = { ...mapping, ...verdict.changes } as BookingMapping;
      // Told before it is stored: should the write fail, the event is applied again and tells the same message.
      const type = verdict.difference && (await this.announce(change, supplier, stored, verdict.difference));
      const action = verdict.difference
        ? (`${verdict.difference.state.replace(/_/g, '-')}` as 'changed-in-concur')
        : 'changed-in-concur';
      await mappings.saveAndRelease(lease, { changes: verdict.changes, change: { action } });
      if (verdict.changes.travelerLoginId === ERASED_TRAVELER && loginId !== ERASED_TRAVELER) {
        await this.deps.travelers.forgetTraveler(key.companyId, loginId);
        await this.deps.travelers.forgetBooking(key);
        const created = await mappings.createdTrip(key.companyId, key.bookingSource, mapping.tripId ?? '');
        if (created && mapping.tripId) {
          await mappings.recordTrip({
            companyId: key.companyId,
            bookingSource: key.bookingSource,
            tripId: mapping.tripId,
            travelerLoginId: ERASED_TRAVELER,
          });
        }
      }
      return type;
    } catch (error) {
      await mappings.release(lease);
      throw error;
    }
  }

  private async announce(
    change: TripChange,
    supplier: Supplier,
    mapping: BookingMapping,
    difference: BookingDifference,
  ): Promise<SupplierEventType> {
    const type = EVENT_OF_STATE[difference.state];
    const messageId = messageIdOf(change.id, supplier.id, mapping.confirmationNumber);
    await this.deps.publisher.publish(
      supplier.id,
      {
        type,
        data: {
          companyId: mapping.companyId,
          confirmationNumber: mapping.confirmationNumber,
          ...(mapping.tripId ? { tripId: mapping.tripId } : {}),
          change: difference,
          booking: bookingMappingView(mapping),
        },
      },
      { messageId },
    );
    return type;
  }
}
