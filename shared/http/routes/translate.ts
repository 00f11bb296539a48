/** The translate function’s routes: dry runs answering the XML a write would send to Concur. */
import { TRIP_MAX_BODY_BYTES } from '../route-definition';
import type { RouteDefinition } from '../route-definition';

export const translateRoutes = [
  {
    method: 'POST',
    path: '/v1/translate/booking',
    function: 'translate',
    operationId: 'translateBooking',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/translate/trip',
    function: 'translate',
    operationId: 'translateTrip',
    authenticated: true,
    maxBodyBytes: TRIP_MAX_BODY_BYTES,
  },
] as const satisfies readonly RouteDefinition[];
