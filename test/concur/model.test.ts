import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../scripts/generate-model';
import { complexType, rootByName, segmentTypes } from '../../shared/concur/schema';

describe('the generated Concur model', () => {
  it('is what the generator derives from the XSDs today (run `npm run generate:model` when this fails)', () => {
    for (const file of generatedFiles()) {
      expect(readFileSync(file.path, 'utf8'), file.path).toBe(file.content);
    }
  });

  it("keeps the XSD's length limits, patterns and enumerations", () => {
    const element = (type: string, name: string) => complexType(type).byName.get(name);
    expect(element('BookingType', 'BookingSource')?.maxLength).toBe(32);
    expect(element('BookingType', 'RecordLocator')?.maxLength).toBe(50);
    expect(element('PassengerType', 'NameLast')?.maxLength).toBe(50);
    expect(element('PassengerType', 'TextName')?.maxLength).toBe(250);
    expect(element('ItineraryType', 'TripName')?.maxLength).toBe(255);
    expect(element('ItineraryType', 'Comments')?.maxLength).toBe(512);
    expect(element('ItineraryType', 'CancelComments')?.maxLength).toBe(256);
    expect(element('AirType', 'FlightNumber')?.maxLength).toBe(10);
    expect(element('HotelType', 'Name')?.maxLength).toBe(80);
    expect(element('HotelType', 'Status')?.pattern).toBe('[A-Za-z0-9]{2}');
    expect(element('BookingType', 'BookingReferrer')?.enumeration).toContain('Supplier Web');
    expect(element('FixedType', 'SemanticsCode')?.pattern).toBe('[A-Za-z0-9]+');
  });

  it('keeps declaration order and types', () => {
    const itinerary = complexType('ItineraryType').model.elements.map((e) => e.name);
    expect(itinerary.slice(0, 3)).toEqual(['id', 'TripId', 'ItinLocator']);
    expect(itinerary.indexOf('TripName')).toBeLessThan(itinerary.indexOf('Bookings'));
    expect(complexType('CarType').byName.get('DailyRate')?.type).toBe('decimal');
    expect(complexType('ItineraryType').byName.get('TripStatus')?.type).toBe('unsignedByte');
    expect(complexType('EventType').byName.has('Type')).toBe(true);
  });

  it('marks list wrappers with one child kind and with several', () => {
    expect(complexType('BookingRecord_ArrayOfPassengers').model).toMatchObject({ list: true });
    expect(complexType('BookingRecord_ArrayOfPassengers').model.elements).toHaveLength(1);
    expect(segmentTypes).toEqual([
      'HotelType',
      'DiningType',
      'RideType',
      'RailType',
      'ParkingType',
      'CarType',
      'AirType',
      'EventType',
      'TravelType',
    ]);
    const multiKind = [
      'BookingRecord_ArrayOfCharges',
      'BookingRecord_ArrayOfAirlineTickets',
      'BookingRecord_ArrayOfRailPayments',
      'BookingRecordPassenger_ArrayOfFrequentTravelerPrograms',
    ];
    for (const name of multiKind) expect(complexType(name).model.elements.length, name).toBeGreaterThan(1);
    expect(complexType('ItineraryType').model.list).toBe(false);
  });

  it('adds what the seeds use and the XSD lacks', () => {
    expect(complexType('ItineraryType').byName.get('ItinSourceName')).toMatchObject({ source: 'seed' });
    expect(complexType('BookingType').byName.get('ItinSourceName')).toMatchObject({ source: 'seed' });
    expect(complexType('BookingType').byName.get('OriginalItinLocator')).toMatchObject({ source: 'seed' });
    expect(complexType('PassengerType').model.elements[0]).toMatchObject({
      name: 'PassengerKey',
      source: 'seed',
    });
    expect(complexType('CarType').byName.get('PerDiemLocation')).toMatchObject({ source: 'seed' });
    expect(complexType('PassengerType').model.aliases?.FrequentTravelerProgram).toEqual({
      element: 'FrequentTravelerPrograms',
      as: 'wrapper',
    });
    for (const root of [
      'Response',
      'Error',
      'Message',
      'Status',
      'ConnectResponse',
      'ItineraryInfoList',
      'Car',
    ]) {
      expect(rootByName.has(root), root).toBe(true);
    }
  });
});
