/**
 * The Itinerary v1.1 operations over HTTP: authenticate the caller, read the query and the XML body, apply the
 * store's semantics, and answer in Concur's XML. Every refusal is a ConcurApiError, answered as Concur's Error
 * body (or `<Status>NotFound</Status>` for an unknown booking cancel).
 */
import { ConcurDocumentError, parseConcurXml } from '../../../shared/concur';
import type { Booking, ConcurDocument, Itinerary } from '../../../shared/concur';
import { withConcurExtras } from '../concur-extras';
import { ScimError, scimErrorAnswer, searchUsers } from '../identity';
import { ConcurApiError, UNKNOWN_USER_MESSAGE, badRequest, refuseAllUsers } from '../errors';
import type { QueryParams } from '../query-params';
import { renderBooking, renderItinerary } from '../render';
import type { Viewer } from '../render';
import type { UserDirectory } from '../identity';
import type { ApiRoute } from '../../../shared/sandbox/fault-rules';
import type { TripStore, WriteContext } from '../store';
import type { Clock } from '../time';
import type { Principal, TokenRegistry } from '../tokens';
import { parseTripListQuery, selectTrips, tripListDocument } from '../trip-list';
import { renderTripIt } from '../tripit';
import { errorAnswer, notFoundStatusAnswer, xmlAnswer } from './answers';
import type { HttpAnswer } from './answers';

const ITINERARY_SCOPE = 'ITINER';

export interface ApiContext {
  store: TripStore;
  tokens: TokenRegistry;
  users: UserDirectory;
  clock: Clock;
  baseUrl: () => string;
}

export interface ApiCall {
  route: Exclude<ApiRoute, 'token' | 'identitySearch' | 'tripGetV4'>;
  /** From the path of `GET /api/travel/trip/v1.1/{tripId}`, decoded. */
  tripId?: string;
  query: QueryParams;
  authorization: string | undefined;
  body: string;
  correlationId: string;
}

/** Identity v4.1 user search for the caller's company, with its token's scopes; refusals as SCIM errors. */
export function handleIdentitySearch(
  context: ApiContext,
  call: { authorization: string | undefined; body: string },
): HttpAnswer {
  try {
    const authentication = context.tokens.authenticate(call.authorization);
    if (!authentication.ok) throw new ScimError(authentication.status, authentication.message);
    const { companyId, scopes } = authentication.principal;
    return searchUsers(context.users.of(companyId), new Set(scopes), call.body);
  } catch (error) {
    if (!(error instanceof ScimError)) throw error;
    return scimErrorAnswer(error.status, error.message, error.scimType);
  }
}

export function handleConcurApi(context: ApiContext, call: ApiCall): HttpAnswer {
  try {
    const authentication = context.tokens.authenticate(call.authorization);
    if (!authentication.ok) throw new ConcurApiError(authentication.status, authentication.message);
    // Itinerary v1.1 is the ITINER scope's: an app Concur did not grant it is refused access, not a token trouble.
    if (!authentication.principal.scopes.includes(ITINERARY_SCOPE))
      throw new ConcurApiError(403, `insufficient scope: ${ITINERARY_SCOPE} is required`);
    const document = operate(context, call, authentication.principal);
    const answer = xmlAnswer(document);
    return 'itinerary' in document ? { ...answer, body: withConcurExtras(answer.body) } : answer;
  } catch (error) {
    if (!(error instanceof ConcurApiError)) throw error;
    return error.body === 'not-found-status'
      ? notFoundStatusAnswer()
      : errorAnswer(error.status, error.message, context.clock.now(), call.correlationId);
  }
}

