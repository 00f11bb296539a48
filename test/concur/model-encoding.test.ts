import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../scripts/generate-model';
import {
  decodeComplexTypes,
  decodeElement,
  decodeRoot,
  encodeComplexTypes,
  encodeElement,
  encodeRoot,
} from '../../shared/concur/model-encoding';
import { complexTypes, rootElements } from '../../shared/concur/model.generated';
import type { ComplexTypeModel, ElementModel } from '../../shared/concur/model-types';

const fromSchemas = buildModel();

describe('the compact form of the generated model', () => {
  it('decodes at import to exactly the model the generator derives from the XSDs, key order included', () => {
    expect(complexTypes).toStrictEqual(fromSchemas.types);
    expect(rootElements).toStrictEqual(fromSchemas.roots);
    expect(JSON.stringify(complexTypes)).toBe(JSON.stringify(fromSchemas.types));
    expect(JSON.stringify(rootElements)).toBe(JSON.stringify(fromSchemas.roots));
  });

  it('round-trips: decoding the encoded model gives the model, encoding the decoded form gives the form', () => {
    const encoded = encodeComplexTypes(fromSchemas.types);
    const decoded = decodeComplexTypes(encoded.types, encoded.aliases);
    expect(decoded).toStrictEqual(fromSchemas.types);
    expect(encodeComplexTypes(decoded)).toStrictEqual(encoded);

    const roots = fromSchemas.roots.map(encodeRoot);
    expect(roots.map(decodeRoot)).toStrictEqual(fromSchemas.roots);
    expect(roots.map(decodeRoot).map(encodeRoot)).toStrictEqual(roots);
  });

  it('keeps the rich facets, the list wrappers and the aliases', () => {
    const encoded = encodeComplexTypes(fromSchemas.types);
    expect(encoded.types.AirlineAdjustmentType?.slice(0, 2)).toEqual([
      'AddCollectAmount:decimal AdjustmentDateTime:dateTime AdjustmentDateTimeUTC:dateTime AdjustmentType:=1',
      { pattern: '[VCRAO]' },
    ]);
    expect(encoded.types['AirfareQuote_ArrayOfTaxes[]']).toEqual(['Tax:TaxType']);
    expect(Object.keys(encoded.aliases).sort()).toEqual(['ItineraryType', 'PassengerType']);
    expect(complexTypes.ItineraryType?.elements.find((e) => e.name === 'TripStatus')).toStrictEqual({
      name: 'TripStatus',
      type: 'unsignedByte',
      textAlternative: { pattern: '[A-Za-z0-9]{2}', maxLength: 2, profile: 'triplink' },
    });
  });

  it('round-trips any element whose name and type hold no separator', () => {
    const word = fc.stringMatching(/^[^\s:]{1,12}$/);
    const count = fc.nat({ max: 100_000 });
    const element: fc.Arbitrary<ElementModel> = fc.record(
      {
        name: word,
        type: fc.oneof(fc.constantFrom('string', 'decimal', 'any', 'FixedType'), word),
        maxLength: count,
        length: count,
        xsdRequired: fc.constant(true),
        repeated: fc.constant(true),
        source: fc.constant('seed' as const),
        pattern: fc.string(),
        enumeration: fc.array(fc.string(), { minLength: 1 }),
        textAlternative: fc.record({
          pattern: fc.string(),
          maxLength: count,
          profile: fc.constant('triplink' as const),
        }),
      },
      { requiredKeys: ['name', 'type'] },
    );
    // A type name that reads as a count or flag cannot be compact: the encoder refuses it (checked below).
    const compactType = (e: ElementModel) =>
      !/^=?\d+$/.test(e.type) && !['required', 'repeated', 'seed'].includes(e.type);
    const types = fc.dictionary(
      fc.stringMatching(/^[A-Za-z_]{1,10}$/),
      fc.record({
        list: fc.boolean(),
        elements: fc.array(element.filter(compactType), { minLength: 1, maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(types, (model: Record<string, ComplexTypeModel>) => {
        const encoded = encodeComplexTypes(model);
        const decoded = decodeComplexTypes(encoded.types, encoded.aliases);
        expect(decoded).toEqual(model);
        expect(encodeComplexTypes(decoded)).toStrictEqual(encoded);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses what it cannot say instead of writing a model that decodes to something else', () => {
    expect(() => encodeElement({ name: 'A:B', type: 'string' })).toThrow(/no compact form/);
    expect(() => encodeElement({ name: 'A B', type: 'string' })).toThrow(/no compact form/);
    expect(() => encodeElement({ name: 'A', type: '40' })).toThrow(/no compact form/);
    expect(() => encodeElement({ name: 'A', type: 'seed' })).toThrow(/no compact form/);
    expect(() => encodeElement({ name: 'A', type: 'string', maxLength: 1.5 })).toThrow(/no compact form/);
    expect(() => encodeElement({ name: 'A', type: 'string', xsdRequired: false })).toThrow(/no compact form/);
    expect(() => encodeComplexTypes({ 'A[]': { list: false, elements: [] } })).toThrow(/ends like a list/);
    expect(encodeRoot({ name: 'A', type: 'B', namespace: 'urn:x' })).toEqual({
      name: 'A',
      type: 'B',
      namespace: 'urn:x',
    });
  });

  it('refuses malformed compact text', () => {
    expect(() => decodeElement('')).toThrow(/no name|empty token/);
    expect(() => decodeElement('A::3')).toThrow(/no name|empty token/);
    expect(() => decodeElement('A:FixedType:decimal')).toThrow(/second type/);
    expect(() => decodeComplexTypes({ T: [{ pattern: 'x' }, 'A'] }, {})).toThrow(/facets before any element/);
    expect(() => decodeRoot('A')).toThrow(/not name:type/);
    expect(() => decodeRoot('A:B:C')).toThrow(/not name:type/);
    expect(decodeElement('Format:1:required')).toStrictEqual({
      name: 'Format',
      type: 'string',
      maxLength: 1,
      xsdRequired: true,
    });
  });
});
