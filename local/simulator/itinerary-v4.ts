/**
 * Itinerary v4 (`GET /travel/v4/trips/{id}`), the JSON API the itinerary events point at: the stored trip in v4's
 * PascalCase shape. A trip's v4 id is a UUID of its own (the v1.1 trip id is its `ItinLocator`); the simulator
 * derives it from the company and the v1.1 id, so it never needs storing. v4's local dates carry an offset
 * (`2020-12-11T15:54:18.000-00:00`), its segments are grouped by kind (`Segments.Hotel[]`), and a cancelled
 * segment keeps its data with `DateCancelledUtc` and `CancellationNumber` set.
 */
import { createHash } from 'node:crypto';
import type { Segment } from '../../shared/concur';
import type { StoredTrip } from './stored-trip';
import { segmentsOf, tripDates, tripName, tripStatusNumber } from './trip-shape';

export const V4_TRIPS_PATH = '/travel/v4/trips';

/** The trip's v4 id: a name-based UUID (RFC 4122 version 5 layout) of the company and the v1.1 trip id. */
export function v4TripId(trip: Pick<StoredTrip, 'companyId' | 'id'>): string {
  return nameUuid(`trip\n${trip.companyId}\n${trip.id}`);
}

/** The traveler's profile id as events name it (`facts.userId`). */
export function v4UserId(companyId: string, login: string): string {
  return nameUuid(`user\n${companyId}\n${login.toLowerCase()}`);
}

export const v4TripHref = (baseUrl: string, trip: Pick<StoredTrip, 'companyId' | 'id'>): string =>
  `${baseUrl}${V4_TRIPS_PATH}/${v4TripId(trip)}`;

function nameUuid(name: string): string {
  const bytes = createHash('sha1').update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;
/** v4 writes every date with milliseconds and an offset; the v1.1 local dates have none (`-00:00`: unknown). */
const v4Date = (value: string, offset: string) =>
  LOCAL_DATE_TIME.test(value) ? `${value}.000${offset}` : value;

const pascal = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);

/** A v1.1 JSON-form value in v4's casing; dates named `…Utc` get `+00:00`, other dates `-00:00`. */
function toV4(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.filter((item) => item !== null).map((item) => toV4(item, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [name, child] of Object.entries(value)) {
      if (child === null || child === undefined || name === 'kind') continue;
      out[pascal(name)] = toV4(child, name);
    }
    return out;
  }
  if (typeof value === 'string') return v4Date(value, /Utc$/.test(key) ? '+00:00' : '-00:00');
  return value;
}

function segmentsV4(segments: Segment[], cancelled: boolean): Record<string, unknown[]> {
  const grouped: Record<string, unknown[]> = {};
  for (const segment of segments) {
    const kind = pascal((segment as { kind?: string }).kind ?? 'travel');
    const shown = toV4(segment) as Record<string, unknown>;
    if (cancelled) shown.Status ??= 'XX';
    (grouped[kind] ??= []).push(shown);
  }
  return grouped;
}

/** The trip as v4 answers it to a company token. */
export function renderTripV4(trip: StoredTrip, baseUrl: string): Record<string, unknown> {
  const dates = tripDates(trip);
  return {
    id: v4TripHref(baseUrl, trip),
    ID: v4TripId(trip),
    ItinLocator: trip.id,
    TripName: tripName(trip),
    TripStatus: tripStatusNumber(trip),
    UserLoginId: trip.traveler,
    ...(dates.start ? { StartDateLocal: v4Date(dates.start, '-00:00') } : {}),
    ...(dates.end ? { EndDateLocal: v4Date(dates.end, '-00:00') } : {}),
    DateCreatedUtc: v4Date(trip.createdUtc, '+00:00'),
    DateModifiedUtc: v4Date(trip.modifiedUtc, '+00:00'),
    Bookings: trip.bookings.map(({ booking, canceled }) => {
      const { segments: _segments, ...rest } = booking;
      return {
        ...(toV4(rest) as Record<string, unknown>),
        Segments: segmentsV4(segmentsOf(booking), canceled),
      };
    }),
  };
}
