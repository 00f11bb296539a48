/**
 * SAP Concur Itinerary v1.1 and OAuth2, in the JSON form: every operation of the seeds, with the transport's
 * retries and deadlines, typed results and typed errors.
 */
import { buildConcurXml, ConcurDocumentError, parseConcurXml } from '../concur';
import type {
  Booking,
  ConnectResponse,
  Itinerary,
  ItineraryInfo,
  ParsedDocument,
  TripItResponse,
} from '../concur';
import type { RefreshInput, RefreshResult } from '../tokens/token-provider';
import { ConcurApiError } from './errors';
import { DEFAULT_RETRY_POLICY } from './retry-policy';
import type { RetryPolicy } from './retry-policy';
import { Transport } from './transport';
import type { ClientLogger, ConcurCallContext, ExchangeResponse } from './transport';

export interface ConcurResult<T> {
  value: T;
  status: number;
  correlationId?: string;
  attempts: number;
  /** A trip create whose answer was lost, found again in the traveler's trip list. */
  reconciled?: boolean;
}

export interface TripListFilters {
  startDate?: string;
  endDate?: string;
  createdAfterDate?: string;
  createdBeforeDate?: string;
  lastModifiedDate?: string;
  bookingType?: 'Air' | 'Car' | 'Dining' | 'Hotel' | 'Parking' | 'Rail' | 'Ride' | (string & {});
  includeCanceledTrips?: boolean;
  includePersonalTrips?: boolean;
  includeVirtualTrip?: boolean;
  includeGuestBookings?: boolean;
  /** Every traveler of the company (userid_value=ALL); needs an administrator's token. */
  allUsers?: boolean;
}

export interface Paging {
  totalPages: number;
  totalItems: number;
  currentPage: number;
  itemsPerPage: number;
}

export interface TripListPage {
  trips: ItineraryInfo[];
  paging?: Paging;
}

export interface ConcurClientOptions {
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
  /** Concur times out after 60 s; each attempt waits at most this long (and never past the deadline). */
  perAttemptTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Budget of the token refresh call. */
  refreshTimeoutMs?: number;
  logger?: ClientLogger;
}

const TRIP = '/api/travel/trip/v1.1';
const BOOKING = '/api/travel/booking/v1.1';
const LIST_PAGE_SIZE = 200;
const PROPOSAL_STATUSES = [6, 7];

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });

const flag = (value: boolean | undefined) => (value === undefined ? undefined : String(value));
const utcDate = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 10);
const utcDateTime = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 19);

export class ConcurClient {
  private readonly transport: Transport;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;
  private readonly refreshTimeoutMs: number;
  private readonly maxAttempts: number;

