/**
 * Concur XML → the JSON form, for every document Concur answers with (Itinerary, Booking, ItineraryInfoList,
 * ConnectResponse, the TripIt Response, segments, Error, Message, Status), with or without the trip namespace.
 *
 * Two readings: `parseConcurXml` is strict (requests: whatever the schema does not know is an error), and
 * `parseConcurAnswer` is lenient (Concur's answers carry elements its public XSD lacks, and more may appear):
 * an unknown element is kept under `unknownElements` of the object it appears in (see docs/json-form.md), a
 * value the schema would refuse is kept as its text, and each such place is reported, never failing the read.
 *
 * Hardened for XML from the network: no DOCTYPE, no entities beyond the five predefined ones and character
 * references, bounded size and depth, and every problem reported with its JSON path instead of a crash.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { formatPath } from '../problem';
import type { FieldProblem } from '../problem';
import { ConcurDocumentError } from './errors';
import type { ElementModel } from './model-types';
import { complexType, isSimpleType, jsonKey, rootByName } from './schema';
import { readSimpleValue } from './values';
import { decodeEntities } from './xml-text';

export interface ParseLimits {
  /** Largest document accepted, in UTF-8 bytes. */
  maxBytes: number;
  /** Deepest element nesting accepted. Concur's deepest documents nest about 10 levels. */
  maxDepth: number;
}

/**
 * Concur publishes no maximum size for an itinerary (it bounds each field, not how many bookings a trip holds),
 * so the bound is what the gateway could answer at all: Lambda's 6 MB synchronous payload. A trip's JSON form is
 * 40–60% of its XML, so every itinerary read within this bound can be given back.
 */
export const DEFAULT_PARSE_LIMITS: ParseLimits = { maxBytes: 6 * 1024 * 1024, maxDepth: 48 };

/** A parsed document: one key, the root element in the JSON form (`itinerary`, `booking`, …). */
export type ParsedDocument = Record<string, unknown>;

/** Key of the elements an answer carries that the schema does not know, in the object they appear in. */
export const UNKNOWN_ELEMENTS_KEY = 'unknownElements';

/** An element the schema does not know, as read: its text, or its child elements in the same form. */
export interface UnknownElement {
  name: string;
  value: string | null | UnknownElement[];
}

/** A leniently read answer, and the places where it went beyond the schema (paths only, never values). */
export interface LenientParse {
  document: ParsedDocument;
  beyondSchema: FieldProblem[];
}

type XmlNode = Record<string, unknown>;

const parserOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  cdataPropName: '#cdata',
  commentPropName: '#comment',
} as const;

const TEXT = '#text';
const CDATA = '#cdata';
const COMMENT = '#comment';
const ATTRIBUTES = ':@';

