/**
 * Derives the Concur model from Concur's published schemas (schemas/concur/*.xsd) plus what Concur's examples add,
 * and writes shared/concur/model.generated.ts and shared/concur/types.generated.ts.
 *
 *   npm run generate:model            write the files
 *   npm run generate:model -- --check exit 1 when the checked-in files are stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { XMLParser } from 'fast-xml-parser';
import {
  decodeComplexTypes,
  decodeRoot,
  elementKeys,
  encodeComplexTypes,
  encodeRoot,
} from '../shared/concur/model-encoding';
import type * as ModelTypes from '../shared/concur/model-types';
import type { ComplexTypeModel, ElementModel, SimpleTypeName } from '../shared/concur/model-types';
import {
  aliases,
  elementSupplements,
  enumerationAdditions,
  roots,
  seedTypes,
  textAlternatives,
} from './model-supplements';

type RootModel = ModelTypes.RootModel;

type XsdNode = Record<string, unknown>;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultSchemaDir = resolve(repoRoot, 'schemas/concur');
const MODEL_FILE = resolve(repoRoot, 'shared/concur/model.generated.ts');
const TYPES_FILE = resolve(repoRoot, 'shared/concur/types.generated.ts');

const SIMPLE_TYPES: Record<string, SimpleTypeName> = {
  'xs:string': 'string',
  'xs:integer': 'integer',
  'xs:long': 'long',
  'xs:decimal': 'decimal',
  'xs:double': 'double',
  'xs:boolean': 'boolean',
  'xs:dateTime': 'dateTime',
  'xs:unsignedByte': 'unsignedByte',
  'xs:anyURI': 'anyURI',
};

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  processEntities: false,
  commentPropName: '#comment',
});

function readSchema(path: string): XsdNode[] {
  // The Itinerary XSD declares encoding="utf-16" although the file is ASCII; the declaration is dropped in memory.
  const source = readFileSync(path, 'utf8').replace(/^<\?xml[^?]*\?>/, '');
  const document = parser.parse(source) as XsdNode[];
  const schema = document.find((node) => 'xs:schema' in node);
  if (!schema) throw new Error(`${path}: no xs:schema element`);
  return schema['xs:schema'] as XsdNode[];
}

const tagOf = (node: XsdNode): string | undefined => Object.keys(node).find((key) => key !== ':@');
const attrsOf = (node: XsdNode): Record<string, string> => (node[':@'] as Record<string, string>) ?? {};
const childrenOf = (node: XsdNode): XsdNode[] => (node[tagOf(node) ?? ''] as XsdNode[]) ?? [];
const childrenNamed = (node: XsdNode, tag: string): XsdNode[] =>
  childrenOf(node).filter((c) => tagOf(c) === tag);

class ModelBuilder {
  readonly types = new Map<string, ComplexTypeModel>();
  private readonly globalElements = new Map<string, XsdNode>();
  private readonly globalElementTypes = new Map<string, string>();
  private readonly simpleTypes = new Map<string, XsdNode>();

  /** Registers a schema's global elements (for refs) and, unless `only` narrows them, all its named complex types. */
  addSchema(nodes: XsdNode[], only?: Record<string, string>): void {
    for (const node of nodes) {
      if (tagOf(node) === 'xs:element' && !this.globalElements.has(attrsOf(node).name!)) {
        this.globalElements.set(attrsOf(node).name!, node);
      }
      if (tagOf(node) === 'xs:simpleType') this.simpleTypes.set(attrsOf(node).name!, node);
    }
    for (const node of nodes) {
      if (tagOf(node) !== 'xs:complexType') continue;
      const name = attrsOf(node).name!;
      const modelName = only ? only[name] : name;
      if (modelName) this.types.set(modelName, this.complexType(node, modelName));
    }
  }

  /** Declares the anonymous complex type of a global element under a generated name. */
  addGlobalElementType(elementName: string, typeName: string): void {
    const node = this.globalElements.get(elementName);
    if (!node) throw new Error(`no global element ${elementName}`);
    const inline = childrenNamed(node, 'xs:complexType')[0];
    if (!inline) throw new Error(`global element ${elementName} has no inline complex type`);
    this.types.set(typeName, this.complexType(inline, typeName));
    this.globalElementTypes.set(elementName, typeName);
  }

  private complexType(node: XsdNode, typeName: string): ComplexTypeModel {
    const elements: ElementModel[] = [];
    const unbounded: boolean[] = [];
    const visit = (group: XsdNode): void => {
      for (const child of childrenOf(group)) {
        const tag = tagOf(child);
        if (tag === 'xs:choice' || tag === 'xs:sequence' || tag === 'xs:all') visit(child);
        else if (tag === 'xs:element') {
          elements.push(this.element(child, typeName));
          unbounded.push(attrsOf(child).maxOccurs === 'unbounded');
        } else if (tag === 'xs:any') {
          elements.push({ name: '*', type: 'any' });
          unbounded.push(true);
        }
      }
    };
    visit(node);
    const list = elements.length > 0 && unbounded.every(Boolean) && !elements.some((e) => e.type === 'any');
    if (!list) {
      // Outside list wrappers an unbounded element that is not itself a list wrapper repeats bare: a JSON array.
      elements.forEach((element, i) => {
        if (unbounded[i] && element.type !== 'any' && !this.isListType(element.type)) {
          elements[i] = { ...element, repeated: true };
        }
      });
    }
    return { list, elements };
  }

  private isListType(typeName: string): boolean {
    // Wrapper types are declared as *_ArrayOf*; checked by name because the referenced type may come later.
    return /_ArrayOf/.test(typeName);
  }

  private element(node: XsdNode, ownerType: string): ElementModel {
    const attrs = attrsOf(node);
    if (attrs.ref) {
      const named = this.globalElementTypes.get(attrs.ref);
      if (named) return { name: attrs.ref, type: named };
      const target = this.globalElements.get(attrs.ref);
      if (!target) throw new Error(`${ownerType}: unresolved ref ${attrs.ref}`);
      return this.element(target, ownerType);
    }
    const name = attrs.name!;
    const base: { name: string; xsdRequired?: boolean } =
      attrs.minOccurs === '1' ? { name, xsdRequired: true } : { name };
    if (attrs.type) {
      const simple = SIMPLE_TYPES[attrs.type];
      if (simple) return { ...base, type: simple };
      const typeName = attrs.type.replace(/^tns:/, '');
      const namedSimple = this.simpleTypes.get(typeName);
      if (namedSimple) return { ...base, ...this.restriction(namedSimple, `${ownerType}.${name}`) };
      return { ...base, type: typeName };
    }
    const inlineSimple = childrenNamed(node, 'xs:simpleType')[0];
    if (inlineSimple) return { ...base, ...this.restriction(inlineSimple, `${ownerType}.${name}`) };
    const inlineComplex = childrenNamed(node, 'xs:complexType')[0];
    if (inlineComplex) {
      const anonymousName = `${ownerType.replace(/Type$/, '')}_${name}`;
      const model = this.complexType(inlineComplex, anonymousName);
      if (model.elements.length === 1 && model.elements[0]!.type === 'any') return { ...base, type: 'any' };
      this.types.set(anonymousName, model);
      return { ...base, type: anonymousName };
    }
    // An element with neither type nor content is xs:anyType: text is all the seeds ever put there.
    return { ...base, type: 'string' };
  }

  private restriction(simpleType: XsdNode, where: string): Omit<ElementModel, 'name'> {
    const restriction = childrenNamed(simpleType, 'xs:restriction')[0];
    if (!restriction) throw new Error(`${where}: simpleType without restriction`);
    const baseType = SIMPLE_TYPES[attrsOf(restriction).base ?? ''];
    if (!baseType) throw new Error(`${where}: unknown base ${attrsOf(restriction).base}`);
    const facets: { maxLength?: number; length?: number; pattern?: string; enumeration?: string[] } = {};
    for (const facet of childrenOf(restriction)) {
      const value = attrsOf(facet).value ?? '';
      switch (tagOf(facet)) {
        case 'xs:maxLength':
          facets.maxLength = Number(value);
          break;
        case 'xs:length':
          facets.length = Number(value);
          break;
        case 'xs:pattern':
          // XSD patterns always match whole values; a leading ^ / trailing $ in the schema means the same.
          facets.pattern = value.replace(/^\^/, '').replace(/\$$/, '');
          break;
        case 'xs:enumeration':
          (facets.enumeration ??= []).push(value);
          break;
        default:
          break;
      }
    }
    return { type: baseType, ...facets };
  }
}

