/** The bookings function’s routes: a booking by its confirmation number (put, read, cancel). */
import type { RouteDefinition } from '../route-definition';

export const bookingsRoutes = [
  {
    method: 'PUT',
    path: '/v1/companies/{companyId}/bookings/{confirmationNumber}',
    function: 'bookings',
    operationId: 'putBooking',
    authenticated: true,
    respondAsync: true,
  },
  {
    method: 'GET',
    path: '/v1/companies/{companyId}/bookings/{confirmationNumber}',
    function: 'bookings',
    operationId: 'getBooking',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/companies/{companyId}/bookings/{confirmationNumber}/cancel',
    function: 'bookings',
    operationId: 'cancelBooking',
    authenticated: true,
    respondAsync: true,
  },
] as const satisfies readonly RouteDefinition[];
