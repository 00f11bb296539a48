/**
 * SAP Concur Itinerary v1.1 and OAuth2, in the JSON form: every operation of the seeds, with the transport's
 * retries and deadlines, typed results and typed errors. Policy: README.md in this folder.
 */
import { buildConcurXml, ConcurDocumentError, DEFAULT_PARSE_LIMITS, parseConcurAnswer } from '../concur';
import type { CountEvent } from '../observability/counter';
import type { Booking, Itinerary, ItineraryInfo, ParsedDocument, TripItResponse } from '../concur';
import { findCreatedTrip } from './create-reconciliation';
import { IDENTITY_SEARCH_PATH, readUserSearch, userSearchRequest } from './identity';
import type { UserLookup, UserSearchResult } from './identity';
import { ConcurApiError } from './errors';
import type { ConcurResult } from './result';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import type { RetryPolicy } from './retry-policy';
import { refreshAccessToken } from './token-refresh';
import type { TokenRefreshRequest, TokenRefreshResult } from './token-refresh';
import { readTripList, tripListQuery } from './trip-list';
import type { PageRequest, TripListFilters, TripListPage } from './trip-list';
import { Transport } from './transport';
import type { ClientLogger, ConcurCallContext, ExchangeResponse, Sleep } from './transport';
import { keepAliveFetch } from '../adapters/http/keep-alive-fetch';

export interface ConcurClientOptions {
  fetch?: typeof fetch;
  /** Waits between attempts; must reject when the signal aborts. */
  sleep?: Sleep;
  /** In [0, 1): the jitter. */
  random?: () => number;
  now?: () => number;
  /** Concur times out after 60 s; each attempt waits at most this long (and never past the deadline). */
  perAttemptTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Budget of the token refresh call. */
  refreshTimeoutMs?: number;
  /** The longest answer read (default: the parser's limit); a longer itinerary is `tooLargeToShow`. */
  maxAnswerBytes?: number;
  /** Never given a token, a secret or the Authorization header. */
  logger?: ClientLogger;
  /** Counts answers that carried what the schema does not know (`ConcurAnswerBeyondSchema`). */
  count?: CountEvent;
}

/** Metric counted for each answer read with elements or values the schema does not know. */
export const ANSWER_BEYOND_SCHEMA_METRIC = 'ConcurAnswerBeyondSchema';
/** At most this many paths go into the warning: enough to see what changed, never the values. */
const LOGGED_PATHS = 20;
/** Beyond this many, every new place is logged again rather than remembered. */
const MAX_REMEMBERED_PLACES = 1_000;

/** The answer of a trip cancel: the trip with empty Segments (the reference), or Concur's later `<Message>`. */
export type TripCancellation = { itinerary: Itinerary } | { message: string };

const TRIP = '/api/travel/trip/v1.1';
const BOOKING = '/api/travel/booking/v1.1';
const PROPOSAL_STATUSES = new Set(['6', '7']);
const DONE_EARLIER = 'cancelled by an earlier attempt whose answer was lost';

const defaultSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

export class ConcurClient {
  private readonly transport: Transport;
  private readonly fetchImpl: typeof fetch;
  private readonly refreshTimeoutMs: number;
  private readonly maxAnswerBytes: number;
  private readonly logger?: ClientLogger;
  private readonly count?: CountEvent;
  /** The places beyond the schema already logged by this container (bounded: see MAX_REMEMBERED_PLACES). */
  private readonly placesBeyondSchema = new Set<string>();

  constructor(options: ConcurClientOptions = {}) {
    this.count = options.count;
    this.fetchImpl = options.fetch ?? keepAliveFetch;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 20_000;
    this.maxAnswerBytes = options.maxAnswerBytes ?? DEFAULT_PARSE_LIMITS.maxBytes;
    this.logger = options.logger;
    this.transport = new Transport({
      fetch: this.fetchImpl,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      perAttemptTimeoutMs: options.perAttemptTimeoutMs ?? 60_000,
      maxAnswerBytes: this.maxAnswerBytes,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      logger: options.logger,
    });
  }

  /** One list request: the whole list (Concur caps it at 1000) or, with `page`, one page and its paging. */
  async listTrips(
    context: ConcurCallContext,
    filters: TripListFilters = {},
    page?: PageRequest,
  ): Promise<ConcurResult<TripListPage>> {
    const response = await this.transport.exchange(context, {
      method: 'GET',
      path: `${TRIP}/`,
      query: tripListQuery(filters, page),
      safeToRepeat: true,
    });
    const document = this.read(response);
    const list = readTripList(document);
    if (list === undefined) throw this.unexpected(response, document, 'a trip list');
    return this.result(response, list);
  }