export interface GeneratedModel {
  types: Record<string, ComplexTypeModel>;
  roots: RootModel[];
}

export function buildModel(schemaDir: string = defaultSchemaDir): GeneratedModel {
  const builder = new ModelBuilder();
  builder.addSchema(readSchema(resolve(schemaDir, 'ItinServices_Public_0.xsd')));
  builder.addSchema(readSchema(resolve(schemaDir, 'GetListOfItinerariesImport_v1_1.xsd')));
  builder.addGlobalElementType('ItineraryInfoList', 'ItineraryInfoListType');
  // From the root schema only the paging envelope: its ItineraryInfoListType merely re-wraps the import's list.
  builder.addSchema(readSchema(resolve(schemaDir, 'GetListOfItinerariesRoot_v1_1.xsd')), {
    ConnectResponseWithMetaDataType: 'ConnectResponseType',
  });

  const types = Object.fromEntries(builder.types) as Record<string, ComplexTypeModel>;

  for (const supplement of elementSupplements) {
    const type = types[supplement.type];
    if (!type) throw new Error(`supplement for unknown type ${supplement.type}`);
    const elements = [...type.elements];
    const at = supplement.after === null ? 0 : elements.findIndex((e) => e.name === supplement.after) + 1;
    if (at === 0 && supplement.after !== null)
      throw new Error(`${supplement.type} has no ${supplement.after}`);
    elements.splice(at, 0, supplement.element);
    types[supplement.type] = { ...type, elements };
  }

  const segmentTypes = types.BookingRecord_ArrayOfSegments!.elements.map((e) => e.type);
  for (const { type, element, alternative } of textAlternatives) {
    for (const typeName of type === '*segment' ? segmentTypes : [type]) {
      const model = types[typeName]!;
      const elements = model.elements.map((e) =>
        e.name === element ? { ...e, textAlternative: alternative } : e,
      );
      if (elements.every((e) => e.name !== element)) throw new Error(`${typeName} has no ${element}`);
      types[typeName] = { ...model, elements };
    }
  }

  for (const { type, element, values } of enumerationAdditions) {
    const model = types[type]!;
    const elements = model.elements.map((e) =>
      e.name === element ? { ...e, enumeration: [...(e.enumeration ?? []), ...values] } : e,
    );
    types[type] = { ...model, elements };
  }

  for (const { type, alias, element, as } of aliases) {
    const model = types[type]!;
    types[type] = { ...model, aliases: { ...model.aliases, [alias]: { element, as } } };
  }

  Object.assign(types, seedTypes);

  const segmentRoots: RootModel[] = types.BookingRecord_ArrayOfSegments!.elements.map((e) => ({
    name: e.name,
    type: e.type,
  }));
  const allRoots = [...roots, ...segmentRoots];

  const sorted = Object.fromEntries(
    Object.entries(types)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, type]) => [name, { ...type, elements: type.elements.map(canonicalElement) }]),
  );
  verifyReferences(sorted, allRoots);
  return { types: sorted, roots: allRoots };
}

