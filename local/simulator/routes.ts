/**
 * `matchRoute` maps a request line onto the operations the simulator serves (`API_ROUTES`, by name, which faults
 * and the request log refer to), at Concur's paths (seeds 000–004).
 */
import type { ApiRoute } from '../../shared/sandbox/fault-rules';

export interface MatchedRoute {
  route: ApiRoute;
  /** The token request reached the global (GLZ) base URI, `/glz` here, rather than a geolocation. */
  glz?: boolean;
  /** The trip id of `GET /api/travel/trip/v1.1/{tripId}` (or v4's `/travel/v4/trips/{id}`), URL-decoded. */
  tripId?: string;
}

const TRIP_BASE = /^\/api\/travel\/trip\/v1\.1\/?$/;
const TRIP_CANCEL = /^\/api\/travel\/trip\/v1\.1\/cancel\/?$/;
const TRIP_DETAILS = /^\/api\/travel\/trip\/v1\.1\/([^/]+)\/?$/;
const BOOKING_BASE = /^\/api\/travel\/booking\/v1\.[01]\/?$/;
const BOOKING_CANCEL = /^\/api\/travel\/booking\/v1\.[01]\/cancel\/?$/;
const TOKEN = /^\/oauth2\/v0\/token\/?$/;
/** Concur's GLZ base URI (`https://glz.api.concursolutions.com`) is the simulator's `/glz`. */
export const GLZ_PATH = '/glz';
const GLZ_TOKEN = /^\/glz\/oauth2\/v0\/token\/?$/;
const TRIP_V4 = /^\/travel\/v4\/trips\/([^/]+)\/?$/;
const IDENTITY_SEARCH = /^\/profile\/identity\/v4\.1\/Users\/\.search\/?$/;

/**
 * `undefined` when no operation lives at the path; `'method-not-allowed'` when one does but not for the method.
 * `hasTripId` tells a trip create from a trip update (same path, `?tripId=`).
 */
export function matchRoute(
  method: string,
  path: string,
  hasTripId: boolean,
): MatchedRoute | 'method-not-allowed' | 'bad-trip-id' | undefined {
  const post = method === 'POST';
  const get = method === 'GET';
  if (TOKEN.test(path)) return post ? { route: 'token' } : 'method-not-allowed';
  if (GLZ_TOKEN.test(path)) return post ? { route: 'token', glz: true } : 'method-not-allowed';
  if (IDENTITY_SEARCH.test(path)) return post ? { route: 'identitySearch' } : 'method-not-allowed';
  if (TRIP_BASE.test(path)) {
    if (get) return { route: 'tripList' };
    if (post) return { route: hasTripId ? 'tripUpdate' : 'tripCreate' };
    return 'method-not-allowed';
  }
  if (TRIP_CANCEL.test(path)) return post ? { route: 'tripCancel' } : 'method-not-allowed';
  const details = TRIP_DETAILS.exec(path);
  if (details) {
    if (!get) return 'method-not-allowed';
    try {
      return { route: 'tripGet', tripId: decodeURIComponent(details[1]!) };
    } catch {
      return 'bad-trip-id';
    }
  }
  const v4 = TRIP_V4.exec(path);
  if (v4) {
    if (!get) return 'method-not-allowed';
    try {
      return { route: 'tripGetV4', tripId: decodeURIComponent(v4[1]!) };
    } catch {
      return 'bad-trip-id';
    }
  }
  if (BOOKING_BASE.test(path)) return post ? { route: 'bookingPost' } : 'method-not-allowed';
  if (BOOKING_CANCEL.test(path)) return post ? { route: 'bookingCancel' } : 'method-not-allowed';
  return undefined;
}
