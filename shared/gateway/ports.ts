/**
 * What the use cases need from the outside world. Adapters (DynamoDB, Secrets Manager, the Concur client)
 * implement these; tests can swap them.
 */
import type { Booking, Itinerary, ItineraryInfo, ValidationProfile } from '../concur';

/** A supplier as its API key identifies it. */
export interface Supplier {
  id: string;
  /** Concur BookingSource of every booking it posts (at most 32 characters). */
  bookingSource: string;
  /** Companies it may post to. */
  companies: readonly string[];
  profile: ValidationProfile;
  /** The Concur app whose connections its calls use; the default app when absent. */
  concurApp?: string;
  /** False for a test key's sandbox principal (shared/sandbox); live when absent. */
  livemode?: false;
  /** Requests a second it may send to the API; absent: the stage's default (shared/supplier-limits). */
  ratePerSecond?: number;
  /**
   * Who of this supplier makes the changes of the running invocation, for the booking history: set on the
   * invocation's own copy of the supplier (an API request, an operation the processor applies).
   */
  actor?: ChangeActor;
}

/** The maker of a change: an API request, or an operation (a partner event or an asynchronous request). */
export type ChangeActor =
  | { kind: 'api'; requestId: string }
  | { kind: 'operation'; operationId: string; trigger: 'webhook' | 'api' | 'eventbridge'; eventId: string };

/** The app of suppliers that name none: the gateway's own Concur app. */
export const DEFAULT_APP_ID = 'default';

/** One Concur app's access to one company: whose tokens a Concur call uses. */
export interface ConnectionRef {
  appId: string;
  companyId: string;
}

/** The connection a supplier's calls to a company use: its own app's. */
export const connectionOf = (supplier: Pick<Supplier, 'concurApp'>, companyId: string): ConnectionRef => ({
  appId: supplier.concurApp ?? DEFAULT_APP_ID,
  companyId,
});

export interface BookingKey {
  companyId: string;
  bookingSource: string;
  confirmationNumber: string;
}

export type BookingStatus = 'active' | 'cancelled' | 'rebooking';

/**
 * A booking as last seen in Concur after someone other than this gateway changed it (the traveler, an agent,
 * Concur): moved or re-dated, cancelled, or gone with its trip (deleted or anonymized). docs/events.md.
 */
export const CONCUR_STATES = ['changed_in_concur', 'cancelled_in_concur', 'removed_in_concur'] as const;
export type ConcurState = (typeof CONCUR_STATES)[number];

export interface BookingMapping extends BookingKey {
  recordLocator: string;
  tripId?: string;
  travelerLoginId: string;
  status: BookingStatus;
  version: number;
  /** The booking's own dateModifiedUtc (`YYYY-MM-DDThh:mm:ss`), used to refuse stale updates. */
  sourceModifiedUtc?: string;
  createdAt: string;
  updatedAt: string;
  createdBy: string;
  previousConfirmationNumber?: string;
  replacedByConfirmationNumber?: string;
  /** What a retry of the same request finishes, e.g. `cancel-previous`. */
  pendingStep?: string;
  lastError?: string;
  /** The trip's name and dates as Concur last answered them: the trip listing reads them without Concur. */
  tripName?: string;
  tripStartDateLocal?: string;
  tripEndDateLocal?: string;
  /** The booking's own dates (earliest segment start, latest end) as last posted or seen in Concur. */
  bookingStartDateLocal?: string;
  bookingEndDateLocal?: string;
  concurState?: ConcurState;
  concurChangedAt?: string;
}

/** A trip's name and dates as Concur answered them (`YYYY-MM-DDThh:mm:ss`, local). */
export interface TripDetails {
  tripName?: string;
  tripStartDateLocal?: string;
  tripEndDateLocal?: string;
}

/** Everything the supplier's records hold about one trip: what the trip listing answers from. */
export interface TripRecord extends TripDetails {
  tripId: string;
  travelerLoginId: string;
  /** The supplier created the trip (it may replace or cancel it). */
  created: boolean;
  /** Its own bookings in the trip: the record locators Concur shows, with the mapping where it has one. */
  recordLocators: string[];
  bookings: { confirmationNumber: string; recordLocator: string; status: BookingStatus }[];
}

/** Where a listing of a supplier's trips stopped: the index key of the last record it read. */
export interface TripPosition {
  tripId: string;
  /** The table sort key of that record (`BOOKING#…` or `TRIP#…`). */
  sk: string;
}

/** A trip summary of Concur's per-traveler list, as the gateway keeps it (no other source's bookings). */
export interface ConcurTripSummary extends TripDetails {
  tripId: string;
  tripStatus?: number;
}

/** Concur's answers to per-traveler trip lists, one per traveler and calendar month, kept for a while. */
export interface TravelerTripWindows {
  /** The summaries Concur answered for the month, when fetched less than the retention ago. */
  get(companyId: string, loginId: string, month: string): Promise<ConcurTripSummary[] | undefined>;
  put(companyId: string, loginId: string, month: string, trips: ConcurTripSummary[]): Promise<void>;
}