/** The element's fields in the order the compact form decodes to, whichever step added them. */
function canonicalElement(element: ElementModel): ElementModel {
  return Object.fromEntries(
    elementKeys()
      .filter((key) => element[key] !== undefined)
      .map((key) => [key, element[key]]),
  ) as unknown as ElementModel;
}

function verifyReferences(types: Record<string, ComplexTypeModel>, rootModels: RootModel[]): void {
  const known = (type: string) =>
    type in types || Object.values(SIMPLE_TYPES).includes(type as never) || type === 'any';
  for (const [name, model] of Object.entries(types)) {
    for (const element of model.elements) {
      if (!known(element.type)) throw new Error(`${name}.${element.name}: unknown type ${element.type}`);
    }
  }
  for (const root of rootModels)
    if (!known(root.type)) throw new Error(`root ${root.name}: unknown type ${root.type}`);
}

const HEADER = `// Generated by scripts/generate-model.ts from Concur's Itinerary XSDs and the seed supplements. Do not edit.\n`;

export function renderModel(model: GeneratedModel): string {
  const encoded = encodeComplexTypes(model.types);
  const roots = model.roots.map(encodeRoot);
  // The generated file must say exactly this model: a form that does not decode back to it is a bug here.
  if (
    !isDeepStrictEqual(decodeComplexTypes(encoded.types, encoded.aliases), model.types) ||
    !isDeepStrictEqual(roots.map(decodeRoot), model.roots)
  )
    throw new Error('the compact form of the model does not decode to the model');
  const literal = (value: unknown) => JSON.stringify(value, null, 2).replace(/\n/g, '\n  ');
  return `${HEADER}import { decodeComplexTypes, decodeRoot } from './model-encoding';
import type { ComplexTypeModel, RootModel } from './model-types';

export const complexTypes: Readonly<Record<string, ComplexTypeModel>> = decodeComplexTypes(
  ${literal(encoded.types)},
  ${literal(encoded.aliases)},
);

export const rootElements: readonly RootModel[] = ${JSON.stringify(roots, null, 2)}.map(decodeRoot);
`;
}

