/**
 * The trips function’s routes: trips the supplier creates, replaces, cancels, reads and lists, and a test
 * key’s faults and trips booked elsewhere at its sandbox company.
 */
import { TRIP_MAX_BODY_BYTES } from '../route-definition';
import type { RouteDefinition } from '../route-definition';

export const tripsRoutes = [
  {
    method: 'POST',
    path: '/v1/companies/{companyId}/trips',
    function: 'trips',
    operationId: 'createTrip',
    authenticated: true,
    respondAsync: true,
    maxBodyBytes: TRIP_MAX_BODY_BYTES,
  },
  {
    method: 'GET',
    path: '/v1/companies/{companyId}/trips',
    function: 'trips',
    operationId: 'listTrips',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/companies/{companyId}/trips/{tripId}',
    function: 'trips',
    operationId: 'getTrip',
    authenticated: true,
  },
  {
    method: 'PUT',
    path: '/v1/companies/{companyId}/trips/{tripId}',
    function: 'trips',
    operationId: 'updateTrip',
    authenticated: true,
    respondAsync: true,
    maxBodyBytes: TRIP_MAX_BODY_BYTES,
  },
  {
    method: 'POST',
    path: '/v1/companies/{companyId}/trips/{tripId}/cancel',
    function: 'trips',
    operationId: 'cancelTrip',
    authenticated: true,
    respondAsync: true,
  },
  {
    method: 'GET',
    path: '/v1/sandbox/faults',
    function: 'trips',
    operationId: 'getSandboxFaults',
    authenticated: true,
  },
  {
    method: 'PUT',
    path: '/v1/sandbox/faults',
    function: 'trips',
    operationId: 'replaceSandboxFaults',
    authenticated: true,
  },
  {
    method: 'DELETE',
    path: '/v1/sandbox/faults',
    function: 'trips',
    operationId: 'clearSandboxFaults',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/sandbox/trips',
    function: 'trips',
    operationId: 'createSandboxAgencyTrip',
    authenticated: true,
  },
] as const satisfies readonly RouteDefinition[];
