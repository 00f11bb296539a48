/**
 * Itinerary v4's `GET /travel/v4/trips/{id}` for a company token (v4 takes no user tokens): the trip of the
 * caller's company with that v4 id, in JSON; errors in v4's `{"errors": [{"errorCode", "errorMessage"}]}`.
 */
import { renderTripV4, v4TripId } from '../itinerary-v4';
import type { ApiContext } from './concur-api';
import { jsonAnswer } from './answers';
import type { HttpAnswer } from './answers';

const v4Error = (status: number, errorCode: string, errorMessage: string): HttpAnswer =>
  jsonAnswer({ errors: [{ errorCode, errorMessage }] }, status);

export function handleTripGetV4(
  context: ApiContext,
  call: { authorization: string | undefined; tripId: string },
): HttpAnswer {
  const authentication = context.tokens.authenticate(call.authorization);
  if (!authentication.ok) return v4Error(authentication.status, 'unauthorized', authentication.message);
  const { companyId } = authentication.principal;
  const trip = context.store.companyTrips(companyId).find((candidate) => v4TripId(candidate) === call.tripId);
  if (!trip) return v4Error(404, 'notFound', `Trip ${call.tripId} was not found.`);
  return jsonAnswer(renderTripV4(trip, context.baseUrl()));
}
