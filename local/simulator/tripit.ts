/**
 * `GET /api/travel/trip/v1.1/{tripId}?systemFormat=Tripit`: the trip in TripIt's `<Response>` shape (seeds 003
 * and 004): the Trip, and one AirObject per booking with live air segments, each with its Segments and
 * Travelers. Other segment kinds have no TripIt object in the seeds and are left out.
 */
import type { Booking, Segment, TripItResponse } from '../../shared/concur';
import type { Viewer } from './render';
import { TRIP_PATH } from './render';
import type { StoredTrip } from './stored-trip';
import { segmentsOf, tripDates, tripName } from './trip-shape';

type AirSegment = Extract<Segment, { kind: 'air' }>;
type TripItAirObject = NonNullable<NonNullable<TripItResponse['airObject']>[number]>;

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const datePart = (dateTime: string | null | undefined): string => text(dateTime).slice(0, 10);
const timePart = (dateTime: string | null | undefined): string => text(dateTime).slice(11, 19);

export function renderTripIt(trip: StoredTrip, baseUrl: string, viewer: Viewer): TripItResponse {
  const dates = tripDates(trip);
  return {
    trip: {
      id: trip.id,
      relative_url: `${TRIP_PATH}/${trip.id}`,
      start_date: datePart(dates.start),
      end_date: datePart(dates.end),
      display_name: tripName(trip),
      is_private: trip.header.isPersonal ? 'true' : 'false',
    },
    airObject: trip.bookings
      .filter((stored) => !stored.canceled)
      .map((stored) => airObject(stored.booking, baseUrl, viewer))
      .filter((object): object is TripItAirObject => object !== undefined),
  };
}

function airObject(booking: Booking, baseUrl: string, viewer: Viewer): TripItAirObject | undefined {
  const flights = segmentsOf(booking).filter((s): s is AirSegment => s.kind === 'air');
  if (flights.length === 0) return undefined;
  const first = flights[0]!;
  const ownSource = viewer.bookingSource === undefined || viewer.bookingSource === booking.bookingSource;
  return {
    booking_site_conf_num: text(booking.recordLocator),
    booking_site_name: text(booking.bookingSource),
    booking_site_phone: '',
    booking_site_url: baseUrl,
    record_locator: text(booking.recordLocator),
    supplier_conf_num: text(first.confirmationNumber),
    supplier_contact: '',
    supplier_email_address: '',
    supplier_name: text(first.vendorName),
    supplier_phone: '',
    supplier_url: '',
    is_purchased: '1',
    notes: '',
    restrictions: '',
    // An amount: only for the booking's own source, like every other amount.
    total_cost: ownSource ? totalCost(flights) : '',
    segment: flights.map((flight) => ({
      startDateTime: { date: datePart(flight.startDateLocal), time: timePart(flight.startDateLocal) },
      endDateTime: { date: datePart(flight.endDateLocal), time: timePart(flight.endDateLocal) },
      start_airport_code: text(flight.startCityCode),
      start_gate: text(flight.startGate),
      start_terminal: text(flight.startTerminal),
      end_airport_code: text(flight.endCityCode),
      end_gate: text(flight.endGate),
      end_terminal: text(flight.endTerminal),
      marketing_airline: text(flight.vendor),
      marketing_flight_number: text(flight.flightNumber),
      aircraft: text(flight.aircraftCode),
      duration: text(flight.duration),
      distance: text(flight.miles),
      notes: text(flight.notes),
      seats: '',
      service_class: text(flight.cabin ?? flight.classOfService),
      stops: stops(flight.numStops),
    })),
    traveler: (booking.passengers ?? [])
      .filter((p) => p !== null)
      .map((passenger) => ({
        first_name: text(passenger.nameFirst),
        middle_name: text(passenger.nameMiddle),
        last_name: text(passenger.nameLast),
        frequent_traveler_num: '',
        frequent_traveler_supplier: '',
        ticket_num: '',
      })),
  };
}

function stops(numStops: number | null | undefined): string {
  if (numStops === undefined || numStops === null) return '';
  return numStops === 0 ? 'Nonstop' : `${numStops} stops`;
}

/** The sum of the flights' charges, when they have any. */
function totalCost(flights: AirSegment[]): string {
  let total = 0;
  let found = false;
  for (const flight of flights) {
    for (const charge of flight.charges ?? []) {
      if (charge && typeof charge.amount === 'number') {
        total += charge.amount;
        found = true;
      }
    }
  }
  return found ? total.toFixed(2) : '';
}
