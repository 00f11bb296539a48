/**
 * Lookups over the generated model, and the one naming rule of the JSON form: an element becomes a key with
 * only its first letter lower-cased (RecordLocator → recordLocator, ETicket → eTicket, id → id).
 */
import { complexTypes, rootElements } from './model.generated';
import type { ComplexTypeModel, ElementModel, RootModel, SimpleTypeName } from './model-types';

export const jsonKey = (elementName: string): string =>
  elementName.charAt(0).toLowerCase() + elementName.slice(1);

const SIMPLE: ReadonlySet<string> = new Set<SimpleTypeName>([
  'string',
  'integer',
  'long',
  'decimal',
  'double',
  'boolean',
  'dateTime',
  'unsignedByte',
  'anyURI',
]);

export const isSimpleType = (type: string): type is SimpleTypeName => SIMPLE.has(type);

export interface TypeIndex {
  readonly model: ComplexTypeModel;
  readonly byName: ReadonlyMap<string, ElementModel>;
  readonly byKey: ReadonlyMap<string, ElementModel>;
}

const indexes = new Map<string, TypeIndex>();

export function complexType(typeName: string): TypeIndex {
  let index = indexes.get(typeName);
  if (!index) {
    const model = complexTypes[typeName];
    if (!model) throw new Error(`unknown complex type ${typeName}`);
    index = {
      model,
      byName: new Map(model.elements.map((e) => [e.name, e])),
      byKey: new Map(model.elements.map((e) => [jsonKey(e.name), e])),
    };
    indexes.set(typeName, index);
  }
  return index;
}

export const rootByName: ReadonlyMap<string, RootModel> = new Map(rootElements.map((r) => [r.name, r]));
export const rootByKey: ReadonlyMap<string, RootModel> = new Map(
  rootElements.map((r) => [jsonKey(r.name), r]),
);

/** The complex types that are segments (children of a booking's Segments list). */
export const segmentTypes: readonly string[] = complexType(
  'BookingRecord_ArrayOfSegments',
).model.elements.map((e) => e.type);