export type NewBookingMapping = Omit<BookingMapping, 'version' | 'createdAt' | 'updatedAt'>;
export type BookingMappingChanges = Partial<
  Omit<BookingMapping, keyof BookingKey | 'version' | 'createdAt' | 'createdBy'>
>;

/** A booking's lease, held by `holder`, with the mapping as it stood when the lease was taken. */
export interface BookingLease {
  key: BookingKey;
  holder: string;
  /** Undefined: the gateway has no mapping for the booking yet. */
  mapping?: BookingMapping;
}

/** What happened to a booking, as its history tells it (docs/data-model.md). */
export type BookingChangeAction =
  | 'created'
  | 'updated'
  | 'rebooked'
  | 'rebook-completed'
  | 'rebook-failed'
  | 'replaced'
  | 'cancelled'
  | 'version-moved'
  | 'trip-replaced'
  | 'trip-cancelled'
  | 'changed-in-concur'
  | 'cancelled-in-concur'
  | 'removed-in-concur';

/** Why a mapping changed, and what Concur answered the call that changed it: one history record. */
export interface ChangeNote {
  action: BookingChangeAction;
  /** The Concur call behind the change; absent when none was made (e.g. a cancel's version moving on). */
  concur?: { status: 'ok' | 'not-found'; correlationId?: string };
  /** What failed, for a step recorded as failed. */
  error?: string;
  /** Who made it; absent for a change seen in Concur, or a use case called outside a request or operation. */
  actor?: ChangeActor;
}

/**
 * What a lease holder stores as it releases: a new mapping, or changes to the leased one, with the note that
 * the booking's history keeps of it.
 */
export type MappingWrite = ({ create: NewBookingMapping } | { changes: BookingMappingChanges }) & {
  change: ChangeNote;
};

/** A trip the supplier created, as recorded; `cancelledAt: null` forgets a cancel that did not happen. */
export type RecordedTrip = {
  companyId: string;
  bookingSource: string;
  tripId: string;
  travelerLoginId: string;
  /** The supplier's own bookings in the trip, by record locator. */
  recordLocators?: string[];
} & TripDetails &
  Omit<TripStanding, 'cancelledAt'> & { cancelledAt?: string | null };

/** What became of a trip the supplier created: its cancel through the gateway, a change seen in Concur. */
export interface TripStanding {
  /** When the supplier cancelled it through the gateway. */
  cancelledAt?: string;
  /** A change made in Concur by someone else, and when the gateway saw it. */
  concurState?: ConcurState;
  concurChangedAt?: string;
}

/** A trip the supplier created, as the gateway last knew it. */
export type CreatedTrip = {
  tripId: string;
  travelerLoginId: string;
  /** When the gateway last recorded it. */
  updatedAt?: string;
} & TripDetails &
  TripStanding;

export interface BookingMappings {
  /** The mapping; a booking that is only leased (its first change in progress) has none yet. */
  get(key: BookingKey): Promise<BookingMapping | undefined>;
  /**
   * Takes the booking's lease when it is free or its holder's time ran out, and answers the mapping in the same
   * call (the lease lives on the mapping's own item). Undefined: someone else holds it.
   */
  tryLease(key: BookingKey, holder: string, ttlMs: number): Promise<BookingLease | undefined>;
  /**
   * Stores the write and releases the lease, in one conditional write that holds only while the lease is
   * still `lease.holder`'s. Throws MappingConflictError('lease') when it is not.
   */
  saveAndRelease(lease: BookingLease, write: MappingWrite): Promise<BookingMapping>;
  /** Releases the lease without storing anything; a lease that is no longer ours is left alone. */
  release(lease: BookingLease): Promise<void>;
  listForSupplier(companyId: string, bookingSource: string): Promise<BookingMapping[]>;
  /** Records (or refreshes) a trip the supplier created, with what Concur answered about it. */
  recordTrip(trip: RecordedTrip): Promise<void>;
  listTripsForSupplier(
    companyId: string,
    bookingSource: string,
  ): Promise<{ tripId: string; travelerLoginId: string }[]>;
  /** A trip the supplier created, read consistently (one created a moment ago is found); undefined: none. */
  createdTrip(companyId: string, bookingSource: string, tripId: string): Promise<CreatedTrip | undefined>;
  /**
   * The supplier's trips in trip id order, one record per trip, after `startAfter`: read lazily, a page of the
   * index at a time, so a caller that stops early reads no further. Each comes with the position to resume after.
   */
  tripsOfSupplier(
    companyId: string,
    bookingSource: string,
    startAfter?: TripPosition,
  ): AsyncIterable<{ trip: TripRecord; position: TripPosition }>;
  /** The supplier's records of one trip; undefined when it has none (the trip is not the supplier's). */
  tripOfSupplier(companyId: string, bookingSource: string, tripId: string): Promise<TripRecord | undefined>;
}

