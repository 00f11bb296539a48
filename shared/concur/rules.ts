/**
 * The request rules that the XSD cannot express (it uses xs:choice maxOccurs=unbounded, so nothing is required
 * and order is free): which elements a request must carry, per validation profile. See docs/validation-rules.md.
 */

/**
 * `tmc`: TMCs and third parties, held to seed 003's "Core Elements - Required" of each segment type.
 * `triplink`: TripLink – Open Booking suppliers, whose documents (seeds 000, 001, 002) carry only a subset.
 */
export type ValidationProfile = 'tmc' | 'triplink';

export const VALIDATION_PROFILES: readonly ValidationProfile[] = ['tmc', 'triplink'];

/** Required in every profile (seeds 000–004 agree). */
const ALWAYS_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  BookingType: ['BookingSource', 'RecordLocator'],
  PassengerType: ['NameFirst', 'NameLast'],
  ItineraryType: ['TripName'],
};

/**
 * Seed 003's "Core Elements - Required" per segment type, less Hotel's StartCityCode, which 003's own
 * request examples omit. Event has no such table in the seeds.
 */
const TMC_SEGMENT_REQUIRED: Readonly<Record<string, readonly string[]>> = {
  AirType: [
    'ClassOfService',
    'ConfirmationNumber',
    'EndCityCode',
    'EndDateLocal',
    'FlightNumber',
    'StartCityCode',
    'StartDateLocal',
    'Vendor',
  ],
  CarType: ['ConfirmationNumber', 'EndDateLocal', 'StartDateLocal', 'Vendor'],
  HotelType: ['ConfirmationNumber', 'EndDateLocal', 'Name', 'StartDateLocal', 'Status', 'Vendor'],
  DiningType: ['ConfirmationNumber'],
  RideType: ['ConfirmationNumber', 'EndCityCode', 'StartCityCode', 'Vendor'],
  RailType: ['ConfirmationNumber', 'StartDateLocal'],
  ParkingType: ['ConfirmationNumber', 'StartDateLocal'],
  TravelType: ['EndDateLocal', 'StartCity', 'StartCityCode', 'StartDateLocal'],
  EventType: [],
};

/** TripLink segments need a start date: Concur places a booking in the trip that spans its dates. */
const TRIPLINK_SEGMENT_REQUIRED = ['StartDateLocal'];

export function requiredElements(
  typeName: string,
  profile: ValidationProfile,
  isSegment: boolean,
): readonly string[] {
  const always = ALWAYS_REQUIRED[typeName] ?? [];
  if (!isSegment) return always;
  return [
    ...always,
    ...(profile === 'tmc' ? (TMC_SEGMENT_REQUIRED[typeName] ?? []) : TRIPLINK_SEGMENT_REQUIRED),
  ];
}

/** Trip statuses (seed 003): 0 Confirmed, 1 Ticketed, 2 Canceled, 6 Proposal, 7 Booked Proposal. */
export const TRIP_STATUSES: readonly number[] = [0, 1, 2, 6, 7];

/** Trip statuses of agency proposals. */
export const PROPOSAL_TRIP_STATUSES: readonly number[] = [6, 7];
