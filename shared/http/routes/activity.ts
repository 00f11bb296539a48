/**
 * The activity function’s routes: what the supplier reads of its own bookings, their history and its
 * operations.
 */
import type { RouteDefinition } from '../route-definition';

export const activityRoutes = [
  {
    method: 'GET',
    path: '/v1/bookings',
    function: 'activity',
    operationId: 'listBookings',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/companies/{companyId}/bookings/{confirmationNumber}/history',
    function: 'activity',
    operationId: 'getBookingHistory',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/operations',
    function: 'activity',
    operationId: 'listOperations',
    authenticated: true,
  },
] as const satisfies readonly RouteDefinition[];
