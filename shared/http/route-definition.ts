/**
 * What a route of the HTTP API is, and the bounds every route's request is held to. Each function's routes
 * are declared in `shared/http/routes/<function>.ts`; the whole table is `shared/http/routes`.
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
export const TRIP_MAX_BODY_BYTES = 1024 * 1024;
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
