/**
 * After a trip create of unknown outcome: does Concur have the trip? Concur never merges posted trips, so
 * sending the create again when it did would give the traveler two trips.
 */
import type { Itinerary, ItineraryInfo } from '../concur';
import { ConcurApiError } from './errors';
import type { ConcurResult } from './result';
import type { TripListFilters } from './trip-list';
import type { ConcurCallContext } from './transport';

export interface TripLookup {
  listAllTrips(context: ConcurCallContext, filters: TripListFilters): Promise<ConcurResult<ItineraryInfo[]>>;
  getTrip(context: ConcurCallContext, tripId: string): Promise<ConcurResult<Itinerary>>;
}

/** Our clock and Concur's differ: look this far before the attempt started. */
export const CLOCK_SKEW_MARGIN_MS = 5 * 60_000;

/**
 * The trip the create sent, if Concur made it: the traveler's trips created since just before the attempt
 * with the same TripName (and ClientLocator when one was sent). Not the dates: Concur moves a trip's dates to
 * cover its segments, so the trip it made may not carry the dates that were sent.
 * Undefined: Concur has no such trip. Throws `outcome-unknown` when several match; a failing lookup throws.
 */
export async function findCreatedTrip(
  lookup: TripLookup,
  context: ConcurCallContext,
  sent: Itinerary,
  attemptStartedAt: number,
): Promise<ConcurResult<Itinerary> | undefined> {
  const since = attemptStartedAt - CLOCK_SKEW_MARGIN_MS;
  const listed = await lookup.listAllTrips(context, { createdAfterDate: utcDate(since) });
  const sinceUtc = utcDateTime(since);
  const candidates = listed.value.filter(
    (trip) =>
      trip.tripId &&
      sameText(trip.tripName, sent.tripName) &&
      // The list is the traveler's own; a login it names otherwise is someone else's trip.
      (!context.loginId || !trip.userLoginId || sameLogin(trip.userLoginId, context.loginId)) &&
      // A twin made earlier the same day was last changed before this attempt: not ours.
      (!trip.dateModifiedUtc || trip.dateModifiedUtc.slice(0, 19) >= sinceUtc),
  );
  if (candidates.length === 0) return undefined;

  const details: ConcurResult<Itinerary>[] = [];
  // One at a time: these lookups share Concur's rate limit with everyone else's calls.
  for (const trip of candidates) details.push(await lookup.getTrip(context, trip.tripId!));
  // The list has no ClientLocator: only the details can tell trips apart by it.
  const matching = sent.clientLocator
    ? details.filter((trip) => trip.value.clientLocator === sent.clientLocator)
    : details;
  if (matching.length > 1) {
    const ids = matching.map((trip) => trip.value.itinLocator).join(', ');
    throw new ConcurApiError(
      'outcome-unknown',
      `the trip create had an unknown outcome and ${matching.length} trips match it (${ids})`,
      { attempts: 0 },
    );
  }
  return matching[0];
}

const utcDate = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const utcDateTime = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 19);

function sameText(listed: string | null | undefined, sent: string | null | undefined): boolean {
  return (listed ?? '').trim() === (sent ?? '').trim();
}

const sameLogin = (listed: string, wanted: string) =>
  listed.trim().toLowerCase() === wanted.trim().toLowerCase();