  /** Every page of a trip list, one page after another: Concur asks not to fetch pages in parallel. */
  async listAllTrips(
    context: ConcurCallContext,
    filters: TripListFilters = {},
    options: { itemsPerPage?: number } = {},
  ): Promise<ConcurResult<ItineraryInfo[]>> {
    const trips: ItineraryInfo[] = [];
    let attempts = 0;
    for (let page = 1; ; page++) {
      const answer = await this.listTrips(context, filters, { page, itemsPerPage: options.itemsPerPage });
      attempts += answer.attempts;
      trips.push(...answer.value.trips);
      const totalPages = answer.value.paging?.totalPages ?? 1;
      if (page >= totalPages || answer.value.trips.length === 0) {
        return { value: trips, status: answer.status, correlationId: answer.correlationId, attempts };
      }
    }
  }

  async getTrip(context: ConcurCallContext, tripId: string): Promise<ConcurResult<Itinerary>> {
    const response = await this.transport.exchange(context, {
      method: 'GET',
      path: `${TRIP}/${encodeURIComponent(tripId)}`,
      safeToRepeat: true,
    });
    // Only a trip read is refused for its size; a write Concur accepted is still a success (see itinerary()).
    if (response.truncated) throw this.tooLarge(response);
    return this.itinerary(response);
  }

  /** The trip details as TripIt's `<Response>` (`systemFormat=Tripit`). */
  async getTripInTripItFormat(
    context: ConcurCallContext,
    tripId: string,
  ): Promise<ConcurResult<TripItResponse>> {
    const response = await this.transport.exchange(context, {
      method: 'GET',
      path: `${TRIP}/${encodeURIComponent(tripId)}`,
      query: { systemFormat: 'Tripit' },
      safeToRepeat: true,
    });
    return this.result(response, this.expect(response, 'response') as TripItResponse);
  }

  /**
   * Creates a trip. Concur never merges posted trips, so a create whose outcome is unknown is never sent
   * again blindly: the traveler's recent trips are searched for it first (`reconciled: true` when found).
   */
  async createTrip(context: ConcurCallContext, itinerary: Itinerary): Promise<ConcurResult<Itinerary>> {
    const outcome = await this.transport.exchange<ConcurResult<Itinerary>>(context, {
      method: 'POST',
      path: TRIP,
      body: buildConcurXml({ itinerary }),
      safeToRepeat: false,
      reconcile: (attemptStartedAt) => findCreatedTrip(this, context, itinerary, attemptStartedAt),
    });
    if ('reconciled' in outcome) {
      return { ...outcome.reconciled, attempts: outcome.attempts, reconciled: true };
    }
    return this.itinerary(outcome);
  }

  /** Replaces the whole trip: bookings and segments not sent again disappear. Safe to repeat. */
  async updateTrip(
    context: ConcurCallContext,
    tripId: string,
    itinerary: Itinerary,
  ): Promise<ConcurResult<Itinerary>> {
    const response = await this.transport.exchange(context, {
      method: 'POST',
      path: TRIP,
      query: { tripId },
      body: buildConcurXml({ itinerary }),
      safeToRepeat: true,
    });
    return this.itinerary(response);
  }

  /**
   * An agency proposal: a trip post (new, or replacing `tripId`) with TripStatus 6 (Proposal) or 7 (Booked
   * Proposal). Refuses, before any call, a trip that is not one or lacks what Concur requires of one.
   */
  async postAgencyProposal(
    context: ConcurCallContext,
    itinerary: Itinerary,
    tripId?: string,
  ): Promise<ConcurResult<Itinerary>> {
    const missing = proposalProblems(itinerary);
    if (missing.length > 0) throw new TypeError(`not an agency proposal: ${missing.join('; ')}`);
    return tripId === undefined
      ? this.createTrip(context, itinerary)
      : this.updateTrip(context, tripId, itinerary);
  }

  /** Cancels every segment of the trip. Safe to repeat; a 404 after an attempt of unknown outcome is success. */
  async cancelTrip(context: ConcurCallContext, tripId: string): Promise<ConcurResult<TripCancellation>> {
    const response = await this.transport.exchange(context, {
      method: 'POST',
      path: `${TRIP}/cancel`,
      query: { tripId },
      safeToRepeat: true,
      notFoundAfterUnknownIsDone: true,
    });
    if (response.doneEarlier)
      return { ...this.result(response, { message: DONE_EARLIER }), reconciled: true };
    const document = this.read(response);
    if ('itinerary' in document) return this.result(response, { itinerary: document.itinerary as Itinerary });
    if (typeof document.message === 'string') return this.result(response, { message: document.message });
    throw this.unexpected(response, document, 'a cancelled trip or a message');
  }

