/**
 * What the seed documents show that Concur's XSDs lack. The generator applies these on top of the XSD so the
 * checked-in model covers every element Concur actually sends. Each entry says which seed shows it.
 */
import type * as ModelTypes from '../shared/concur/model-types';
import type { ComplexTypeModel, ElementModel } from '../shared/concur/model-types';
import { TRIP_NAMESPACE } from '../shared/concur/namespaces';

type RootModel = ModelTypes.RootModel;

export interface ElementSupplement {
  /** Complex type that gains the element. */
  type: string;
  element: ElementModel;
  /** Declared right after this element (the seeds' position); at the start when null. */
  after: string | null;
}

export const elementSupplements: ElementSupplement[] = [
  // Seeds 000, 001, 002, 003: trips carry their source system (e.g. ConcurTravel, TravelSupplier).
  {
    type: 'ItineraryType',
    element: { name: 'ItinSourceName', type: 'string', source: 'seed' },
    after: 'ClientLocator',
  },
  // Seeds 000, 001, 003: bookings carry ItinSourceName (TravelSupplier, ConcurConnectAPI).
  {
    type: 'BookingType',
    element: { name: 'ItinSourceName', type: 'string', source: 'seed' },
    after: 'RecordLocator',
  },
  // Seeds 002, 003, 004: a booking moved from another trip keeps the original trip's locator.
  {
    type: 'BookingType',
    element: { name: 'OriginalItinLocator', type: 'string', source: 'seed' },
    after: 'ItinSourceName',
  },
  // Seed 001: passengers carry a key that seats and phone numbers refer to.
  { type: 'PassengerType', element: { name: 'PassengerKey', type: 'string', source: 'seed' }, after: null },
  // Seeds 001, 003: the booking cancel response ends a Car with an empty PerDiemLocation.
  { type: 'CarType', element: { name: 'PerDiemLocation', type: 'string', source: 'seed' }, after: 'Remarks' },
];

/** Numeric elements to which the TripLink seeds send text (see docs/validation-rules.md). */
export const textAlternatives: {
  type: string | '*segment';
  element: string;
  alternative: ElementModel['textAlternative'];
}[] = [
  // Seed 002 (and 004's TripLink example) posts TripStatus HK, a segment status, where the XSD has unsignedByte.
  {
    type: 'ItineraryType',
    element: 'TripStatus',
    alternative: { pattern: '[A-Za-z0-9]{2}', maxLength: 2, profile: 'triplink' },
  },
  // Seed 002 posts TimeZoneId Pacific, a Windows zone name, where the XSD has integer.
  {
    type: '*segment',
    element: 'TimeZoneId',
    alternative: { pattern: '[A-Za-z][A-Za-z0-9 _/+.-]*', maxLength: 64, profile: 'triplink' },
  },
];

/** Enumeration values the seeds document that the XSD's enumeration lacks. */
export const enumerationAdditions: { type: string; element: string; values: string[] }[] = [
  // Seeds 001 and 003 list "Sign-in with SAP Concur"; the XSD still says "Sign-in with Concur". Both are accepted.
  { type: 'BookingType', element: 'BookingReferrer', values: ['Sign-in with SAP Concur'] },
  // Seed 003's agency proposal table gives AutoSelectProposal, TicketIssued and DisplayOnItinerary the DataType
  // Text; the XSD's enumeration has no Text. Concur's own documentation tells clients to send it: accepted.
  { type: 'CustomAttributeType', element: 'DataType', values: ['Text'] },
];

/** Names the seeds use for elements the model knows under another name. */
export const aliases: { type: string; alias: string; element: string; as: 'wrapper' | 'item' }[] = [
  // Seeds 001 and 003 name the passenger loyalty list FrequentTravelerProgram; the XSD says FrequentTravelerPrograms.
  {
    type: 'PassengerType',
    alias: 'FrequentTravelerProgram',
    element: 'FrequentTravelerPrograms',
    as: 'wrapper',
  },
  // Seeds 000 and 001 return a booking's trip with <Booking> directly under <Itinerary>, without <Bookings>.
  { type: 'ItineraryType', alias: 'Booking', element: 'Bookings', as: 'item' },
];

const text = (name: string): ElementModel => ({ name, type: 'string', source: 'seed' });

/**
 * Documents the seeds show that no XSD describes: the TripIt format of trip details (seeds 003, 004),
 * Concur's error and cancel answers (FACTS.md, seeds 000, 001, 002).
 */
export const seedTypes: Record<string, ComplexTypeModel> = {
  TripItResponseType: {
    list: false,
    elements: [
      { name: 'Trip', type: 'TripItTripType', source: 'seed' },
      { name: 'AirObject', type: 'TripItAirObjectType', repeated: true, source: 'seed' },
    ],
  },
  TripItTripType: {
    list: false,
    elements: ['id', 'relative_url', 'start_date', 'end_date', 'display_name', 'is_private'].map(text),
  },
  TripItAirObjectType: {
    list: false,
    elements: [
      ...[
        'booking_site_conf_num',
        'booking_site_name',
        'booking_site_phone',
        'booking_site_url',
        'record_locator',
        'supplier_conf_num',
        'supplier_contact',
        'supplier_email_address',
        'supplier_name',
        'supplier_phone',
        'supplier_url',
        'is_purchased',
        'notes',
        'restrictions',
        'total_cost',
      ].map(text),
      { name: 'Segment', type: 'TripItAirSegmentType', repeated: true, source: 'seed' },
      { name: 'Traveler', type: 'TripItTravelerType', repeated: true, source: 'seed' },
    ],
  },
  TripItAirSegmentType: {
    list: false,
    elements: [
      { name: 'StartDateTime', type: 'TripItDateTimeType', source: 'seed' },
      { name: 'EndDateTime', type: 'TripItDateTimeType', source: 'seed' },
      ...[
        'start_airport_code',
        'start_gate',
        'start_terminal',
        'end_airport_code',
        'end_gate',
        'end_terminal',
        'marketing_airline',
        'marketing_flight_number',
        'aircraft',
        'duration',
        'distance',
        'notes',
        'seats',
        'service_class',
        'stops',
      ].map(text),
    ],
  },
  TripItDateTimeType: { list: false, elements: ['date', 'time'].map(text) },
  TripItTravelerType: {
    list: false,
    elements: [
      'first_name',
      'middle_name',
      'last_name',
      'frequent_traveler_num',
      'frequent_traveler_supplier',
      'ticket_num',
    ].map(text),
  },
  ErrorType: { list: false, elements: ['Message', 'Server-Time', 'Id'].map(text) },
};

/** Root elements: the XSD's two, the list responses, and the seed-only answers. */
export const roots: RootModel[] = [
  { name: 'Itinerary', type: 'ItineraryType', namespace: TRIP_NAMESPACE },
  { name: 'Booking', type: 'BookingType' },
  { name: 'ItineraryInfoList', type: 'ItineraryInfoListType', namespace: TRIP_NAMESPACE },
  { name: 'ConnectResponse', type: 'ConnectResponseType' },
  { name: 'Response', type: 'TripItResponseType' },
  { name: 'Error', type: 'ErrorType' },
  // Trip cancel, per a later Concur guide: <Message>Cancelled Successfully</Message>.
  { name: 'Message', type: 'string' },
  // Booking cancel of an unknown booking: HTTP 404 with <Status>NotFound</Status>.
  { name: 'Status', type: 'string' },
];
