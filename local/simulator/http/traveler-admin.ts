/**
 * The admin API's part that acts inside Concur and subscribes to its events: `POST /_sim/trips` (a trip the
 * traveler's agency booked), `POST /_sim/trips/{tripId}/…` as the traveler (traveler-cancel, traveler-change) or
 * as Concur (delete, anonymize), and the ESS subscriptions
 * (`/_sim/ess/subscriptions`, the attempts at `/_sim/ess/deliveries`, the verifying key at `/_sim/ess/public-key`).
 */
import * as z from '../../../shared/zod';
import { ConcurApiError } from '../errors';
import type { EssPublisher } from '../ess';
import { renderTripV4 } from '../itinerary-v4';
import type { StoredTrip } from '../stored-trip';
import type { UserDirectory } from '../identity';
import type { TravelerActions } from '../traveler-actions';
import { jsonAnswer } from './answers';
import type { HttpAnswer } from './answers';

export interface TravelerAdminContext {
  ess: EssPublisher;
  traveler: TravelerActions;
  users: UserDirectory;
  baseUrl: () => string;
}

const LOCAL_DATE = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, { error: 'YYYY-MM-DDThh:mm:ss' }));
const changeSchema = z.object({
  confirmationNumber: z.string().check(z.minLength(1)),
  startDateLocal: z.optional(LOCAL_DATE),
  endDateLocal: z.optional(LOCAL_DATE),
  cancel: z.optional(z.boolean()),
});
/** A trip booked elsewhere: its dates in order. */
export const tripBookedElsewhereSchema = z
  .strictObject({
    companyId: z.string().check(z.minLength(1)),
    traveler: z.string().check(z.minLength(1), z.maxLength(128)),
    startDateLocal: LOCAL_DATE,
    endDateLocal: LOCAL_DATE,
  })
  .check(
    z.refine((trip) => withSeconds(trip.startDateLocal)! <= withSeconds(trip.endDateLocal)!, {
      message: 'ends before it starts',
      path: ['endDateLocal'],
    }),
  );
const subscriptionSchema = z.object({
  url: z.url({ protocol: /^https?$/ }),
  id: z.optional(z.string().check(z.regex(/^[a-z0-9.-]{1,100}$/))),
  companyIds: z.optional(z.array(z.string().check(z.minLength(1)))),
});

const TRIP_ACTION = /^\/_sim\/trips\/([^/]+)\/(traveler-cancel|traveler-change|delete|anonymize)$/;
const SUBSCRIPTION = /^\/_sim\/ess\/subscriptions\/([^/]+)$/;

const TRIPS = /^\/_sim\/trips$/;

const PATHS = [TRIPS, TRIP_ACTION, SUBSCRIPTION, /^\/_sim\/ess\/(subscriptions|deliveries|public-key)$/];

export const isTravelerAdminPath = (path: string): boolean => PATHS.some((pattern) => pattern.test(path));

const withSeconds = (value: string | undefined) => (value && value.length === 16 ? `${value}:00` : value);

/** The answer to a path `isTravelerAdminPath` accepts. */
export function handleTravelerAdmin(
  context: TravelerAdminContext,
  method: string,
  path: string,
  body: unknown,
): HttpAnswer {
  if (TRIPS.test(path)) {
    if (method !== 'POST') return jsonAnswer({ error: `use POST ${path}` }, 405);
    const trip = tripBookedElsewhereSchema.parse(body);
    if (!context.users.of(trip.companyId).some((user) => user.userName === trip.traveler))
      return jsonAnswer({ error: `no traveler "${trip.traveler}" in company "${trip.companyId}"` }, 404);
    const booked = context.traveler.bookElsewhere({
      ...trip,
      startDateLocal: withSeconds(trip.startDateLocal)!,
      endDateLocal: withSeconds(trip.endDateLocal)!,
    });
    return jsonAnswer({ trip: renderTripV4(booked, context.baseUrl()) }, 201);
  }
  const action = TRIP_ACTION.exec(path);
  if (action) {
    if (method !== 'POST') return jsonAnswer({ error: `use POST ${path}` }, 405);
    const tripId = decodeURIComponent(action[1]!);
    const shown = (trip: StoredTrip) => jsonAnswer({ trip: renderTripV4(trip, context.baseUrl()) });
    try {
      switch (action[2]) {
        case 'traveler-cancel':
          return shown(context.traveler.cancelTrip(tripId));
        case 'traveler-change': {
          const change = changeSchema.parse(body);
          return shown(
            context.traveler.changeBooking(tripId, {
              ...change,
              startDateLocal: withSeconds(change.startDateLocal),
              endDateLocal: withSeconds(change.endDateLocal),
            }),
          );
        }
        case 'delete':
          context.traveler.deleteTrip(tripId);
          return { status: 204, contentType: 'application/json', body: '' };
        default:
          return shown(context.traveler.anonymizeTrip(tripId));
      }
    } catch (error) {
      if (error instanceof ConcurApiError) return jsonAnswer({ error: error.message }, error.status);
      throw error;
    }
  }
  if (path === '/_sim/ess/subscriptions') {
    if (method === 'GET') return jsonAnswer({ subscriptions: context.ess.list() });
    if (method !== 'POST') return jsonAnswer({ error: `use GET or POST ${path}` }, 405);
    const { url, ...rest } = subscriptionSchema.parse(body);
    return jsonAnswer(context.ess.subscribe({ endpoint: url, ...rest }), 201);
  }
  const subscription = SUBSCRIPTION.exec(path);
  if (subscription) {
    if (method !== 'DELETE') return jsonAnswer({ error: `use DELETE ${path}` }, 405);
    return context.ess.unsubscribe(decodeURIComponent(subscription[1]!))
      ? { status: 204, contentType: 'application/json', body: '' }
      : jsonAnswer({ error: `no subscription ${subscription[1]}` }, 404);
  }
  if (path === '/_sim/ess/deliveries') {
    if (method === 'DELETE') {
      context.ess.clearAttempts();
      return { status: 204, contentType: 'application/json', body: '' };
    }
    return jsonAnswer({ attempts: context.ess.attempts() });
  }
  return jsonAnswer({ publicKey: context.ess.publicKeyPem });
}