  constructor(options: ConcurClientOptions = {}) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
    this.refreshTimeoutMs = options.refreshTimeoutMs ?? 20_000;
    const retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.maxAttempts = retry.maxAttempts;
    this.transport = new Transport({
      fetch: this.fetchImpl,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now: this.now,
      perAttemptTimeoutMs: options.perAttemptTimeoutMs ?? 60_000,
      retry,
      logger: options.logger,
    });
  }

  /** One page of trip summaries (Page is 1-based). */
  async listTrips(
    context: ConcurCallContext,
    filters: TripListFilters = {},
    page?: { page: number; itemsPerPage?: number },
  ): Promise<ConcurResult<TripListPage>> {
    const query = {
      startDate: filters.startDate,
      endDate: filters.endDate,
      createdAfterDate: filters.createdAfterDate,
      createdBeforeDate: filters.createdBeforeDate,
      lastModifiedDate: filters.lastModifiedDate,
      bookingType: filters.bookingType,
      includeCanceledTrips: flag(filters.includeCanceledTrips),
      includePersonalTrips: flag(filters.includePersonalTrips),
      includeVirtualTrip: filters.includeVirtualTrip ? '1' : undefined,
      includeGuestBookings: flag(filters.includeGuestBookings),
      ...(page
        ? {
            includeMetadata: 'true',
            ItemsPerPage: String(page.itemsPerPage ?? LIST_PAGE_SIZE),
            Page: String(page.page),
          }
        : {}),
    };
    const listContext = filters.allUsers ? { ...context, loginId: undefined } : context;
    const allUsers = filters.allUsers ? { userid_type: 'login_id', userid_value: 'ALL' } : {};
    const response = await this.transport.exchange(listContext, {
      method: 'GET',
      path: `${TRIP}/`,
      query: { ...query, ...allUsers },
      safeToRepeat: true,
    });
    const document = this.read(response);
    if ('connectResponse' in document) {
      const answer = document.connectResponse as ConnectResponse;
      const paging = answer.metadata?.paging;
      return this.result(response, {
        trips: compact(answer.data?.itineraryInfoList),
        ...(paging
          ? {
              paging: {
                totalPages: Number(paging.totalPages ?? 0),
                totalItems: Number(paging.totalItems ?? 0),
                currentPage: Number(paging.currentPage ?? 0),
                itemsPerPage: Number(paging.itemsPerPage ?? 0),
              },
            }
          : {}),
      });
    }
    if ('itineraryInfoList' in document) {
      return this.result(response, {
        trips: compact(document.itineraryInfoList as (ItineraryInfo | null)[]),
      });
    }
    throw this.unexpected(response, document, 'a trip list');
  }

  /** Every page of a trip list, one page after another (Concur asks not to fetch pages in parallel). */
  async listAllTrips(
    context: ConcurCallContext,
    filters: TripListFilters = {},
  ): Promise<ConcurResult<ItineraryInfo[]>> {
    const trips: ItineraryInfo[] = [];
    let attempts = 0;
    let last: ConcurResult<TripListPage> | undefined;
    for (let page = 1; ; page++) {
      last = await this.listTrips(context, filters, { page });
      attempts += last.attempts;
      trips.push(...last.value.trips);
      const totalPages = last.value.paging?.totalPages ?? 1;
      if (page >= totalPages || last.value.trips.length === 0) break;
    }
    return { value: trips, status: last.status, correlationId: last.correlationId, attempts };
  }

  async getTrip(context: ConcurCallContext, tripId: string): Promise<ConcurResult<Itinerary>> {
    const response = await this.transport.exchange(context, {
      method: 'GET',
      path: `${TRIP}/${encodeURIComponent(tripId)}`,
      safeToRepeat: true,
    });
    return this.result(response, this.expect(response, 'itinerary') as Itinerary);
  }

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
   * Creates a trip. Concur never merges posted trips, so a create whose outcome is unknown is not sent again
   * blindly: the traveler's recent trips are searched for it first (see README.md).
   */
  async createTrip(context: ConcurCallContext, itinerary: Itinerary): Promise<ConcurResult<Itinerary>> {
    const body = buildConcurXml({ itinerary });
    let attempts = 0;
    for (;;) {
      const sentAt = this.now();
      try {
        const response = await this.transport.exchange(context, {
          method: 'POST',
          path: TRIP,
          body,
          safeToRepeat: false,
        });
        return this.result(response, this.expect(response, 'itinerary') as Itinerary, attempts);
      } catch (error) {
        if (!(error instanceof ConcurApiError) || error.kind !== 'outcome-unknown') throw error;
        attempts += error.attempts;
        const found = await this.findCreatedTrip(context, itinerary, sentAt, attempts, error);
        if (found) return { ...found, attempts: attempts + found.attempts, reconciled: true };
        if (attempts >= this.maxAttempts || this.now() >= context.deadline)
          throw withAttempts(error, attempts);
        // Concur has no such trip: sending the create again cannot duplicate it.
      }
    }
  }

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
    return this.result(response, this.expect(response, 'itinerary') as Itinerary);
  }

  /** An agency proposal (TripStatus 6 or 7): a trip post, new or replacing `tripId`. */
  async postAgencyProposal(
    context: ConcurCallContext,
    itinerary: Itinerary,
    tripId?: string,
  ): Promise<ConcurResult<Itinerary>> {
    if (typeof itinerary.tripStatus !== 'number' || !PROPOSAL_STATUSES.includes(itinerary.tripStatus)) {
      throw new TypeError('an agency proposal has TripStatus 6 (Proposal) or 7 (Booked Proposal)');
    }
    return tripId === undefined
      ? this.createTrip(context, itinerary)
      : this.updateTrip(context, tripId, itinerary);
  }

  /** Cancels every segment of the trip; the answer is the trip, or `{ message }` as a later Concur guide shows. */
  async cancelTrip(context: ConcurCallContext, tripId: string): Promise<ConcurResult<ParsedDocument>> {
    const response = await this.transport.exchange(context, {
      method: 'POST',
      path: `${TRIP}/cancel`,
      query: { tripId },
      safeToRepeat: true,
      notFoundAfterUnknownIsDone: true,
    });
    if (response.doneEarlier) return this.result(response, { message: 'Cancelled' });
    const document = this.read(response);
    if ('itinerary' in document || 'message' in document) return this.result(response, document);
    throw this.unexpected(response, document, 'a cancelled trip');
  }

  /** Creates or updates a booking (Concur keys it by BookingSource and RecordLocator); answers its trip. */
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
    return this.result(response, this.expect(response, 'itinerary') as Itinerary);
  }

  /** Cancels a booking by its source and confirmation number; answers the cancelled booking. */
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
    if (response.doneEarlier) return this.result(response, { status: 'NotFound' });
    return this.result(response, this.read(response));
  }

  /** Concur's OAuth2 refresh-token grant (the token provider's RefreshTokens); a refused refresh token is `refresh-rejected`. */
  async refreshToken(input: RefreshInput): Promise<RefreshResult> {
    const timeout = AbortSignal.timeout(this.refreshTimeoutMs);
    const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
    const body = new URLSearchParams({
      client_id: input.clientId,
      client_secret: input.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: input.refreshToken,
    }).toString();
    let response: Response;
    try {
      response = await this.fetchImpl(`${input.baseUrl.replace(/\/+$/, '')}/oauth2/v0/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: Buffer.from(body),
        signal,
      });
    } catch (error) {
      const kind = timeout.aborted ? 'timed-out' : 'unavailable';
      throw new ConcurApiError(kind, `token refresh failed: ${(error as Error).message}`, { attempts: 1 });
    }
    const correlationId = response.headers.get('concur-correlationid') ?? undefined;
    const text = await response.text();
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // reported below as malformed
    }
    if (!response.ok) {
      const code = typeof json.error === 'string' ? json.error : undefined;
      const kind =
        code === 'invalid_grant' ? 'refresh-rejected' : response.status >= 500 ? 'unavailable' : 'rejected';
      const description = typeof json.error_description === 'string' ? json.error_description : code;
      throw new ConcurApiError(kind, `token refresh refused (${response.status}${code ? ` ${code}` : ''})`, {
        status: response.status,
        concurMessage: description,
        correlationId,
        attempts: 1,
      });
    }
    const expiresIn = Number(json.expires_in);
    if (
      typeof json.access_token !== 'string' ||
      typeof json.refresh_token !== 'string' ||
      !Number.isFinite(expiresIn)
    ) {
      throw new ConcurApiError(
        'malformed-response',
        'the token answer lacks access_token, refresh_token or expires_in',
        {
          status: response.status,
          correlationId,
          attempts: 1,
        },
      );
    }
    return {
      accessToken: json.access_token,
      refreshToken: json.refresh_token,
      expiresInSeconds: expiresIn,
      ...(typeof json.geolocation === 'string' && json.geolocation ? { geolocation: json.geolocation } : {}),
    };
  }

  /** Looks for the trip a create of unknown outcome may have made; undefined when Concur surely has none. */
  private async findCreatedTrip(
    context: ConcurCallContext,
    itinerary: Itinerary,
    sentAt: number,
    attempts: number,
    cause: ConcurApiError,
  ): Promise<ConcurResult<Itinerary> | undefined> {
    // Clocks differ: look a little before the attempt, then narrow by the trip's own content.
    const since = sentAt - 5 * 60_000;
    let candidates: ItineraryInfo[];
    try {
      const listed = await this.listAllTrips(context, { createdAfterDate: utcDate(since) });
      candidates = listed.value.filter(
        (trip) =>
          trip.tripName === itinerary.tripName &&
          (itinerary.startDateLocal === undefined || trip.startDateLocal === itinerary.startDateLocal) &&
          (itinerary.endDateLocal === undefined || trip.endDateLocal === itinerary.endDateLocal) &&
          (!trip.dateModifiedUtc || trip.dateModifiedUtc >= utcDateTime(since)),
      );
      if (itinerary.clientLocator) {
        const detailed = await Promise.all(candidates.map((trip) => this.getTrip(context, trip.tripId!)));
        candidates = candidates.filter(
          (_, i) => detailed[i]!.value.clientLocator === itinerary.clientLocator,
        );
      }
    } catch {
      throw withAttempts(
        cause,
        attempts,
        'the trip create had an unknown outcome and the trip list could not be read',
      );
    }
    if (candidates.length === 0) return undefined;
    if (candidates.length > 1) {
      throw withAttempts(
        cause,
        attempts,
        `the trip create had an unknown outcome and ${candidates.length} trips match it`,
      );
    }
    return this.getTrip(context, candidates[0]!.tripId!);
  }

  private read(response: ExchangeResponse): ParsedDocument {
    try {
      return parseConcurXml(response.text);
    } catch (error) {
      const detail = error instanceof ConcurDocumentError ? error.message : String(error);
      throw new ConcurApiError('malformed-response', `Concur's answer cannot be used: ${detail}`, {
        status: response.status,
        correlationId: response.correlationId,
        attempts: response.attempts,
      });
    }
  }

  private expect(response: ExchangeResponse, root: string): unknown {
    const document = this.read(response);
    if (root in document) return document[root];
    throw this.unexpected(response, document, `<${root}>`);
  }

  private unexpected(response: ExchangeResponse, document: ParsedDocument, wanted: string): ConcurApiError {
    return new ConcurApiError(
      'malformed-response',
      `expected ${wanted}, Concur answered <${Object.keys(document)[0]}>`,
      {
        status: response.status,
        correlationId: response.correlationId,
        attempts: response.attempts,
      },
    );
  }

  private result<T>(response: ExchangeResponse, value: T, earlierAttempts = 0): ConcurResult<T> {
    return {
      value,
      status: response.status,
      ...(response.correlationId ? { correlationId: response.correlationId } : {}),
      attempts: earlierAttempts + response.attempts,
    };
  }
}

function compact<T>(items: (T | null)[] | null | undefined): T[] {
  return (items ?? []).filter((item): item is T => item !== null);
}

function withAttempts(error: ConcurApiError, attempts: number, message = error.message): ConcurApiError {
  return new ConcurApiError(error.kind, message, {
    status: error.status,
    concurMessage: error.concurMessage,
    correlationId: error.correlationId,
    attempts,
    retryAfterSeconds: error.retryAfterSeconds,
  });
}
