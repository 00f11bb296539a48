import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildConcurXml, parseConcurXml, validateBooking, validateItinerary } from '../../shared/concur';
import { complexType, jsonKey } from '../../shared/concur/schema';
import { listItemArbitrary, objectArbitrary } from '../support/arbitraries';

const segmentKinds = complexType('BookingRecord_ArrayOfSegments').model.elements;
const chargeKinds = complexType('BookingRecord_ArrayOfCharges').model.elements;

/** A valid booking carrying one segment of the given kind, with a charge of every kind. */
const bookingWithSegment = (segmentKind: (typeof segmentKinds)[number]) =>
  fc
    .record({
      booking: objectArbitrary('BookingType', 1),
      segment: listItemArbitrary(segmentKind, 2),
      charges: fc.tuple(...chargeKinds.map((kind) => listItemArbitrary(kind, 1))),
    })
    .map(({ booking, segment, charges }) => ({
      ...booking,
      segments: [
        {
          ...segment,
          charges:
            segment.kind === 'event' || segment.kind === 'travel'
              ? charges.filter((c) => c.kind !== 'percent')
              : charges,
        },
      ],
    }));

describe('JSON → XML → JSON', () => {
  it.each(segmentKinds.map((k) => [jsonKey(k.name), k]))(
    'a valid booking with a %s segment and every kind of charge survives unchanged',
    (_kind, segmentKind) => {
      fc.assert(
        fc.property(bookingWithSegment(segmentKind), (booking) => {
          const validation = validateBooking(booking);
          expect(validation.success && validation.value).toEqual(booking);
          expect(parseConcurXml(buildConcurXml({ booking }))).toEqual({ booking });
        }),
        { numRuns: 40 },
      );
    },
  );

  it('a valid trip survives unchanged', () => {
    fc.assert(
      fc.property(objectArbitrary('ItineraryType', 3), (itinerary) => {
        expect(validateItinerary(itinerary).success).toBe(true);
        expect(parseConcurXml(buildConcurXml({ itinerary }))).toEqual({ itinerary });
      }),
      { numRuns: 60 },
    );
  });

  it('key order in the JSON does not change the XML', () => {
    fc.assert(
      fc.property(objectArbitrary('BookingType', 2), (booking) => {
        const reversed = Object.fromEntries(Object.entries(booking).reverse());
        expect(buildConcurXml({ booking: reversed })).toBe(buildConcurXml({ booking }));
      }),
      { numRuns: 30 },
    );
  });
});
