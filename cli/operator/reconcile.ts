/**
 * `concur-gateway reconcile`: every booking mapping of a company compared with what Concur holds now. Drift is
 * reported as NDJSON, one line per finding, then a summary:
 *   - trip-gone          the mapped trip no longer exists at Concur and the booking is in no trip of the traveler
 *   - trip-changed       the booking now lives in another trip than the mapping says (`concurTripId`)
 *   - booking-gone       the trip exists but the booking is in none of the traveler's trips
 *   - booking-cancelled  the mapping is active but Concur shows the booking cancelled (no segments)
 *   - live-at-concur     the mapping is cancelled but Concur shows the booking with segments
 *   - segments-differ    the booking is live but none of its segments carries the mapping's confirmation number
 */
import type { Command } from 'commander';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb';
import type { Booking, Itinerary } from '../../shared/concur';
import { ConcurApiError } from '../../shared/concur-client';
import { TRAVELER_LIST_MAX_MONTHS } from '../../shared/gateway/api-contract';
import { connectionOf } from '../../shared/gateway/ports';
import type { BookingMapping, ConnectionRef, Supplier } from '../../shared/gateway/ports';
import { monthWindows, travelerRange } from '../../shared/gateway/trip-listing';
import { suppliersOfCompany } from './bookings';
import { operatorConcur } from './concur';
import type { OperatorConcur } from './concur';
import { requireConnectedCompany } from './companies';
import { emit } from './output';
import type { OperatorCommand } from './run';

export type DriftKind =
  'trip-gone' | 'trip-changed' | 'booking-gone' | 'booking-cancelled' | 'live-at-concur' | 'segments-differ';

export interface Drift {
  kind: DriftKind;
  supplierId: string;
  bookingSource: string;
  confirmationNumber: string;
  recordLocator: string;
  tripId: string | null;
  concurTripId?: string;
}

const bookingIn = (itinerary: Itinerary, mapping: BookingMapping): Booking | undefined =>
  (itinerary.bookings ?? []).find(
    (booking) =>
      booking !== null &&
      booking.bookingSource === mapping.bookingSource &&
      booking.recordLocator === mapping.recordLocator,
  ) ?? undefined;

async function tripOrUndefined(
  concur: OperatorConcur,
  connection: ConnectionRef,
  tripId: string,
  loginId: string,
) {
  try {
    return (await concur.itinerary.getTrip(connection, { tripId, loginId })).value;
  } catch (error) {
    if (error instanceof ConcurApiError && error.kind === 'not-found') return undefined;
    throw error;
  }
}

/**
 * The traveler's other trip holding the booking, when it moved. Concur lists one user at a time, at most a month
 * per request: the months of the trip the booking was last seen in (a trip it moved to overlaps its dates),
 * else the months around today.
 */
async function findElsewhere(
  concur: OperatorConcur,
  connection: ConnectionRef,
  mapping: BookingMapping,
): Promise<string | undefined> {
  const start = mapping.tripStartDateLocal?.slice(0, 10);
  const end = mapping.tripEndDateLocal?.slice(0, 10) ?? start;
  const range = travelerRange(Date.now(), start && end ? { startDate: start, endDate: end } : {});
  const looked = new Set([mapping.tripId]);
  for (const window of monthWindows(range).slice(0, TRAVELER_LIST_MAX_MONTHS)) {
    const list = await concur.itinerary.listTrips(connection, {
      loginId: mapping.travelerLoginId,
      includeCanceledTrips: true,
      ...window,
    });
    for (const summary of list.value) {
      const tripId = summary.tripId ?? summary.id;
      if (!tripId || looked.has(tripId)) continue;
      looked.add(tripId);
      const trip = await tripOrUndefined(concur, connection, tripId, mapping.travelerLoginId);
      if (trip && bookingIn(trip, mapping)) return tripId;
    }
  }
  return undefined;
}

/** Compares the mapping with Concur, read through the connection of the supplier's app. */
export async function driftOf(
  concur: OperatorConcur,
  supplier: Pick<Supplier, 'concurApp'>,
  mapping: BookingMapping,
): Promise<Pick<Drift, 'kind' | 'concurTripId'> | undefined> {
  const connection = connectionOf(supplier, mapping.companyId);
  const trip = mapping.tripId
    ? await tripOrUndefined(concur, connection, mapping.tripId, mapping.travelerLoginId)
    : undefined;
  const booking = trip ? bookingIn(trip, mapping) : undefined;
  if (!booking) {
    const elsewhere = await findElsewhere(concur, connection, mapping);
    if (elsewhere) return { kind: 'trip-changed', concurTripId: elsewhere };
    return { kind: trip ? 'booking-gone' : 'trip-gone' };
  }
  const segments = (booking.segments ?? []).filter((segment) => segment !== null);
  if (segments.length === 0)
    return mapping.status === 'cancelled' ? undefined : { kind: 'booking-cancelled' };
  if (mapping.status === 'cancelled') return { kind: 'live-at-concur' };
  if (!segments.some((segment) => segment.confirmationNumber === mapping.confirmationNumber)) {
    return { kind: 'segments-differ' };
  }
  return undefined;
}

export function registerReconcileCommand(program: Command, operator: OperatorCommand): void {
  operator(
    program
      .command('reconcile')
      .description('compare every booking mapping of a company with Concur; drift as NDJSON, then a summary')
      .requiredOption('--company <id>', 'the company')
      .option('--supplier <id>', 'only this supplier’s bookings'),
    async (target, options) => {
      const companyId = options.company as string;
      await requireConnectedCompany(target, companyId);
      const mappings = new DynamoBookingMappings({ client: target.dynamodb, tableName: target.tables.state });
      const concur = operatorConcur(target);
      const counts: Record<string, number> = {};
      let checked = 0;
      for (const supplier of await suppliersOfCompany(
        target,
        companyId,
        options.supplier as string | undefined,
      )) {
        for (const mapping of await mappings.listForSupplier(companyId, supplier.bookingSource)) {
          checked += 1;
          const drift = await driftOf(concur, supplier, mapping);
          if (!drift) continue;
          counts[drift.kind] = (counts[drift.kind] ?? 0) + 1;
          const line: Drift = {
            kind: drift.kind,
            supplierId: supplier.id,
            bookingSource: mapping.bookingSource,
            confirmationNumber: mapping.confirmationNumber,
            recordLocator: mapping.recordLocator,
            tripId: mapping.tripId ?? null,
            ...(drift.concurTripId ? { concurTripId: drift.concurTripId } : {}),
          };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
      }
      const drifted = Object.values(counts).reduce((sum, n) => sum + n, 0);
      const summary = { summary: { companyId, checked, drifted, byKind: counts } };
      if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
      else
        emit(options, summary, ({ summary: s }) => [
          `${s.checked} booking(s) of ${s.companyId} checked, ${s.drifted} drifted${
            s.drifted
              ? `: ${Object.entries(s.byKind)
                  .map(([kind, n]) => `${n} ${kind}`)
                  .join(', ')}`
              : ''
          }.`,
        ]);
      if (drifted > 0) process.exitCode = 2;
    },
  );
}