const BARE_AMPERSAND = /&(?![A-Za-z_][\w.-]*;|#[0-9]+;|#x[0-9a-fA-F]+;)/g;

/** One parser per depth limit: building one resolves its options anew, and parsing keeps no state in it. */
const parsers = new Map<number, XMLParser>();
function parserFor(maxDepth: number): XMLParser {
  let parser = parsers.get(maxDepth);
  if (!parser) {
    parser = new XMLParser({ ...parserOptions, maxNestedTags: maxDepth });
    parsers.set(maxDepth, parser);
  }
  return parser;
}

const malformed = (message: string): ConcurDocumentError =>
  new ConcurDocumentError('malformed-xml', message, [{ path: '', message }]);

export function parseConcurXml(xml: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): ParsedDocument {
  return parse(xml, limits, false).document;
}

/**
 * Reads an answer of Concur leniently (see above). Still refused: what is not well-formed XML, hostile XML, an
 * unknown root element, and documents beyond the limits.
 */
export function parseConcurAnswer(xml: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS): LenientParse {
  return parse(xml, limits, true);
}

function parse(xml: string, limits: ParseLimits, lenient: boolean): LenientParse {
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > limits.maxBytes)
    throw malformed(`document is ${bytes} bytes; at most ${limits.maxBytes} are accepted`);
  // A bare & that starts no reference is read as a literal & (seed 003's paging example has raw & in its URLs).
  const source = xml.replace(/^\uFEFF/, '').replace(BARE_AMPERSAND, '&amp;');
  if (/<!DOCTYPE/i.test(source) || /<!ENTITY/i.test(source)) {
    throw malformed('DOCTYPE and ENTITY declarations are not accepted');
  }
  if (source.trim() === '') throw malformed('document is empty');
  const validation = XMLValidator.validate(source);
  if (validation !== true) {
    const { msg, line, col } = validation.err;
    throw malformed(`not well-formed XML: ${msg} (line ${line}, column ${col})`);
  }
  let tree: XmlNode[];
  try {
    // The parser refuses nesting past maxNestedTags while it reads, before any deep tree exists.
    tree = parserFor(limits.maxDepth).parse(source) as XmlNode[];
  } catch (error) {
    const message = (error as Error).message;
    if (/nested tags/i.test(message)) throw malformed(`elements nest deeper than ${limits.maxDepth} levels`);
    throw malformed(`not well-formed XML: ${message}`);
  }

  const rootNodes = tree.filter((node) => elementName(node) !== undefined);
  if (rootNodes.length !== 1) throw malformed(`expected one root element, found ${rootNodes.length}`);
  const rootNode = rootNodes[0]!;
  const name = elementName(rootNode)!;
  const root = rootByName.get(name);
  if (!root)
    throw new ConcurDocumentError('invalid-document', `unknown root element <${name}>`, [
      { path: '', message: `unknown root element <${name}>` },
    ]);

  const reader = new DocumentReader(lenient);
  const key = jsonKey(name);
  const value = reader.read(rootNode, { name, type: root.type }, [key]);
  if (!lenient && reader.problems.length > 0) {
    throw new ConcurDocumentError(
      'invalid-document',
      `the <${name}> document does not match Concur's schema`,
      reader.problems,
    );
  }
  return { document: { [key]: value }, beyondSchema: reader.problems };
}

function hasElementChildren(node: XmlNode): boolean {
  const children = node[elementName(node)!] as XmlNode[];
  return children.some((child) => elementName(child) !== undefined);
}

function elementName(node: XmlNode): string | undefined {
  return Object.keys(node).find(
    (key) => key !== ATTRIBUTES && key !== TEXT && key !== CDATA && key !== COMMENT,
  );
}

/**
 * Walks the tree along the model. Strict, every departure is a problem and the caller fails; lenient, each
 * departure is still recorded as a problem but the reader keeps going and keeps what it found.
 */
class DocumentReader {
  readonly problems: FieldProblem[] = [];

  constructor(private readonly lenient: boolean) {}

  private problem(path: (string | number)[], message: string): undefined {
    this.problems.push({ path: formatPath(path), message });
    return undefined;
  }

  read(node: XmlNode, element: ElementModel, path: (string | number)[]): unknown {
    const name = elementName(node)!;
    const attributes = (node[ATTRIBUTES] as Record<string, string> | undefined) ?? {};
    if (attributes.nil === 'true' || attributes.nil === '1') return null;
    const children = node[name] as XmlNode[];
    if (isSimpleType(element.type)) {
      const text = this.text(children, path);
      if (text === undefined) return undefined;
      const result = readSimpleValue(element, text);
      if (!('error' in result)) return result.value;
      this.problem(path, result.error);
      // Lenient: a value beyond the schema (a new enumeration value, another number format) stays as sent.
      return this.lenient ? text : undefined;
    }
    if (element.type === 'any') return this.readAny(children, path);
    const type = complexType(element.type);
    return type.model.list
      ? this.readList(children, element.type, path)
      : this.readObject(children, element.type, path);
  }

  private text(children: XmlNode[], path: (string | number)[]): string | undefined {
    let text = '';
    for (const child of children) {
      if (TEXT in child) {
        try {
          text += decodeEntities(String(child[TEXT]));
        } catch (error) {
          return this.problem(path, (error as Error).message);
        }
      } else if (CDATA in child) {
        text += (child[CDATA] as XmlNode[]).map((c) => String(c[TEXT] ?? '')).join('');
      } else if (elementName(child) !== undefined) {
        return this.problem(path, `expected text, found element <${elementName(child)}>`);
      }
    }
    return text;
  }