  /**
   * Creates or updates a booking (Concur keys it by BookingSource and RecordLocator, so a repeat updates the
   * same booking). Without `tripId` it joins the traveler's trip spanning its dates, else a new one. Answers
   * the trip.
   */
  async postBooking(
    context: ConcurCallContext,
    booking: Booking,
    tripId?: string,
  ): Promise<ConcurResult<Itinerary>> {
    const response = await this.transport.exchange(context, {
      method: 'POST',
      path: BOOKING,
      query: { tripId },
      body: buildConcurXml({ booking }),
      safeToRepeat: true,
    });
    return this.itinerary(response);
  }

  /**
   * Cancels a booking by its source and confirmation number; answers the cancelled booking as Concur sends it
   * (`{ booking }`, or a bare segment such as `{ car }` in the seeds). Unknown booking: `not-found`.
   */
  async cancelBooking(
    context: ConcurCallContext,
    bookingSource: string,
    confirmationNumber: string,
  ): Promise<ConcurResult<ParsedDocument>> {
    const response = await this.transport.exchange(context, {
      method: 'POST',
      path: `${BOOKING}/cancel`,
      query: { bookingSource, confirmationNumber },
      safeToRepeat: true,
      notFoundAfterUnknownIsDone: true,
    });
    if (response.doneEarlier)
      return { ...this.result(response, { message: DONE_EARLIER }), reconciled: true };
    return this.result(response, this.read(response));
  }

  /**
   * Identity v4.1: the company's active users with this work email or employee number (at most two: enough to
   * tell one from several; `totalResults` counts them all). A read, safe to repeat.
   */
  async searchUsers(context: ConcurCallContext, lookup: UserLookup): Promise<ConcurResult<UserSearchResult>> {
    // Identity takes only company-level tokens: the search acts for no traveler.
    const response = await this.transport.exchange(
      { ...context, loginId: undefined },
      {
        method: 'POST',
        path: IDENTITY_SEARCH_PATH,
        body: userSearchRequest(lookup),
        contentType: 'application/json',
        accept: 'application/json',
        safeToRepeat: true,
      },
    );
    const found = readUserSearch(response.text);
    if (found === undefined) {
      throw new ConcurApiError('malformed-response', 'Concur answered a user search with no user list', {
        status: response.status,
        correlationId: response.correlationId,
        attempts: response.attempts,
      });
    }
    return this.result(response, found);
  }

  /**
   * Itinerary v4's trip (`GET /travel/v4/trips/{id}`), with a company-level token: its JSON, unparsed beyond
   * being an object. The id comes from an itinerary event; the path is built here, never taken from the event.
   */
  async getTripV4(
    context: ConcurCallContext,
    tripId: string,
  ): Promise<ConcurResult<Record<string, unknown>>> {
    const response = await this.transport.exchange(
      { ...context, loginId: undefined },
      {
        method: 'GET',
        path: `/travel/v4/trips/${encodeURIComponent(tripId)}`,
        accept: 'application/json',
        safeToRepeat: true,
      },
    );
    let trip: unknown;
    try {
      trip = JSON.parse(response.text);
    } catch {
      trip = undefined;
    }
    if (typeof trip !== 'object' || trip === null || Array.isArray(trip)) {
      throw new ConcurApiError(
        'malformed-response',
        'Concur answered an Itinerary v4 trip with no JSON object',
        {
          status: response.status,
          correlationId: response.correlationId,
          attempts: response.attempts,
        },
      );
    }
    return this.result(response, trip as Record<string, unknown>);
  }

  /** Concur's OAuth2 refresh-token grant; a refused refresh token is `refresh-rejected`. One attempt. */
  refreshToken(input: TokenRefreshRequest): Promise<TokenRefreshResult> {
    return refreshAccessToken(
      { fetch: this.fetchImpl, timeoutMs: this.refreshTimeoutMs, logger: this.logger },
      input,
    );
  }

