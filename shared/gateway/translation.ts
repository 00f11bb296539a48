/**
 * Dry runs of the writes: the same body as the booking PUT or the trip create, the same defaults from the
 * supplier's identity and the same refusals, answered with the Concur XML the write would send. No Concur call,
 * no state.
 */
import { buildConcurXml } from '../concur';
import type { BuildOptions } from '../concur';
import { translateBookingQuerySchema, translateTripQuerySchema } from './api-contract';
import { parsePutBooking } from './bookings';
import { validated } from './errors';
import type { Supplier } from './ports';
import { parseTripRequest } from './trips';

/** The booking XML a PUT of `body` to `…/bookings/{confirmationNumber}` would post. */
export function translateBookingWrite(
  supplier: Supplier,
  query: unknown,
  body: unknown,
  format: BuildOptions = {},
): string {
  const { confirmationNumber, profile } = validated(translateBookingQuerySchema, query, 'the query');
  const request = parsePutBooking(
    { ...supplier, profile: profile ?? supplier.profile },
    confirmationNumber,
    body,
  );
  return buildConcurXml({ booking: request.booking }, format);
}

/** The trip XML a trip create of `body` would post. */
export function translateTripWrite(
  supplier: Supplier,
  query: unknown,
  body: unknown,
  format: BuildOptions = {},
): string {
  const { profile } = validated(translateTripQuerySchema, query, 'the query');
  const request = parseTripRequest({ ...supplier, profile: profile ?? supplier.profile }, body);
  return buildConcurXml({ itinerary: request.itinerary }, format);
}
