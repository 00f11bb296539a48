/**
 * The fallback for companies without ESS: on a schedule, lists with Itinerary v1.1's `lastModifiedDate` the trips
 * of each traveler who has live bookings in a company set to `poll`, and hands every trip modified since the last
 * poll to the change applier, which compares and tells exactly as it does for an ESS event. Concur's polling rule
 * holds per traveler: one list in each interval window (ten minutes by default, never less on AWS), claimed with a
 * conditional write so that overlapping runs do not both list. A traveler's cursor moves on only once all its
 * trips were applied: a failure, or a booking whose change is in progress, is listed again at the next window.
 * Calls go one after another (Concur asks for no parallel list pages), each within the outbound rate limit.
 */
import type { ChangeApplier } from '../change-notices/applier';
import { ERASED_TRAVELER } from '../change-notices/comparison';
import type { ChangeNoticeModes } from '../change-notices/ports';
import { connectionOf } from '../gateway/ports';
import type { BookingMapping, BookingMappings, Clock, ConnectionRef, Supplier } from '../gateway/ports';
import type { PollCursors, TravelerTrips } from './ports';

export interface ChangePollerDependencies {
  /** Every supplier (disabled ones flagged). */
  suppliers: () => Promise<(Supplier & { disabled?: boolean })[]>;
  modes: ChangeNoticeModes;
  mappings: Pick<BookingMappings, 'listForSupplier'>;
  cursors: PollCursors;
  trips: TravelerTrips;
  applier: Pick<ChangeApplier, 'applyTrip'>;
  /** How often the poller runs; a traveler is listed at most once in each such window. */
  intervalMs: number;
  clock?: Clock;
}

export interface PollReport {
  /** Companies set to `poll` that have live bookings. */
  companies: number;
  /** Travelers with live bookings in them. */
  travelers: number;
  /** Travelers listed by this run (the others were listed in this window already). */
  polled: number;
  /** Trips listed as modified, each read and compared. */
  trips: number;
  /** Supplier events queued. */
  announced: number;
  /** Travelers whose poll failed (listed again at the next window), with why. */
  failures: { companyId: string; error: string }[];
}

/** Concur's clock and this one may differ, and a change can be stamped while the list runs: lists overlap this much. */
const OVERLAP_MS = 60_000;

interface TravelerScope {
  connection: ConnectionRef;
  /** The earliest start and latest end (days) of the traveler's live bookings, when known. */
  startDate?: string;
  endDate?: string;
  /** When its first live booking was made: nothing changed in Concur before that concerns the gateway. */
  firstCreatedAt: string;
}

/** A booking the gateway still expects to be in Concur as posted. */
const isLive = (mapping: BookingMapping) =>
  mapping.status !== 'cancelled' &&
  mapping.concurState !== 'cancelled_in_concur' &&
  mapping.concurState !== 'removed_in_concur' &&
  mapping.travelerLoginId !== ERASED_TRAVELER;

/** `2026-12-05T19:58:07.123Z` → `2026-12-05T19:58:07`, as lastModifiedDate takes it. */
const concurUtc = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 19);

export class ChangePoller {
  constructor(private readonly deps: ChangePollerDependencies) {}

  async run(): Promise<PollReport> {
    const now = (this.deps.clock ?? Date).now();
    const window = Math.floor(now / this.deps.intervalMs);
    const report: PollReport = {
      companies: 0,
      travelers: 0,
      polled: 0,
      trips: 0,
      announced: 0,
      failures: [],
    };
    // Test-mode sandboxes post to the simulator, never to the company: their bookings are not polled.
    const suppliers = (await this.deps.suppliers())
      .filter((supplier) => !supplier.disabled && supplier.livemode !== false)
      .sort((a, b) => a.id.localeCompare(b.id));
    const companies = [...new Set(suppliers.flatMap((supplier) => supplier.companies))].sort();
    for (const companyId of companies) {
      if ((await this.deps.modes.modeOf(companyId)) !== 'poll') continue;
      const travelers = await this.travelersOf(
        companyId,
        suppliers.filter((supplier) => supplier.companies.includes(companyId)),
      );
      if (travelers.size === 0) continue;
      report.companies += 1;
      report.travelers += travelers.size;
      for (const [loginId, scope] of travelers) {
        try {
          const polled = await this.pollTraveler(companyId, loginId, scope, window, now);
          if (!polled) continue;
          report.polled += 1;
          report.trips += polled.trips;
          report.announced += polled.announced;
        } catch (error) {
          report.failures.push({ companyId, error: error instanceof Error ? error.message : String(error) });
        }
      }
    }
    return report;
  }

  /** The travelers of the company's live bookings, each with the connection of the first supplier that has one. */
  private async travelersOf(companyId: string, suppliers: Supplier[]): Promise<Map<string, TravelerScope>> {
    const travelers = new Map<string, TravelerScope>();
    for (const supplier of suppliers) {
      for (const mapping of await this.deps.mappings.listForSupplier(companyId, supplier.bookingSource)) {
        if (!isLive(mapping)) continue;
        const scope = travelers.get(mapping.travelerLoginId) ?? {
          connection: connectionOf(supplier, companyId),
          firstCreatedAt: mapping.createdAt,
        };
        const start = (mapping.bookingStartDateLocal ?? mapping.tripStartDateLocal)?.slice(0, 10);
        const end = (mapping.bookingEndDateLocal ?? mapping.tripEndDateLocal)?.slice(0, 10);
        travelers.set(mapping.travelerLoginId, {
          ...scope,
          ...(start && (!scope.startDate || start < scope.startDate) ? { startDate: start } : {}),
          ...(end && (!scope.endDate || end > scope.endDate) ? { endDate: end } : {}),
          firstCreatedAt: mapping.createdAt < scope.firstCreatedAt ? mapping.createdAt : scope.firstCreatedAt,
        });
      }
    }
    return travelers;
  }

  private async pollTraveler(
    companyId: string,
    loginId: string,
    scope: TravelerScope,
    window: number,
    now: number,
  ): Promise<{ trips: number; announced: number } | undefined> {
    const claimed = await this.deps.cursors.claim(companyId, loginId, window);
    if (!claimed) return undefined;
    const since = claimed.since ?? concurUtc(Date.parse(scope.firstCreatedAt) - OVERLAP_MS);
    const trips = await this.deps.trips.listModified(scope.connection, {
      loginId,
      since,
      ...(scope.startDate ? { startDate: scope.startDate } : {}),
      ...(scope.endDate ? { endDate: scope.endDate } : {}),
    });
    let announced = 0;
    for (const trip of trips) {
      const told = await this.deps.applier.applyTrip(
        companyId,
        `poll:${companyId}:${trip.tripId}:${trip.modifiedUtc ?? concurUtc(now)}`,
        () => this.deps.trips.read(scope.connection, loginId, trip.tripId),
      );
      announced += told.length;
    }
    await this.deps.cursors.advance(companyId, loginId, concurUtc(now - OVERLAP_MS));
    return { trips: trips.length, announced };
  }
}