  /**
   * Concur's answer, read leniently: what its public XSD lacks is kept (under `unknownElements`), logged by
   * path and counted, so that a write Concur accepted is never reported as failed for it.
   */
  private read(response: ExchangeResponse): ParsedDocument {
    if (response.truncated) throw this.tooLarge(response);
    try {
      const { document, beyondSchema } = parseConcurAnswer(response.text);
      if (beyondSchema.length > 0) {
        // Concur's itineraries carry the same unpublished elements in every answer: each place is told once per
        // container (indices aside), the metric counts every answer.
        const unseen = [
          ...new Set(beyondSchema.map((problem) => problem.path.replace(/\[\d+\]/g, '[]'))),
        ].filter((place) => !this.placesBeyondSchema.has(place));
        if (unseen.length > 0) {
          if (this.placesBeyondSchema.size < MAX_REMEMBERED_PLACES)
            for (const place of unseen) this.placesBeyondSchema.add(place);
          this.logger?.warn('concur answered with what the schema does not know; kept as read', {
            status: response.status,
            correlationId: response.correlationId,
            places: unseen.slice(0, LOGGED_PATHS),
          });
        }
        this.count?.(ANSWER_BEYOND_SCHEMA_METRIC);
      }
      return document;
    } catch (error) {
      const detail = error instanceof ConcurDocumentError ? error.message : String(error);
      throw new ConcurApiError('malformed-response', `Concur's answer cannot be used: ${detail}`, {
        status: response.status,
        correlationId: response.correlationId,
        attempts: response.attempts,
        cause: error,
      });
    }
  }

  /**
   * An answer that is an itinerary. One longer than the gateway reads is still a success (Concur did what was
   * asked): its trip id is taken from the beginning, where Concur writes it, and the rest is `tooLargeToShow`.
   */
  private itinerary(response: ExchangeResponse): ConcurResult<Itinerary> {
    if (!response.truncated) return this.result(response, this.expect(response, 'itinerary') as Itinerary);
    this.logger?.warn('concur answered an itinerary longer than the gateway reads', {
      status: response.status,
      correlationId: response.correlationId,
      readBytes: Buffer.byteLength(response.text, 'utf8'),
    });
    const itinLocator = tripIdAtStart(response.text);
    return { ...this.result(response, itinLocator ? { itinLocator } : {}), tooLargeToShow: true };
  }

  private tooLarge(response: ExchangeResponse): ConcurApiError {
    return new ConcurApiError(
      'answer-too-large',
      `Concur's answer is longer than the gateway reads (${this.maxAnswerBytes} bytes); see it in Concur`,
      { status: response.status, correlationId: response.correlationId, attempts: response.attempts },
    );
  }

  private expect(response: ExchangeResponse, root: string): unknown {
    const document = this.read(response);
    if (root in document) return document[root];
    throw this.unexpected(response, document, `<${root}>`);
  }

  private unexpected(response: ExchangeResponse, document: ParsedDocument, wanted: string): ConcurApiError {
    return new ConcurApiError(
      'malformed-response',
      `expected ${wanted}, Concur answered <${Object.keys(document)[0] ?? 'nothing'}>`,
      { status: response.status, correlationId: response.correlationId, attempts: response.attempts },
    );
  }

  private result<T>(response: ExchangeResponse, value: T): ConcurResult<T> {
    return {
      value,
      status: response.status,
      ...(response.correlationId ? { correlationId: response.correlationId } : {}),
      attempts: response.attempts,
    };
  }
}

/** The trip id of an itinerary from its first elements (ItinLocator, else TripId), before any booking. */
function tripIdAtStart(text: string): string | undefined {
  const bookingsAt = text.search(/<(\w+:)?Bookings[\s>/]/);
  const head = bookingsAt === -1 ? text : text.slice(0, bookingsAt);
  for (const name of ['ItinLocator', 'TripId']) {
    const match = new RegExp(`<(?:\\w+:)?${name}>\\s*([^<\\s]{1,128})\\s*</(?:\\w+:)?${name}>`).exec(head);
    if (match) return match[1];
  }
  return undefined;
}

/** What Concur requires of an agency proposal, as Concur's TMC guide states it; empty when nothing is missing. */
function proposalProblems(itinerary: Itinerary): string[] {
  const problems: string[] = [];
  if (!PROPOSAL_STATUSES.has(String(itinerary.tripStatus ?? ''))) {
    problems.push('TripStatus must be 6 (Proposal) or 7 (Booked Proposal)');
  }
  if (!itinerary.clientLocator) problems.push('ClientLocator is required');
  if (!itinerary.travelRequestId) problems.push('TravelRequestId is required');
  const attributes = new Set((itinerary.customAttributes ?? []).map((attribute) => attribute?.name));
  for (const name of ['ProposalBatchSize', 'ProposalSequenceIndex']) {
    if (!attributes.has(name)) problems.push(`CustomAttribute ${name} is required`);
  }
  return problems;
}