export class MappingConflictError extends Error {
  constructor(readonly reason: 'lease' | 'version') {
    super(`booking mapping conflict: ${reason}`);
    this.name = 'MappingConflictError';
  }
}

/** Mutual exclusion across processes, e.g. a DynamoDB lease. */
export interface Locks {
  tryAcquire(name: string, holderId: string, ttlMs: number): Promise<boolean>;
  release(name: string, holderId: string): Promise<void>;
}

/** A call to Concur and what came back, in the JSON form. */
export interface ConcurCall<T> {
  value: T;
  correlationId?: string;
  attempts: number;
  /** Concur answered an itinerary longer than the gateway reads: `value` holds only its trip id. */
  tooLargeToShow?: true;
}

/** One traveler's trips: Concur lists per user only (company-wide listing was withdrawn). */
export interface TripListFilters {
  loginId: string;
  startDate?: string;
  endDate?: string;
  createdAfterDate?: string;
  createdBeforeDate?: string;
  lastModifiedDate?: string;
  bookingType?: string;
  includeCanceledTrips?: boolean;
}

/** Concur's Itinerary API for one company, with its tokens handled (refreshed once on an auth failure). */
/** Concur's Itinerary operations through one connection (an app's tokens for a company). */
export interface ConcurItinerary {
  postBooking(
    connection: ConnectionRef,
    input: { booking: Booking; tripId?: string; loginId: string },
  ): Promise<ConcurCall<Itinerary>>;
  cancelBooking(
    connection: ConnectionRef,
    input: { bookingSource: string; confirmationNumber: string; loginId: string },
  ): Promise<ConcurCall<Record<string, unknown>>>;
  createTrip(
    connection: ConnectionRef,
    input: { itinerary: Itinerary; loginId: string },
  ): Promise<ConcurCall<Itinerary>>;
  updateTrip(
    connection: ConnectionRef,
    input: { tripId: string; itinerary: Itinerary; loginId: string },
  ): Promise<ConcurCall<Itinerary>>;
  cancelTrip(
    connection: ConnectionRef,
    input: { tripId: string; loginId: string },
  ): Promise<ConcurCall<Record<string, unknown>>>;
  getTrip(
    connection: ConnectionRef,
    input: { tripId: string; loginId?: string },
  ): Promise<ConcurCall<Itinerary>>;
  listTrips(connection: ConnectionRef, filters: TripListFilters): Promise<ConcurCall<ItineraryInfo[]>>;
}

export interface Clock {
  now(): number;
}

/** What suppliers know of a traveler when they do not know the Concur login. */
export type TravelerLookup = { email: string } | { employeeId: string };

/** How a request names its traveler: the Concur login, or a work email or employee number to resolve. */
export type TravelerReference = { loginId: string } | TravelerLookup;

/** Concur's user directory (Identity v4.1) for one company, with its tokens handled like ConcurItinerary. */
export interface ConcurIdentity {
  /**
   * The scopes a lookup by email or employee id needs that the connection was not granted; empty when it may
   * search, or when its scopes are not known (then Concur decides). Asks nothing of Concur.
   */
  lookupScopesMissing(connection: ConnectionRef, kind: 'email' | 'employeeId'): Promise<string[]>;
  /** The logins of the company's active users matching; `totalResults` counts all of them. */
  findUsers(
    connection: ConnectionRef,
    lookup: TravelerLookup,
  ): Promise<ConcurCall<{ totalResults: number; loginIds: string[] }>>;
}

/** Resolved travelers per company; an entry is good until `expiresAt` (epoch ms). */
export interface TravelerCache {
  /** The login, unless there is no entry or it expired by `now` (epoch ms). */
  get(companyId: string, lookup: TravelerLookup, now: number): Promise<string | undefined>;
  put(
    companyId: string,
    lookup: TravelerLookup,
    entry: { loginId: string; resolvedAt: number; expiresAt: number },
  ): Promise<void>;
}

/** Turns a request's traveler into the Concur login the Itinerary API acts for. */
export interface TravelerDirectory {
  loginIdOf(connection: ConnectionRef, traveler: TravelerReference): Promise<string>;
}

/** A supplier's own reference of a trip (its `tripKey`), in one company. */
export interface TripKey {
  companyId: string;
  bookingSource: string;
  tripKey: string;
}

/**
 * A supplier's trip keys → the Concur trip created for each, changed under a lease on the key's own item, as
 * booking mappings are: one change of a key at a time, so repeated upserts of one key create one trip.
 */
export interface TripKeys {
  /** Takes the key's lease when free or expired, answering the trip it maps to (if any); undefined: held. */
  tryLease(key: TripKey, holder: string, ttlMs: number): Promise<{ tripId?: string } | undefined>;
  /** Stores the key's trip and releases the lease, if `holder` still holds it (else MappingConflictError). */
  saveAndRelease(key: TripKey, holder: string, tripId: string): Promise<void>;
  /** Releases the lease without storing anything; one no longer ours is left alone. */
  release(key: TripKey, holder: string): Promise<void>;
}
