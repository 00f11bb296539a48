/**
 * fast-check arbitraries of valid documents in the JSON form, derived from the generated model and the
 * request rules, so that property tests cover every element the model knows.
 */
import fc from 'fast-check';
import type { ElementModel, SimpleTypeName } from '../../shared/concur/model-types';
import { PROPOSAL_TRIP_STATUSES, TRIP_STATUSES, requiredElements } from '../../shared/concur/rules';
import { complexType, isSimpleType, jsonKey, segmentTypes } from '../../shared/concur/schema';

const DATE_TIME = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2040-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 19));

// Any text XML 1.0 can carry, including markup characters, quotes, CR and characters outside the BMP.
const XML_CHAR = fc.oneof(
  fc.constantFrom('&', '<', '>', '"', "'", '\r', '\n', '\t', ' ', 'é', '€', '😀'),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }),
);

function stringArbitrary(element: ElementModel): fc.Arbitrary<string> {
  if (element.enumeration) return fc.constantFrom(...element.enumeration);
  if (element.pattern) {
    const pattern = new RegExp(`^(?:${element.pattern})$`);
    const maxLength = element.length ?? element.maxLength ?? 40;
    const fits = (s: string) =>
      [...s].length <= maxLength && (element.length === undefined || [...s].length === element.length);
    return fc.stringMatching(pattern).filter(fits);
  }
  // Lengths count characters (code points), as XSD does.
  const maxLength = Math.min(element.length ?? element.maxLength ?? 40, 40);
  const minLength = element.length ?? 0;
  return fc.array(XML_CHAR, { minLength, maxLength }).map((chars) => chars.join(''));
}

function simpleArbitrary(element: ElementModel): fc.Arbitrary<unknown> {
  switch (element.type as SimpleTypeName) {
    case 'boolean':
      return fc.boolean();
    case 'dateTime':
      return DATE_TIME;
    case 'unsignedByte':
      return fc.integer({ min: 0, max: 255 });
    case 'integer':
    case 'long':
      return fc.integer({ min: -1_000_000_000, max: 1_000_000_000 });
    case 'decimal':
    case 'double':
      return fc
        .double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true })
        .filter((n) => !Object.is(n, -0));
    default:
      return stringArbitrary(element);
  }
}

const segmentTypeNames = new Set(segmentTypes);

export interface DocumentArbitraryOptions {
  /** How many levels of complex elements below the starting type are generated. */
  depth: number;
}

/** Values of one element; `forceKind` pins the kind of a multi-kind list item. */
export function elementArbitrary(element: ElementModel, depth: number): fc.Arbitrary<unknown> {
  if (isSimpleType(element.type)) return simpleArbitrary(element);
  if (element.type === 'any') {
    return fc.array(
      fc.record({
        name: fc.constantFrom('Warning', 'Note'),
        value: stringArbitrary({ name: 'x', type: 'string' }),
      }),
      { maxLength: 2 },
    );
  }
  const type = complexType(element.type);
  if (!type.model.list) return objectArbitrary(element.type, depth);
  const items = type.model.elements;
  if (items.length === 1) return fc.array(elementArbitrary(items[0]!, depth), { maxLength: 2 });
  return fc.array(fc.oneof(...items.map((item) => listItemArbitrary(item, depth))), { maxLength: 2 });
}

/** One item of a multi-kind list: `{ kind, …fields }`. */
export function listItemArbitrary(item: ElementModel, depth: number): fc.Arbitrary<Record<string, unknown>> {
  return objectArbitrary(item.type, depth).map((fields) => ({ kind: jsonKey(item.name), ...fields }));
}

export function objectArbitrary(typeName: string, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const required = new Set(requiredElements(typeName, 'tmc', segmentTypeNames.has(typeName)));
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  const requiredKeys: string[] = [];
  for (const element of complexType(typeName).model.elements) {
    const isComplex = !isSimpleType(element.type);
    if (isComplex && depth <= 0 && !required.has(element.name)) continue;
    const key = jsonKey(element.name);
    // Trip statuses are an enumeration in all but name; proposals need data of their own (tested from the seeds).
    let value =
      typeName === 'ItineraryType' && element.name === 'TripStatus'
        ? fc.constantFrom(...TRIP_STATUSES.filter((s) => !PROPOSAL_TRIP_STATUSES.includes(s)))
        : elementArbitrary(element, depth - 1);
    if (element.repeated) value = fc.array(value, { minLength: 1, maxLength: 2 });
    if (required.has(element.name)) {
      requiredKeys.push(key);
      // Required text must not be blank.
      if (element.type === 'string') value = value.filter((v) => typeof v !== 'string' || v.trim() !== '');
    }
    // Ids Concur finds bookings by: absent or empty, never spaces alone.
    if (element.name === 'ConfirmationNumber' || element.name === 'RecordLocator')
      value = value.filter((v) => typeof v !== 'string' || v === '' || v.trim() !== '');
    entries[key] = value;
  }
  return fc.record(entries, { requiredKeys });
}
