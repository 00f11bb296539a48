/**
 * The HTTP routes of the gateway: one table that the Lambda wiring, the local server, the OpenAPI
 * document and the CDK stack all read, so a route is declared exactly once.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Each value names a Lambda function whose handler lives in `functions/http/<name>.ts`. */
export type FunctionName =
  'bookings' | 'trips' | 'translate' | 'events' | 'endpoints' | 'activity' | 'changes' | 'meta';

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
  /** The largest body the route accepts, in bytes (413 beyond); DEFAULT_MAX_BODY_BYTES when absent. */
  maxBodyBytes?: number;
}

/**
 * A booking with dozens of segments, passengers and charges stays well under 256 KiB once every string is
 * bounded (shared/concur/text-limits.ts); a trip carries several bookings, so it gets 1 MiB.
 */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;
const TRIP_MAX_BODY_BYTES = 1024 * 1024;
/** A partner event, and a write request answered asynchronously: its operation record must fit one item. */
export const EVENT_MAX_BODY_BYTES = 128 * 1024;

export const maxBodyBytesOf = (route: RouteDefinition): number =>
  route.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

/**
 * Path parameters (company ids, confirmation numbers, trip ids) are at most this many characters: 512 bytes
 * of UTF-8 at most, which keeps every DynamoDB key built from them (sort keys ≤ 1,024 bytes, partition keys
 * ≤ 2,048 bytes) within its limit.
 */
export const MAX_PATH_PARAMETER_LENGTH = 128;
/** Query values (filters, cursors) are at most this many characters. */
export const MAX_QUERY_VALUE_LENGTH = 512;

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
  {
    method: 'POST',
    path: '/v1/webhooks/{supplierId}',
    function: 'events',
    operationId: 'receiveWebhook',
    authenticated: false,
    signed: true,
    // The operation record keeps the event in one DynamoDB item (400 KB) beside its result.
    maxBodyBytes: EVENT_MAX_BODY_BYTES,
  },
  {
    method: 'POST',
    path: '/v1/concur/events',
    function: 'changes',
    operationId: 'receiveConcurEvent',
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
  {
    method: 'POST',
    path: '/v1/webhook-endpoints',
    function: 'endpoints',
    operationId: 'createWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints',
    function: 'endpoints',
    operationId: 'listWebhookEndpoints',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints/{endpointId}',
    function: 'endpoints',
    operationId: 'getWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'PATCH',
    path: '/v1/webhook-endpoints/{endpointId}',
    function: 'endpoints',
    operationId: 'updateWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'DELETE',
    path: '/v1/webhook-endpoints/{endpointId}',
    function: 'endpoints',
    operationId: 'deleteWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/{endpointId}/rotate-secret',
    function: 'endpoints',
    operationId: 'rotateWebhookEndpointSecret',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/{endpointId}/test',
    function: 'endpoints',
    operationId: 'testWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints/{endpointId}/deliveries',
    function: 'endpoints',
    operationId: 'listWebhookDeliveries',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/{endpointId}/recover',
    function: 'endpoints',
    operationId: 'recoverWebhookMessages',
    authenticated: true,
  },
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
  { method: 'GET', path: '/console', function: 'meta', operationId: 'console', authenticated: false },
  {
    method: 'GET',
    path: '/console/assets/{file}',
    function: 'meta',
    operationId: 'consoleAsset',
    authenticated: false,
  },
];
