import { describe, expect, it } from 'vitest';
import {
  ConcurDocumentError,
  buildConcurXml,
  parseConcurXml,
  translateToConcurXml,
} from '../../shared/concur';

const booking = (fields: Record<string, unknown> = {}) => ({
  booking: {
    bookingSource: 'Alamo',
    recordLocator: 'PANAMA50',
    passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
    segments: [
      {
        kind: 'car',
        vendor: 'AL',
        confirmationNumber: 'F16726AIUS',
        startDateLocal: '2013-12-21T12:00:00',
        endDateLocal: '2013-12-23T12:00:00',
      },
    ],
    ...fields,
  },
});

function problemsOf(action: () => unknown): { path: string; message: string }[] {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(ConcurDocumentError);
    return [...(error as ConcurDocumentError).problems];
  }
  throw new Error('expected the document to be refused');
}

describe('a bad request document gets a clear error naming each field', () => {
  it('the good document it is varied from is accepted', () => {
    expect(translateToConcurXml('booking', booking())).toContain('<RecordLocator>PANAMA50</RecordLocator>');
  });

  it.each([
    [
      'a missing required element',
      booking({ bookingSource: undefined }),
      'booking.bookingSource',
      'is required',
    ],
    ['a null required element', booking({ recordLocator: null }), 'booking.recordLocator', 'is required'],
    [
      'a missing passenger name',
      booking({ passengers: [{ nameFirst: 'Chris' }] }),
      'booking.passengers[0].nameLast',
      'is required',
    ],
    [
      'a missing segment core element',
      booking({ segments: [{ kind: 'air', vendor: 'AA' }] }),
      'booking.segments[0].flightNumber',
      'is required',
    ],
    ['an over-long value', booking({ bookingSource: 'x'.repeat(33) }), 'booking.bookingSource', 'at most 32'],
    [
      'an over-long value counted in characters',
      booking({ passengers: [{ nameFirst: '😀'.repeat(51), nameLast: 'M' }] }),
      'booking.passengers[0].nameFirst',
      'at most 50',
    ],
    [
      'a date without time',
      booking({ dateBookedLocal: '2013-11-10' }),
      'booking.dateBookedLocal',
      'YYYY-MM-DDThh:mm:ss',
    ],
    [
      'an impossible date',
      booking({ dateBookedLocal: '2013-02-30T10:00:00' }),
      'booking.dateBookedLocal',
      'YYYY-MM-DDThh:mm:ss',
    ],
    [
      'a date with an offset',
      booking({ dateBookedLocal: '2013-11-10T13:01:00Z' }),
      'booking.dateBookedLocal',
      'YYYY',
    ],
    ['an unknown key', booking({ confirmation: 'X' }), 'booking.confirmation', 'unknown key'],
    [
      'an unknown key in a segment',
      booking({ segments: [{ kind: 'car', vendor: 'AL', colour: 'red' }] }),
      'booking.segments[0].colour',
      'unknown key',
    ],
    [
      'an unknown segment kind',
      booking({ segments: [{ kind: 'boat' }] }),
      'booking.segments[0].kind',
      '"car"',
    ],
    [
      'a value outside the enumeration',
      booking({ bookingReferrer: 'Fax' }),
      'booking.bookingReferrer',
      'one of',
    ],
    [
      'a value against the pattern',
      booking({ segments: [{ kind: 'hotel', status: 'HKK' }] }),
      'booking.segments[0].status',
      'pattern',
    ],
    [
      'a string where a number belongs',
      booking({ passengerCount: 'two' }),
      'booking.passengerCount',
      'integer',
    ],
    [
      'a fraction where an integer belongs',
      booking({ passengerCount: 1.5 }),
      'booking.passengerCount',
      'integer',
    ],
    [
      'a list that is not an array',
      booking({ passengers: { nameFirst: 'A' } }),
      'booking.passengers',
      'array',
    ],
    [
      'a character XML 1.0 forbids',
      booking({ passengers: [{ nameFirst: 'Ch\u0000ris', nameLast: 'Miller' }] }),
      'booking.passengers[0].nameFirst',
      'U+0000',
    ],
    [
      'a lone surrogate',
      booking({ formOfPaymentName: 'card \uD800' }),
      'booking.formOfPaymentName',
      'U+D800',
    ],
    ['a document with the wrong root', { itinerary: { tripName: 'x' } }, '', 'single key "booking"'],
    ['a document that is an array', [booking()], '', 'single key "booking"'],
  ])('%s', (_case, document, path, message) => {
    const problems = problemsOf(() => translateToConcurXml('booking', document));
    expect(problems).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(() =>
      translateToConcurXml('booking', { booking: { recordLocator: 'x'.repeat(51), extra: 1 } }),
    );
    expect(problems.map((p) => p.path).sort()).toEqual([
      'booking.bookingSource',
      'booking.extra',
      'booking.recordLocator',
    ]);
  });

  it('refuses TripLink-only liberties in the TMC profile and accepts them in the TripLink profile', () => {
    const trip = { itinerary: { tripName: 'Seattle', tripStatus: 'HK' } };
    expect(problemsOf(() => translateToConcurXml('trip', trip))).toContainEqual({
      path: 'itinerary.tripStatus',
      message: expect.stringContaining('integer'),
    });
    expect(translateToConcurXml('trip', trip, { profile: 'triplink' })).toContain(
      '<TripStatus>HK</TripStatus>',
    );
  });

  it.each([
    [{ tripStatus: 4 }, 'itinerary.tripStatus', 'one of 0, 1, 2, 6, 7'],
    [{ tripStatus: 6 }, 'itinerary.clientLocator', 'agency proposal'],
    [
      { tripStatus: 7, clientLocator: 'A', travelRequestId: '1' },
      'itinerary.customAttributes',
      'agency proposal',
    ],
    [
      {
        tripStatus: 7,
        clientLocator: 'A',
        travelRequestId: '1',
        customAttributes: [
          { name: 'ProposalBatchSize', dataType: 'Numeric', data: '4' },
          { name: 'ProposalSequenceIndex', dataType: 'Numeric', data: '1' },
        ],
      },
      'itinerary.customAttributes[0].data',
      '1, 2 or 3',
    ],
    [
      {
        tripStatus: 6,
        clientLocator: 'A',
        travelRequestId: '1',
        customAttributes: [
          { name: 'ProposalBatchSize', data: '2' },
          { name: 'ProposalSequenceIndex', data: '3' },
        ],
      },
      'itinerary.customAttributes[1].data',
      'exceed',
    ],
  ])('a trip status the seeds do not define, or a proposal without its data: %j', (fields, path, message) => {
    const problems = problemsOf(() =>
      translateToConcurXml('trip', { itinerary: { tripName: 'P', ...fields } }),
    );
    expect(problems).toContainEqual({ path, message: expect.stringContaining(message) });
  });

  it('the builder itself refuses unknown keys and forbidden characters, never dropping them', () => {
    const problems = problemsOf(() =>
      buildConcurXml({
        booking: { recordLocator: 'A\u0007', unknownThing: 'x', segments: [{ kind: 'car', x: 1 }] },
      }),
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        { path: 'booking.unknownThing', message: 'unknown key "unknownThing"' },
        { path: 'booking.segments[0].x', message: 'unknown key "x"' },
        { path: 'booking.recordLocator', message: expect.stringContaining('U+0007') },
      ]),
    );
  });
});

