/**
 * The compact form in which `model.generated.ts` stores the Concur model, decoded once at import. It keeps the
 * model small in every Lambda bundle, where it would otherwise be the largest piece of the gateway's own code.
 *
 * - A complex type is keyed by its name, with `[]` appended for a list wrapper. Its elements come in order, in
 *   strings of compact elements separated by spaces; an object between such strings holds the pattern,
 *   enumeration or text alternative of the element just before it.
 * - A compact element is its name, then `:`-separated tokens in this order, each only when it applies: the
 *   type (absent for `string`), `<n>` maxLength, `=<n>` length, `required` (xsdRequired), `repeated`, `seed`
 *   (source: 'seed'). For example `Fixed:FixedType`, `PassengerName:100`, `Format:1:required`.
 * - The aliases, which only a few types have, come beside the types.
 * - A root is `name:type`, or its model object when it has a namespace.
 *
 * Decoded elements carry their fields in the order above (the generator writes its model in that order too),
 * so the decoded model equals the generator's even in key order.
 */
import type { ComplexTypeModel, ElementModel, RootModel, SimpleTypeName } from './model-types';

/** What a compact element cannot say. */
export type RichFacets = Pick<ElementModel, 'pattern' | 'enumeration' | 'textAlternative'>;
export type EncodedComplexTypes = Readonly<Record<string, readonly (string | RichFacets)[]>>;
export type EncodedAliases = Readonly<Record<string, NonNullable<ComplexTypeModel['aliases']>>>;
export type EncodedRoot = string | RootModel;

const DEFAULT_TYPE: SimpleTypeName = 'string';
const LIST_SUFFIX = '[]';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The number a count token says (written as String writes it), else undefined. */
function countOf(token: string): number | undefined {
  const count = Number(token);
  return Number.isSafeInteger(count) && count >= 0 && String(count) === token ? count : undefined;
}

// The decoder runs over every element at each cold start, before V8 optimizes it: plain indexed loops, no
// destructuring or callbacks, which the interpreter makes several times slower.

export function decodeElement(encoded: string): ElementModel {
  const tokens = encoded.split(':');
  const element: Mutable<ElementModel> = { name: tokens[0]!, type: DEFAULT_TYPE };
  if (!element.name) throw new Error(`model element "${encoded}": no name`);
  let typed = false;
  for (let i = 1; i < tokens.length; i++) {
    const token = tokens[i]!;
    const maxLength = countOf(token);
    const length = token.startsWith('=') ? countOf(token.slice(1)) : undefined;
    if (maxLength !== undefined) element.maxLength = maxLength;
    else if (length !== undefined) element.length = length;
    else if (token === 'required') element.xsdRequired = true;
    else if (token === 'repeated') element.repeated = true;
    else if (token === 'seed') element.source = 'seed';
    else if (token === '' || typed)
      throw new Error(`model element "${encoded}": an empty token or a second type`);
    else {
      element.type = token;
      typed = true;
    }
  }
  return element;
}

export function decodeComplexTypes(
  types: EncodedComplexTypes,
  aliases: EncodedAliases,
): Readonly<Record<string, ComplexTypeModel>> {
  const decoded: [string, ComplexTypeModel][] = [];
  for (const key of Object.keys(types)) {
    const parts = types[key]!;
    const list = key.endsWith(LIST_SUFFIX);
    const name = list ? key.slice(0, -LIST_SUFFIX.length) : key;
    const elements: ElementModel[] = [];
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (typeof part === 'string') {
        const compact = part.split(' ');
        for (let j = 0; j < compact.length; j++) elements.push(decodeElement(compact[j]!));
      } else {
        const previous = elements.pop();
        if (!previous) throw new Error(`complex type ${name}: facets before any element`);
        elements.push({ ...previous, ...part });
      }
    }
    const typeAliases = Object.hasOwn(aliases, name) ? aliases[name] : undefined;
    decoded.push([name, typeAliases ? { list, elements, aliases: typeAliases } : { list, elements }]);
  }
  return Object.fromEntries(decoded);
}

