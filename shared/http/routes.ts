/**
 * The HTTP routes of the gateway: one table that the Lambda wiring, the local server, the OpenAPI
 * document and the CDK stack all read, so a route is declared exactly once.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT';

/** Each value names a Lambda function whose handler lives in `functions/http/<name>.ts`. */
export type FunctionName = 'bookings' | 'trips' | 'translate' | 'events' | 'meta';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway path template. */
  path: string;
  function: FunctionName;
  operationId: string;
  /** Routes that need a supplier API key. */
  authenticated: boolean;
  /** Write routes that accept `Prefer: respond-async`: 202 with an operation, applied from the events queue. */
  respondAsync?: boolean;
  /** Routes authenticated by a signature over the raw body (webhooks): the body is not parsed before. */
  signed?: boolean;
}

export const routes: readonly RouteDefinition[] = [
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
  {
    method: 'POST',
    path: '/v1/companies/{companyId}/trips',
    function: 'trips',
    operationId: 'createTrip',
    authenticated: true,
    respondAsync: true,
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
  },
  {
    method: 'POST',
    path: '/v1/webhooks/{supplierId}',
    function: 'events',
    operationId: 'receiveWebhook',
    authenticated: false,
    signed: true,
  },
  {
    method: 'GET',
    path: '/v1/operations/{operationId}',
    function: 'events',
    operationId: 'getOperation',
    authenticated: true,
  },
  { method: 'GET', path: '/health', function: 'meta', operationId: 'health', authenticated: false },
  { method: 'GET', path: '/openapi.json', function: 'meta', operationId: 'openapi', authenticated: false },
  { method: 'GET', path: '/docs', function: 'meta', operationId: 'docs', authenticated: false },
  {
    method: 'GET',
    path: '/docs/assets/{asset}',
    function: 'meta',
    operationId: 'docsAsset',
    authenticated: false,
  },
];