describe('bad or hostile XML gets a clear error and never crashes', () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Booking><RecordLocator>&lol3;</RecordLocator></Booking>`;
  const externalEntity = `<?xml version="1.0"?><!DOCTYPE b [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Booking><RecordLocator>&xxe;</RecordLocator></Booking>`;
  const deep = `<Itinerary>${'<Bookings><Booking>'.repeat(5000)}${'</Booking></Bookings>'.repeat(5000)}</Itinerary>`;

  it.each([
    ['an entity bomb', billionLaughs, 'DOCTYPE'],
    ['an external entity', externalEntity, 'DOCTYPE'],
    [
      'an undeclared entity reference',
      '<Booking><RecordLocator>&xxe;</RecordLocator></Booking>',
      'undeclared entity',
    ],
    ['deep nesting', deep, 'deeper than'],
    [
      'a document over the size limit',
      `<Booking><Source>${'x'.repeat(6 * 1024 * 1024)}</Source></Booking>`,
      'bytes',
    ],
    ['an unclosed element', '<Booking><RecordLocator>X</Booking>', 'not well-formed'],
    ['not XML at all', '{"booking": {}}', 'not well-formed'],
    ['an empty body', '   ', 'empty'],
    ['two roots', '<Message>a</Message><Message>b</Message>', 'not well-formed'],
    ['an unknown root', '<Trip><Name>x</Name></Trip>', 'unknown root element <Trip>'],
    ['an unknown element', '<Booking><Colour>red</Colour></Booking>', 'unknown element <Colour>'],
    [
      'text where a number belongs',
      '<Booking><PassengerCount>two</PassengerCount></Booking>',
      'expected an integer',
    ],
    ['a bad boolean', '<Itinerary><IsPersonal>maybe</IsPersonal></Itinerary>', 'expected true or false'],
    ['an unknown segment', '<Booking><Segments><Boat/></Segments></Booking>', 'unknown element <Boat>'],
    [
      'a repeated single element',
      '<Booking><RecordLocator>A</RecordLocator><RecordLocator>B</RecordLocator></Booking>',
      'more than once',
    ],
    ['an out-of-range character reference', '<Message>&#x110000;</Message>', 'out of range'],
    ['a forbidden character reference', '<Message>&#0;</Message>', 'not allowed'],
  ])('%s', (_case, xml, message) => {
    const problems = problemsOf(() => parseConcurXml(xml));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.map((p) => p.message).join('\n')).toContain(message);
  });

  it('names the JSON path of an element it cannot read', () => {
    const problems = problemsOf(() =>
      parseConcurXml('<Booking><Segments><Car><NumCars>lots</NumCars></Car></Segments></Booking>'),
    );
    expect(problems).toEqual([
      { path: 'booking.segments[0].numCars', message: 'expected an integer, got "lots"' },
    ]);
  });

  it('decodes the predefined entities, character references and CDATA', () => {
    expect(
      parseConcurXml('<Message>a &amp; b &lt;c&gt; &#169; &#x1F600; <![CDATA[<raw> &amp;]]></Message>'),
    ).toEqual({
      message: 'a & b <c> © 😀 <raw> &amp;',
    });
  });
});