  /** Element children of complex content; text other than whitespace between them is refused. */
  private elementChildren(children: XmlNode[], path: (string | number)[]): XmlNode[] {
    const elements: XmlNode[] = [];
    for (const child of children) {
      if (elementName(child) !== undefined) elements.push(child);
      else if ((TEXT in child && String(child[TEXT]).trim() !== '') || CDATA in child) {
        this.problem(path, 'unexpected text between elements');
      }
    }
    return elements;
  }

  private readObject(
    children: XmlNode[],
    typeName: string,
    path: (string | number)[],
  ): Record<string, unknown> {
    const type = complexType(typeName);
    const out: Record<string, unknown> = {};
    for (const child of this.elementChildren(children, path)) {
      const name = elementName(child)!;
      const alias = type.model.aliases?.[name];
      const element = type.byName.get(alias ? alias.element : name);
      if (!element) {
        this.problem(
          [...path, jsonKey(name)],
          `unknown element <${name}> in <${typeName.replace(/Type$/, '')}>`,
        );
        if (this.lenient) this.keepUnknown(out, child, path);
        continue;
      }
      const key = jsonKey(element.name);
      if (this.lenient && isSimpleType(element.type) && hasElementChildren(child)) {
        // A known name with unexpected structure: kept whole rather than half-read.
        this.problem([...path, key], `<${name}> has child elements where text was expected`);
        this.keepUnknown(out, child, path);
        continue;
      }
      if (alias?.as === 'item') {
        const items = (out[key] ??= []) as unknown[];
        const itemElement = complexType(element.type).model.elements[0]!;
        items.push(this.read(child, itemElement, [...path, key, items.length]));
      } else if (element.repeated) {
        const items = (out[key] ??= []) as unknown[];
        items.push(this.read(child, element, [...path, key, items.length]));
      } else if (key in out) {
        this.problem([...path, key], `<${name}> appears more than once`);
        if (this.lenient) this.keepUnknown(out, child, path);
      } else {
        out[key] = this.read(child, element, [...path, key]);
      }
    }
    return out;
  }

  private readList(children: XmlNode[], typeName: string, path: (string | number)[]): unknown[] {
    const type = complexType(typeName);
    const tagged = type.model.elements.length > 1;
    return this.elementChildren(children, path).map((child, index) => {
      const name = elementName(child)!;
      const itemPath = [...path, index];
      const element = type.byName.get(name);
      if (!element) {
        const allowed = type.model.elements.map((e) => `<${e.name}>`).join(', ');
        this.problem(itemPath, `unknown element <${name}>; expected ${allowed}`);
        // Lenient: an item of a kind the schema lacks (say, a new segment type) keeps its name and content.
        return this.lenient
          ? { kind: 'unknown', [UNKNOWN_ELEMENTS_KEY]: [this.unknownElement(child, itemPath)] }
          : undefined;
      }
      const value = this.read(child, element, itemPath);
      if (!tagged || value === null || value === undefined) return value;
      return { kind: jsonKey(name), ...(value as Record<string, unknown>) };
    });
  }

  private keepUnknown(out: Record<string, unknown>, child: XmlNode, path: (string | number)[]): void {
    const kept = (out[UNKNOWN_ELEMENTS_KEY] ??= []) as UnknownElement[];
    kept.push(this.unknownElement(child, [...path, UNKNOWN_ELEMENTS_KEY, kept.length]));
  }

  private unknownElement(child: XmlNode, path: (string | number)[]): UnknownElement {
    const [read] = this.readAny([child], path) as { name: string; value: unknown }[];
    return { name: read!.name, value: read!.value as UnknownElement['value'] };
  }

  private readAny(children: XmlNode[], path: (string | number)[]): unknown[] {
    return this.elementChildren(children, path).map((child, index) => {
      const name = elementName(child)!;
      const grandChildren = child[name] as XmlNode[];
      const hasElements = grandChildren.some((c) => elementName(c) !== undefined);
      const attributes = (child[ATTRIBUTES] as Record<string, string> | undefined) ?? {};
      if (attributes.nil === 'true') return { name, value: null };
      const value = hasElements
        ? this.readAny(grandChildren, [...path, index, 'value'])
        : this.text(grandChildren, [...path, index, 'value']);
      return { name, value: value ?? '' };
    });
  }
}