export function decodeRoot(encoded: EncodedRoot): RootModel {
  if (typeof encoded !== 'string') return encoded;
  const parts = encoded.split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`model root "${encoded}": not name:type`);
  return { name: parts[0], type: parts[1] };
}

// Encoding: used by the generator (and the tests), left out of the bundles that only decode.

/** Every field of ElementModel, in the order the decoder gives them. */
export const elementKeys = (): (keyof ElementModel)[] =>
  Object.keys({
    name: true,
    type: true,
    maxLength: true,
    length: true,
    xsdRequired: true,
    repeated: true,
    source: true,
    pattern: true,
    enumeration: true,
    textAlternative: true,
  } satisfies Record<keyof ElementModel, true>) as (keyof ElementModel)[];

const isWord = (word: string): boolean => /^[^\s:]+$/.test(word);
const isCount = (value: number | undefined): boolean =>
  value === undefined || (Number.isSafeInteger(value) && value >= 0);

/** The element as a compact element plus, when it has any, the facets that form cannot say. */
export function encodeElement(element: ElementModel): { compact: string; rich?: RichFacets } {
  const {
    name,
    type,
    maxLength,
    length,
    xsdRequired,
    repeated,
    source,
    pattern,
    enumeration,
    textAlternative,
  } = element;
  const encodable =
    Object.keys(element).every((key) => (elementKeys() as string[]).includes(key)) &&
    isWord(name) &&
    isWord(type) &&
    // A type that would read as a count or a flag cannot be written.
    decodeElement(`${name}:${type}`).type === type &&
    isCount(maxLength) &&
    isCount(length) &&
    xsdRequired !== false &&
    repeated !== false;
  if (!encodable) throw new Error(`model element ${JSON.stringify(element)} has no compact form`);
  const compact = [
    name,
    ...(type === DEFAULT_TYPE ? [] : [type]),
    ...(maxLength === undefined ? [] : [String(maxLength)]),
    ...(length === undefined ? [] : [`=${length}`]),
    ...(xsdRequired ? ['required'] : []),
    ...(repeated ? ['repeated'] : []),
    ...(source === 'seed' ? ['seed'] : []),
  ].join(':');
  const rich: Mutable<RichFacets> = {};
  if (pattern !== undefined) rich.pattern = pattern;
  if (enumeration !== undefined) rich.enumeration = enumeration;
  if (textAlternative !== undefined) rich.textAlternative = textAlternative;
  return Object.keys(rich).length > 0 ? { compact, rich } : { compact };
}

export function encodeComplexTypes(types: Readonly<Record<string, ComplexTypeModel>>): {
  types: EncodedComplexTypes;
  aliases: EncodedAliases;
} {
  const entries = Object.entries(types);
  const encodedTypes = entries.map(([name, type]) => {
    if (name.endsWith(LIST_SUFFIX)) throw new Error(`complex type ${name}: its name ends like a list's key`);
    const parts: (string | RichFacets)[] = [];
    for (const element of type.elements) {
      const { compact, rich } = encodeElement(element);
      const last = parts.at(-1);
      if (typeof last === 'string') parts[parts.length - 1] = `${last} ${compact}`;
      else parts.push(compact);
      if (rich) parts.push(rich);
    }
    return [type.list ? `${name}${LIST_SUFFIX}` : name, parts];
  });
  const aliases = entries.flatMap(([name, type]) => (type.aliases ? [[name, type.aliases]] : []));
  return { types: Object.fromEntries(encodedTypes), aliases: Object.fromEntries(aliases) };
}

export function encodeRoot(root: RootModel): EncodedRoot {
  const plain =
    Object.keys(root).every((key) => key === 'name' || key === 'type') &&
    isWord(root.name) &&
    isWord(root.type);
  return plain ? `${root.name}:${root.type}` : root;
}
