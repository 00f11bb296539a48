import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  buildConcurXml,
  parseConcurXml,
  translateToConcurXml,
  validateBooking,
  validateItinerary,
} from '../../shared/concur';
import { complexType, isSimpleType, rootByName } from '../../shared/concur/schema';
import { seedExamples } from '../support/seed-examples';
import { xmlLeaves } from '../support/xml-leaves';

const examples = seedExamples();
const requests = examples.filter((e) => e.role === 'request');
const byId = (id: string) => {
  const example = examples.find((e) => e.id === id);
  if (!example) throw new Error(`no seed example ${id}`);
  return parseConcurXml(example.xml) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};

type Node = Record<string, unknown>;
const genericParser = new XMLParser({ preserveOrder: true, removeNSPrefix: true, ignoreDeclaration: true });
const nameOf = (node: Node) => Object.keys(node).find((k) => k !== '#text' && k !== ':@');

/** Asserts that every element's children follow the XSD declaration order of its type. */
function expectXsdOrder(xml: string): void {
  const visit = (node: Node, type: string, path: string) => {
    if (isSimpleType(type) || type === 'any') return;
    const model = complexType(type).model;
    const children = (node[nameOf(node)!] as Node[]).filter((c) => nameOf(c));
    let lastIndex = -1;
    for (const child of children) {
      const name = nameOf(child)!;
      const index = model.elements.findIndex((e) => e.name === name);
      expect(index, `${path}/${name} is declared in ${type}`).toBeGreaterThanOrEqual(0);
      if (!model.list) expect(index, `${path}/${name} comes in XSD order`).toBeGreaterThanOrEqual(lastIndex);
      lastIndex = index;
      visit(child, model.elements[index]!.type, `${path}/${name}`);
    }
  };
  const root = (genericParser.parse(xml) as Node[]).find((n) => nameOf(n))!;
  visit(root, rootByName.get(nameOf(root)!)!.type, nameOf(root)!);
}

describe('the seed documents', () => {
  it('hold the examples the tests rely on', () => {
    expect(examples.length).toBeGreaterThanOrEqual(30);
    expect(requests.map((e) => e.id)).toEqual([
      '000#1',
      '001#1',
      '002#1',
      '003#5',
      '003#6',
      '003#10',
      '004#7',
      '004#9',
      '004#11',
    ]);
  });

  it.each(examples.map((e) => [e.id, e.root, e]))('%s <%s> parses', (_id, root, example) => {
    const document = parseConcurXml(example.xml);
    expect(Object.keys(document)).toEqual([root.charAt(0).toLowerCase() + root.slice(1)]);
  });

  it.each(requests.map((e) => [e.id, e]))(
    'request %s: parse then translate gives the original, in XSD order',
    (_id, example) => {
      const xml = buildConcurXml(parseConcurXml(example.xml));
      expect(xmlLeaves(xml)).toEqual(xmlLeaves(example.xml));
      expectXsdOrder(xml);
    },
  );

  it('accepts every request example: TMC examples as TMC documents, TripLink ones in the TripLink profile', () => {
    const needsTripLink: string[] = [];
    for (const example of requests) {
      const document = parseConcurXml(example.xml) as { booking?: unknown; itinerary?: unknown };
      const validate = (profile: 'tmc' | 'triplink') =>
        document.booking
          ? validateBooking(document.booking, profile)
          : validateItinerary(document.itinerary, profile);
      if (!validate('tmc').success) needsTripLink.push(example.id);
      expect(validate('triplink').success, example.id).toBe(true);
    }
    // The TripLink examples: seed 000's car without vendor and confirmation, seed 002's (and 004's copy of it)
    // trip with TripStatus HK and TimeZoneId Pacific.
    expect(needsTripLink).toEqual(['000#1', '002#1', '004#9']);
  });

  it('translates each request example through the validating translation too', () => {
    for (const example of requests) {
      const document = parseConcurXml(example.xml);
      const kind = 'booking' in document ? 'booking' : 'trip';
      const profile = ['000#1', '002#1', '004#9'].includes(example.id) ? 'triplink' : 'tmc';
      expect(xmlLeaves(translateToConcurXml(kind, document, { profile }))).toEqual(xmlLeaves(example.xml));
    }
  });
});

