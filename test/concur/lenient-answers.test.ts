import { describe, expect, it } from 'vitest';
import { ConcurDocumentError, parseConcurAnswer, parseConcurXml } from '../../shared/concur';
import { tmcGuideItinerary } from '../support/answer-fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('answers are read leniently, requests strictly', () => {
  it('refuses the TMC guide itinerary as a request, naming the elements the XSD lacks', () => {
    let error: unknown;
    try {
      parseConcurXml(tmcGuideItinerary);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConcurDocumentError);
    expect((error as ConcurDocumentError).problems.map((p) => p.path)).toEqual(
      expect.arrayContaining(['itinerary.isDemoTrip', 'itinerary.bookings[0].segments[2].parseErrors']),
    );
  });

  it('reads the TMC guide itinerary as an answer: known elements as always, unknown ones kept where they stand', () => {
    const { document, beyondSchema } = parseConcurAnswer(tmcGuideItinerary);
    const itinerary = document.itinerary as Json;
    expect(itinerary.tripName).toBe('Trip from Milan to Rome2');
    expect(itinerary.clientLocator).toBe('XYZ123');
    expect(itinerary.unknownElements).toEqual([
      { name: 'ExternalLinks', value: '' },
      { name: 'FormsOfId', value: '' },
      { name: 'IsDemoTrip', value: 'false' },
      { name: 'ReminderEmailSent', value: 'false' },
      { name: 'IsBillable', value: 'false' },
    ]);
    const booking = itinerary.bookings[0];
    expect(booking.recordLocator).toBe('EYQA1001');
    expect(booking.unknownElements.map((e: { name: string }) => e.name)).toEqual([
      'RailQuotes',
      'IsCliqbookSystemOfRecord',
      'CalculatedAirCharges',
    ]);
    // Nested unknown content keeps its structure.
    const calculated = booking.unknownElements[2].value;
    expect(calculated[0]).toMatchObject({ name: 'CalculatedAirCharge' });
    expect(calculated[0].value).toContainEqual({ name: 'TotalFare', value: '333.75' });
    const air = booking.segments[2];
    expect(air.kind).toBe('air');
    expect(air.unknownElements.map((e: { name: string }) => e.name)).toEqual(
      expect.arrayContaining(['ParseErrors', 'FareBasisCode', 'PerDiemLocation']),
    );
    expect(air.charges[0].unknownElements).toEqual([expect.objectContaining({ name: 'VendorName' })]);
    // Every place beyond the schema is reported by path, never by value.
    expect(beyondSchema.map((p) => p.path)).toContain('itinerary.isDemoTrip');
    expect(JSON.stringify(beyondSchema)).not.toContain('Estimated Air Fare');
  });

  it('keeps, at any depth, an unknown kind of list item, a value beyond the schema, a repeated element, children where text was expected', () => {
    const xml = `<Itinerary xmlns="http://www.concursolutions.com/api/travel/trip/2010/06">
      <TripName>T</TripName><TripName>again</TripName>
      <Bookings><Booking><RecordLocator>R</RecordLocator><BookingSource>S</BookingSource>
        <Segments><Bus><Vendor>FX</Vendor></Bus><Car><Vendor>ZE</Vendor><NumCars>many</NumCars>
          <Vendor>AL</Vendor></Car></Segments>
        <Passengers><Passenger><NameFirst>A</NameFirst><NameLast>B</NameLast>
          <Loyalty tier="gold"><Program>X</Program></Loyalty></Passenger></Passengers>
        <Comments><Note>n</Note></Comments>
      </Booking></Bookings></Itinerary>`;
    expect(() => parseConcurXml(xml)).toThrow(ConcurDocumentError);
    const { document, beyondSchema } = parseConcurAnswer(xml);
    const itinerary = document.itinerary as Json;
    expect(itinerary.tripName).toBe('T');
    expect(itinerary.unknownElements).toEqual([{ name: 'TripName', value: 'again' }]);
    const booking = itinerary.bookings[0];
    expect(booking.segments[0]).toEqual({
      kind: 'unknown',
      unknownElements: [{ name: 'Bus', value: [{ name: 'Vendor', value: 'FX' }] }],
    });
    expect(booking.segments[1]).toMatchObject({ kind: 'car', vendor: 'ZE', numCars: 'many' });
    expect(booking.segments[1].unknownElements).toEqual([{ name: 'Vendor', value: 'AL' }]);
    expect(booking.passengers[0].unknownElements).toEqual([
      { name: 'Loyalty', value: [{ name: 'Program', value: 'X' }] },
    ]);
    expect(booking.unknownElements).toEqual([{ name: 'Comments', value: [{ name: 'Note', value: 'n' }] }]);
    expect(beyondSchema.map((p) => p.path).sort()).toEqual([
      'itinerary.bookings[0].comments',
      'itinerary.bookings[0].passengers[0].loyalty',
      'itinerary.bookings[0].segments[0]',
      'itinerary.bookings[0].segments[1].numCars',
      'itinerary.bookings[0].segments[1].vendor',
      'itinerary.tripName',
    ]);
  });

  it('still refuses what is not an answer at all: hostile or broken XML, an unknown root', () => {
    expect(() => parseConcurAnswer('<!DOCTYPE x [<!ENTITY a "b">]><Itinerary/>')).toThrow(/DOCTYPE/);
    expect(() => parseConcurAnswer('<Itinerary><TripName>')).toThrow(ConcurDocumentError);
    expect(() => parseConcurAnswer('<Something/>')).toThrow(/unknown root/);
  });
});
