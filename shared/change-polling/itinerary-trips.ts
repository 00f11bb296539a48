/** The poller's trips through the gateway's Itinerary v1.1 port (each call within the outbound rate limit). */
import { ConcurApiError } from '../concur-client';
import { tripStateOfV11 } from '../change-notices/concur-trip';
import type { ConcurItinerary } from '../gateway/ports';
import type { TravelerTrips } from './ports';

export function itineraryTravelerTrips(itinerary: ConcurItinerary): TravelerTrips {
  return {
    listModified: async (connection, { loginId, since, startDate, endDate }) => {
      const listed = await itinerary.listTrips(connection, {
        loginId,
        lastModifiedDate: since,
        // A trip cancelled in Concur as a whole is listed only with its cancelled trips.
        includeCanceledTrips: true,
        ...(startDate ? { startDate } : {}),
        ...(endDate ? { endDate } : {}),
      });
      return listed.value.flatMap((trip) =>
        trip.tripId
          ? [{ tripId: trip.tripId, ...(trip.dateModifiedUtc ? { modifiedUtc: trip.dateModifiedUtc } : {}) }]
          : [],
      );
    },
    read: async (connection, loginId, tripId) => {
      try {
        const found = await itinerary.getTrip(connection, { tripId, loginId });
        return tripStateOfV11(found.value);
      } catch (error) {
        if (error instanceof ConcurApiError && error.kind === 'not-found') return undefined;
        throw error;
      }
    },
  };
}