const TS_SIMPLE: Record<SimpleTypeName, string> = {
  string: 'string',
  integer: 'number',
  long: 'number',
  decimal: 'number',
  double: 'number',
  boolean: 'boolean',
  dateTime: 'string',
  unsignedByte: 'number',
  anyURI: 'string',
};

export const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const interfaceName = (typeName: string): string => typeName.replace(/Type$/, '');

/** TypeScript interfaces of the JSON form, so code that handles documents is checked against the schema. */
export function renderTypes(model: GeneratedModel): string {
  const valueType = (element: ElementModel): string => {
    if (element.type === 'any') return 'AnyContent[]';
    const simple = TS_SIMPLE[element.type as SimpleTypeName];
    if (simple) return element.textAlternative ? `${simple} | string` : simple;
    return typeExpression(element.type);
  };
  const typeExpression = (typeName: string): string => {
    const type = model.types[typeName]!;
    if (!type.list) return interfaceName(typeName);
    if (type.elements.length === 1) return `(${valueType(type.elements[0]!)} | null)[]`;
    return `(${interfaceName(typeName)}Item | null)[]`;
  };
  const out: string[] = [
    HEADER,
    '/** Content of an xs:any element: elements the schema leaves open, kept by name in document order. */',
    'export interface AnyContent {\n  name: string;\n  value: string | null | AnyContent[];\n}\n',
  ];
  for (const [typeName, type] of Object.entries(model.types)) {
    if (type.list) {
      if (type.elements.length > 1) {
        const variants = type.elements.map(
          (e) =>
            `({ kind: '${lowerFirst(e.name)}' } & ${TS_SIMPLE[e.type as SimpleTypeName] ?? interfaceName(e.type)})`,
        );
        out.push(`export type ${interfaceName(typeName)}Item =\n  | ${variants.join('\n  | ')};\n`);
      }
      continue;
    }
    const fields = type.elements.map((element) => {
      const value = element.repeated ? `(${valueType(element)} | null)[]` : valueType(element);
      return `  ${JSON.stringify(lowerFirst(element.name))}?: ${value} | null;`;
    });
    out.push(`export interface ${interfaceName(typeName)} {\n${fields.join('\n')}\n}\n`);
  }
  return out.join('\n');
}

export function generatedFiles(schemaDir?: string): { path: string; content: string }[] {
  const model = buildModel(schemaDir);
  return [
    { path: MODEL_FILE, content: renderModel(model) },
    { path: TYPES_FILE, content: renderTypes(model) },
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const file of generatedFiles()) {
    let current = '';
    try {
      current = readFileSync(file.path, 'utf8');
    } catch {
      current = '';
    }
    if (current === file.content) continue;
    stale = true;
    if (!check) writeFileSync(file.path, file.content);
    console.log(`${check ? 'stale' : 'wrote'} ${file.path}`);
  }
  if (check && stale) process.exit(1);
}
