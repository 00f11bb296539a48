/**
 * What applying changes made in Concur needs from outside: Concur's Itinerary v4 for a company, the suppliers of
 * a company, the events already applied, the v4 ids of trips seen before (a deleted or anonymized trip's event
 * names only its v4 id), and the traveler data kept outside the mappings.
 */
import type { BookingKey, Supplier } from '../gateway/ports';

/**
 * How the gateway learns of a company's changes made in Concur: ESS events (`ess`), the poller's trip lists
 * (`poll`, for companies without ESS: Concur grants Itinerary v4 and ESS, not everyone has them), or not at all.
 */
export const CHANGE_NOTICE_MODES = ['ess', 'poll', 'off'] as const;
export type ChangeNoticeMode = (typeof CHANGE_NOTICE_MODES)[number];
/** A company never set otherwise is polled: it needs nothing granted by Concur. */
export const DEFAULT_CHANGE_NOTICE_MODE: ChangeNoticeMode = 'poll';

export interface ChangeNoticeModes {
  modeOf(companyId: string): Promise<ChangeNoticeMode>;
  setMode(companyId: string, mode: ChangeNoticeMode): Promise<void>;
  /** Sets the mode of a company that was never set (a choice made since stays). */
  setModeIfUnset(companyId: string, mode: ChangeNoticeMode): Promise<void>;
}

/** A queued itinerary event: what to apply, once its ESS delivery was verified. */
export interface ChangeNotice {
  /** ESS's event id: an event delivered twice is applied once. */
  eventId: string;
  companyId: string;
  /** The trip's Itinerary v4 id (the event's `facts.id`). */
  v4TripId: string;
  kind: 'changed' | 'deleted' | 'anonymized';
  /** Concur's correlation id of the event, sent again with the calls it causes. */
  correlationId?: string;
}

export interface ConcurTripsV4 {
  /** The trip as Itinerary v4 answers it now; undefined when Concur does not know it (404). */
  read(companyId: string, v4TripId: string): Promise<Record<string, unknown> | undefined>;
}

export interface CompanySuppliers {
  /** The enabled suppliers that may post to the company. */
  of(companyId: string): Promise<Supplier[]>;
}

export interface ChangeNoticeRecords {
  isApplied(eventId: string): Promise<boolean>;
  /** Kept for a week: ESS keeps redelivering an event for 72 hours. */
  markApplied(eventId: string): Promise<void>;
  rememberTrip(companyId: string, v4TripId: string, tripId: string): Promise<void>;
  tripIdOf(companyId: string, v4TripId: string): Promise<string | undefined>;
  /** Forgets every trip id remembered for the v4 id (the trip is gone). */
  forgetTrip(companyId: string, v4TripId: string): Promise<void>;
}

/**
 * Traveler data the gateway keeps beside the mappings (per-traveler trip lists, what the operations that changed
 * a booking carried), erased when Concur erases a trip.
 */
export interface TravelerRecords {
  forgetTraveler(companyId: string, loginId: string): Promise<void>;
  forgetBooking(key: BookingKey): Promise<void>;
}

/**
 * An event's message stays hidden this long while it is applied: six times the applier's 60 s timeout, as AWS
 * advises for a queue feeding a function (infra/function-timeouts.ts derives the timeout from it).
 */
export const CHANGE_NOTICES_VISIBILITY_TIMEOUT_SECONDS = 360;
/**
 * Receives before an event goes to the dead-letter queue: an event meeting a booking's change in progress waits
 * 5 s each time, and Concur or the tables failing for minutes must not lose it.
 */
export const CHANGE_NOTICES_MAX_RECEIVES = 20;
