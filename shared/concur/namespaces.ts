/** Default namespace of trip (Itinerary) documents; booking documents are sent without one. */
export const TRIP_NAMESPACE = 'http://www.concursolutions.com/api/travel/trip/2010/06';