function operate(context: ApiContext, call: ApiCall, principal: Principal): ConcurDocument {
  const { store, clock } = context;
  refuseUnknownUser(context, principal, call.query.get('userid_value'));
  const baseUrl = context.baseUrl();
  const viewer: Viewer =
    principal.bookingSource !== undefined ? { bookingSource: principal.bookingSource } : {};
  switch (call.route) {
    case 'tripList': {
      const query = parseTripListQuery(call.query, clock.now(), principal.user);
      const selected = selectTrips(store.companyTrips(principal.companyId), query);
      return tripListDocument(selected, query, call.query.raw, baseUrl);
    }
    case 'tripGet': {
      const trip = store.requireTrip(writeContext(principal, call.query), call.tripId ?? '');
      const format = call.query.get('systemFormat');
      if (format !== undefined && format.toLowerCase() === 'tripit') {
        return { response: renderTripIt(trip, baseUrl, viewer) };
      }
      if (format !== undefined && format !== '')
        throw badRequest(`systemFormat "${format}" is not supported.`);
      return { itinerary: renderItinerary(trip, baseUrl, viewer) };
    }
    case 'tripCreate': {
      const itinerary = readDocument(call.body, 'itinerary');
      return {
        itinerary: renderItinerary(
          store.createTrip(writeContext(principal, call.query), itinerary),
          baseUrl,
          viewer,
        ),
      };
    }
    case 'tripUpdate': {
      const itinerary = readDocument(call.body, 'itinerary');
      const trip = store.replaceTrip(
        writeContext(principal, call.query),
        requiredTripId(call.query),
        itinerary,
      );
      return { itinerary: renderItinerary(trip, baseUrl, viewer) };
    }
    case 'tripCancel': {
      const trip = store.cancelTrip(writeContext(principal, call.query), requiredTripId(call.query));
      return { itinerary: renderItinerary(trip, baseUrl, viewer) };
    }
    case 'bookingPost': {
      const booking = readDocument(call.body, 'booking');
      const tripId = call.query.get('tripId') || undefined;
      const trip = store.postBooking(writeContext(principal, call.query), booking, tripId);
      return { itinerary: renderItinerary(trip, baseUrl, viewer) };
    }
    case 'bookingCancel': {
      const { stored } = store.cancelBooking(
        writeContext(principal, call.query),
        call.query.get('bookingSource') ?? '',
        call.query.get('confirmationNumber') ?? '',
      );
      return { booking: renderBooking(stored, viewer) };
    }
  }
}

/**
 * A login the company does not have is refused before anything else, on every route, as Concur refuses it: its
 * users (the `users` option, those added while it runs), its default traveler, the token's own. Case-insensitive,
 * as logins are. An inactive user is still a user.
 */
function refuseUnknownUser(context: ApiContext, principal: Principal, login: string | undefined): void {
  if (login === undefined || login === '') return;
  refuseAllUsers(login);
  const wanted = login.toLowerCase();
  const company = context.tokens.company(principal.companyId);
  const known =
    wanted === principal.user.toLowerCase() ||
    wanted === company?.defaultUser.toLowerCase() ||
    context.users.of(principal.companyId).some((user) => user.userName.toLowerCase() === wanted);
  if (!known) throw badRequest(UNKNOWN_USER_MESSAGE);
}

/**
 * Whom the request acts for: `userid_type=login_id&userid_value={login}` (seeds 001, 003), else the token's own
 * traveler. Every token may act for the users of its company (it is treated as a Web Services Administrator); a login the
 * company does not have was refused before (refuseUnknownUser).
 */
function writeContext(principal: Principal, query: QueryParams): WriteContext {
  const base = {
    companyId: principal.companyId,
    ...(principal.bookingSource !== undefined ? { callerSource: principal.bookingSource } : {}),
  };
  const type = query.get('userid_type');
  const value = query.get('userid_value');
  if (type === undefined && value === undefined)
    return { ...base, traveler: principal.user, travelerNamed: false };
  refuseAllUsers(value);
  if (type === undefined || !/^(login_id|login)$/i.test(type) || !value) {
    throw badRequest('userid_type must be login_id (or login) and userid_value a login.');
  }
  return { ...base, traveler: value, travelerNamed: true };
}

function requiredTripId(query: QueryParams): string {
  const tripId = query.get('tripId');
  if (!tripId) throw badRequest('The tripId query parameter is required.');
  return tripId;
}

const ROOT_NAMES = { itinerary: 'Itinerary', booking: 'Booking' } as const;

function readDocument(body: string, root: 'itinerary'): Itinerary;
function readDocument(body: string, root: 'booking'): Booking;
function readDocument(body: string, root: 'itinerary' | 'booking'): Itinerary | Booking {
  const expected = ROOT_NAMES[root];
  if (body.trim() === '') throw badRequest(`The request has no body; expected a <${expected}> document.`);
  let document: Record<string, unknown>;
  try {
    document = parseConcurXml(body);
  } catch (error) {
    if (!(error instanceof ConcurDocumentError)) throw error;
    const details = error.problems
      .slice(0, 5)
      .map((p) => (p.path ? `${p.path}: ${p.message}` : p.message))
      .join('; ');
    throw badRequest(`The request body is not a valid <${expected}> document: ${details || error.message}`);
  }
  const value = document[root];
  if (value === undefined) {
    const found = Object.keys(document)[0] ?? '';
    throw badRequest(
      `Expected a <${expected}> document, got <${found.charAt(0).toUpperCase()}${found.slice(1)}>.`,
    );
  }
  if (value === null || typeof value !== 'object') throw badRequest(`The <${expected}> document is empty.`);
  return value as Itinerary | Booking;
}
