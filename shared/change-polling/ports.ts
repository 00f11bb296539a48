/**
 * What the change poller needs from outside: where it got to per traveler, and the traveler's trips as Itinerary
 * v1.1 lists and reads them.
 */
import type { ConnectionRef } from '../gateway/ports';
import type { ConcurTripState } from '../change-notices/concur-trip';

/** Concur's polling rule: a trip list no more often than every ten minutes (the TMC guide's retrieval interval). */
export const CONCUR_MIN_POLL_INTERVAL_MS = 10 * 60_000;

export interface PollCursors {
  /**
   * Claims the traveler's poll of the interval window `window` (the run's time divided by the interval) with one
   * conditional write: undefined when the traveler was polled in this window already (by this run or another).
   * Answers where the last completed poll got to: trips modified from `since` on are listed.
   */
  claim(companyId: string, loginId: string, window: number): Promise<{ since?: string } | undefined>;
  /** The poll completed: the next one lists the trips modified from `since` on. */
  advance(companyId: string, loginId: string, since: string): Promise<void>;
  /** The traveler's data is erased (Concur anonymized a trip): the cursor names the login. */
  forget(companyId: string, loginId: string): Promise<void>;
}

export interface ModifiedTrip {
  tripId: string;
  /** Concur's DateModifiedUtc of the trip or its bookings. */
  modifiedUtc?: string;
}

export interface TravelerTrips {
  /**
   * The traveler's trips (cancelled ones too) that were modified at or after `since` (UTC
   * `YYYY-MM-DDThh:mm:ss`) and are ongoing between the two days: Itinerary v1.1's trip list with lastModifiedDate.
   */
  listModified(
    connection: ConnectionRef,
    query: { loginId: string; since: string; startDate?: string; endDate?: string },
  ): Promise<ModifiedTrip[]>;
  /** The trip as Concur shows it now; undefined when Concur no longer has it. */
  read(connection: ConnectionRef, loginId: string, tripId: string): Promise<ConcurTripState | undefined>;
}
