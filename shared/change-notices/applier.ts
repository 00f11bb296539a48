/**
 * Applies one itinerary event: reads the trip it names with Itinerary v4 (or, for a trip deleted or anonymized,
 * recalls which trip that was), finds every supplier's mappings for it (by the trip id, `ItinLocator`, then by
 * each Concur booking's BookingSource and its record locator and segment confirmation numbers), compares each
 * under the booking's lease, records `concurState` on the mapping and tells the booking's own supplier, and no
 * other, of a real difference. Applying an event again changes and tells nothing twice: the comparison finds
 * the state already recorded, and the supplier's message id comes from the event.
 */
import { createHash } from 'node:crypto';
import type { BookingKey, BookingMapping, BookingMappings, Clock, Supplier } from '../gateway/ports';
import { bookingMappingView } from '../gateway/views';
import type { SupplierEventPublisher } from '../webhooks-out/publisher';
import type { SupplierEventType } from '../webhooks-out/event-types';
import { tripStateOfV4 } from './concur-trip';
import type { ConcurTripState } from './concur-trip';
import { compareBooking, ERASED_TRAVELER } from './comparison';
import type { BookingDifference, TripSight } from './comparison';
import type {
  ChangeNotice,
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
  clock?: Clock;
  /** How long a comparison may hold a booking's lease. */
  leaseMs?: number;
}

export interface ApplyOutcome {
  /** The event was applied before (ESS delivered it again). */
  duplicate?: true;
  /** Supplier events queued, per supplier id. */
  announced: { supplierId: string; type: SupplierEventType; confirmationNumber: string }[];
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

export class ChangeApplier {
  constructor(private readonly deps: ChangeApplierDependencies) {}

  async apply(notice: ChangeNotice): Promise<ApplyOutcome> {
    const { records } = this.deps;
    if (await records.isApplied(notice.eventId)) return { duplicate: true, announced: [] };
    const seen = await this.sight(notice);
    const announced: ApplyOutcome['announced'] = [];
    if (seen) {
      const { tripId } = seen;
      for (const supplier of await this.deps.suppliers.of(notice.companyId)) {
        const keys = await this.keysOf(
          supplier,
          notice.companyId,
          tripId,
          'trip' in seen.sight ? seen.sight.trip : undefined,
        );
        for (const key of keys) {
          const told = await this.applyToBooking(notice, supplier, key, seen);
          if (told)
            announced.push({
              supplierId: supplier.id,
              type: told,
              confirmationNumber: key.confirmationNumber,
            });
        }
      }
      if (!('trip' in seen.sight)) await records.forgetTrip(notice.companyId, notice.v4TripId);
    }
    await records.markApplied(notice.eventId);
    return { announced };
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
    notice: ChangeNotice,
    supplier: Supplier,
    key: BookingKey,
    seen: Sighting,
  ): Promise<SupplierEventType | undefined> {
    const { mappings } = this.deps;
    const lease = await mappings.tryLease(key, `concur-event:${notice.eventId}`, this.deps.leaseMs ?? 30_000);
    if (!lease) throw new BookingBusyError(key);
    const mapping = lease.mapping;
    let sight = seen.sight;
    // The gateway changed the booking since Concur was read: compare with Concur as it is now, under the lease.
    if (mapping && 'trip' in sight && Date.parse(mapping.updatedAt) >= seen.readAt - CLOCK_MARGIN_MS) {
      const fresh = await this.sight(notice).catch(async (error: unknown) => {
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
      const type = verdict.difference && (await this.announce(notice, supplier, stored, verdict.difference));
      const action = verdict.difference
        ? (`${verdict.difference.state.replace(/_/g, '-')}` as 'changed-in-concur')
        : 'changed-in-concur';
      await mappings.saveAndRelease(lease, { changes: verdict.changes, change: { action } });
      if (verdict.changes.travelerLoginId === ERASED_TRAVELER && loginId !== ERASED_TRAVELER) {
        await this.deps.travelers.forgetTraveler(key.companyId, loginId);
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
    notice: ChangeNotice,
    supplier: Supplier,
    mapping: BookingMapping,
    difference: BookingDifference,
  ): Promise<SupplierEventType> {
    const type = EVENT_OF_STATE[difference.state];
    const messageId = `msg_${createHash('sha256')
      .update(`${notice.eventId}\n${supplier.id}\n${mapping.confirmationNumber}`)
      .digest('hex')
      .slice(0, 26)}`;
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