describe('the JSON form of the seed responses', () => {
  it('gives trip lists as arrays, with and without paging', () => {
    const list = byId('003#1');
    expect(list.itineraryInfoList).toHaveLength(2);
    expect(list.itineraryInfoList[0]).toMatchObject({
      tripId: 'naIzQJ0y2DBWjCIQOb2SHTsozwBsHDkdP',
      startDateLocal: '2012-02-15T09:00:00',
      userLoginId: 'cm@example.com',
    });
    const paged = byId('004#4');
    expect(paged.connectResponse.metadata.paging).toMatchObject({
      totalPages: 38,
      totalItems: 187,
      currentPage: 2,
      itemsPerPage: 2,
    });
    expect(paged.connectResponse.data.itineraryInfoList).toHaveLength(2);
    // Seed 003 writes the same page with raw & in its URLs; it is read as text all the same.
    expect(byId('003#2').connectResponse.metadata.paging.nextPageURL).toContain('itemsPerPage=5&page=1');
  });

  it('gives segments and charges as kind-tagged arrays, nil as null and empty elements as ""', () => {
    const car = byId('001#3').car;
    expect(car.timeZoneId).toBeNull();
    expect(car.frequentTravelerId).toBe('');
    expect(car.numCars).toBe(1);
    expect(car.charges.map((c: { kind: string }) => c.kind)).toEqual(['fixed', 'rateWithAllowance']);
    expect(car.charges[1]).toMatchObject({ amount: 44, allowanceIsUnlimited: false, numUnits: 1 });
    expect(car.remarks).toEqual([]);
    expect(car.perDiemLocation).toBe('');
  });

  it('reads a trip cancel answer as a trip whose bookings have no segments', () => {
    const cancelled = byId('002#3').itinerary;
    expect(cancelled.bookings).toHaveLength(2);
    for (const booking of cancelled.bookings) expect(booking.segments).toEqual([]);
  });

  it('reads a booking that stands directly under the trip as one of its bookings', () => {
    const trip = byId('000#2').itinerary;
    expect(trip.bookings).toHaveLength(1);
    expect(trip.bookings[0]).toMatchObject({ recordLocator: 'PANAMA50', bookingSource: 'Alamo' });
  });

  it('reads the TripIt format', () => {
    const tripIt = byId('004#6').response;
    expect(tripIt.trip).toMatchObject({ id: '73014481752', display_name: 'Strategy Team meeting' });
    expect(tripIt.airObject[0].segment).toHaveLength(2);
    expect(tripIt.airObject[0].segment[0].startDateTime).toEqual({ date: '2013-08-21', time: '07:45:00' });
    expect(tripIt.airObject[0].traveler[0].first_name).toBe('William');
  });

  it('reads agency proposals with their custom attributes', () => {
    const proposal = byId('003#6').itinerary;
    expect(proposal.tripStatus).toBe(7);
    expect(proposal.customAttributes[0]).toEqual({
      externalId: '',
      dataType: 'Numeric',
      name: 'ProposalBatchSize',
      displayTitle: '',
      data: '3',
      displayOnItinerary: true,
    });
  });

  it('reads the cancel and error answers Concur sends', () => {
    expect(parseConcurXml('<Message>Cancelled Successfully</Message>')).toEqual({
      message: 'Cancelled Successfully',
    });
    expect(parseConcurXml('<Status>NotFound</Status>')).toEqual({ status: 'NotFound' });
    expect(
      parseConcurXml(
        '<Error><Message>Booking not found</Message><Server-Time>2024-01-01T00:00:00</Server-Time><Id>AB12</Id></Error>',
      ),
    ).toEqual({ error: { message: 'Booking not found', 'server-Time': '2024-01-01T00:00:00', id: 'AB12' } });
  });
});
