/**
 * The JSON form → Concur XML. Elements come out in XSD declaration order whatever the key order, null and
 * absent keys are omitted, text is escaped, and characters XML 1.0 cannot carry are refused with their path.
 */
import { formatPath } from '../problem';
import type { FieldProblem } from '../problem';
import { ConcurDocumentError } from './errors';
import type { ElementModel } from './model-types';
import { complexType, isSimpleType, jsonKey, rootByKey } from './schema';
import { writeSimpleValue } from './values';
import type { SimpleValue } from './values';
import { describeCharacter, escapeXml, forbiddenXmlCharacter } from './xml-text';

export interface BuildOptions {
  /** Indent nested elements with two spaces per level (for people); compact by default (for the wire). */
  pretty?: boolean;
}

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Builds the XML of a document in the JSON form: `{ "booking": {…} }`, `{ "itinerary": {…} }`, … */
export function buildConcurXml(document: Record<string, unknown>, options: BuildOptions = {}): string {
  const keys = Object.keys(document);
  if (keys.length !== 1) {
    const message = `expected one root key such as "booking" or "itinerary", found ${keys.length === 0 ? 'none' : keys.map((k) => `"${k}"`).join(', ')}`;
    throw new ConcurDocumentError('invalid-document', message, [{ path: '', message }]);
  }
  const key = keys[0]!;
  const root = rootByKey.get(key);
  if (!root) {
    const message = `unknown document root "${key}"`;
    throw new ConcurDocumentError('invalid-document', message, [{ path: key, message }]);
  }
  const writer = new XmlWriter(options.pretty ?? false);
  const value = document[key];
  if (value === null || value === undefined) {
    const message = 'the document is empty';
    throw new ConcurDocumentError('invalid-document', message, [{ path: key, message }]);
  }
  writer.element({ name: root.name, type: root.type }, value, [key], 0, root.namespace);
  if (writer.problems.length > 0) {
    throw new ConcurDocumentError(
      'invalid-document',
      `the ${key} cannot be written as Concur XML`,
      writer.problems,
    );
  }
  return `${XML_DECLARATION}${options.pretty ? '\n' : ''}${writer.output()}`;
}

class XmlWriter {
  readonly problems: FieldProblem[] = [];
  private readonly parts: string[] = [];

  constructor(private readonly pretty: boolean) {}

  output(): string {
    return this.parts.join('');
  }

  private problem(path: (string | number)[], message: string): void {
    this.problems.push({ path: formatPath(path), message });
  }

  private open(name: string, depth: number, attributes = ''): void {
    this.parts.push(`${this.indent(depth)}<${name}${attributes}>${this.pretty ? '\n' : ''}`);
  }

  private close(name: string, depth: number): void {
    this.parts.push(`${this.indent(depth)}</${name}>${this.pretty ? '\n' : ''}`);
  }

  private leaf(name: string, text: string, depth: number, attributes = ''): void {
    const body = text === '' ? `<${name}${attributes}/>` : `<${name}${attributes}>${text}</${name}>`;
    this.parts.push(`${this.indent(depth)}${body}${this.pretty ? '\n' : ''}`);
  }

  private indent(depth: number): string {
    return this.pretty ? '  '.repeat(depth) : '';
  }

  element(
    element: ElementModel,
    value: unknown,
    path: (string | number)[],
    depth: number,
    namespace?: string,
  ): void {
    if (value === null || value === undefined) return;
    const attributes = namespace ? ` xmlns="${namespace}"` : '';
    if (isSimpleType(element.type)) {
      const text = this.simpleText(value, path);
      if (text !== undefined) this.leaf(element.name, text, depth, attributes);
      return;
    }
    if (element.type === 'any') {
      if (!Array.isArray(value)) return this.problem(path, 'expected an array of { name, value } elements');
      this.open(element.name, depth, attributes);
      this.anyContent(value, path, depth + 1);
      this.close(element.name, depth);
      return;
    }
    const type = complexType(element.type);
    if (type.model.list) {
      if (!Array.isArray(value)) return this.problem(path, 'expected an array');
      // An empty list is an empty element, as Concur writes it (`<Segments/>` of a cancelled booking).
      if (value.every((item) => item === null || item === undefined)) {
        return this.leaf(element.name, '', depth, attributes);
      }
      this.open(element.name, depth, attributes);
      this.listItems(element.type, value, path, depth + 1);
      this.close(element.name, depth);
      return;
    }
    if (!isPlainObject(value)) return this.problem(path, 'expected an object');
    this.open(element.name, depth, attributes);
    this.fields(element.type, value, path, depth + 1, new Set());
    this.close(element.name, depth);
  }

  private simpleText(value: unknown, path: (string | number)[]): string | undefined {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      this.problem(path, 'expected a finite number');
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      this.problem(path, 'expected a string, number or boolean');
      return undefined;
    }
    const text = writeSimpleValue(value as SimpleValue);
    const forbidden = forbiddenXmlCharacter(text);
    if (forbidden) {
      this.problem(
        path,
        `contains the character ${describeCharacter(forbidden)}, which XML 1.0 does not allow`,
      );
      return undefined;
    }
    return escapeXml(text);
  }

  /** Writes an object's fields in declaration order; `ignored` names keys that are not elements (`kind`). */
  private fields(
    typeName: string,
    value: Record<string, unknown>,
    path: (string | number)[],
    depth: number,
    ignored: ReadonlySet<string>,
  ): void {
    const type = complexType(typeName);
    for (const key of Object.keys(value)) {
      if (!type.byKey.has(key) && !ignored.has(key)) {
        this.problem([...path, key], `unknown key "${key}"`);
      }
    }
    // byKey holds the elements in declaration order, each with its JSON key made once.
    for (const [key, element] of type.byKey) {
      const fieldValue = value[key];
      if (fieldValue === null || fieldValue === undefined) continue;
      if (!element.repeated) {
        this.element(element, fieldValue, [...path, key], depth);
        continue;
      }
      if (!Array.isArray(fieldValue)) {
        this.problem([...path, key], 'expected an array');
        continue;
      }
      fieldValue.forEach((item, index) => this.element(element, item, [...path, key, index], depth));
    }
  }

  private listItems(typeName: string, items: unknown[], path: (string | number)[], depth: number): void {
    const type = complexType(typeName);
    const tagged = type.model.elements.length > 1;
    items.forEach((item, index) => {
      const itemPath = [...path, index];
      if (item === null || item === undefined) return;
      if (!tagged) return this.element(type.model.elements[0]!, item, itemPath, depth);
      if (!isPlainObject(item)) return this.problem(itemPath, 'expected an object with a "kind"');
      const element = type.model.elements.find((e) => jsonKey(e.name) === item.kind);
      if (!element) {
        const kinds = type.model.elements.map((e) => `"${jsonKey(e.name)}"`).join(', ');
        return this.problem([...itemPath, 'kind'], `expected one of ${kinds}`);
      }
      this.open(element.name, depth);
      this.fields(element.type, item, itemPath, depth + 1, new Set(['kind']));
      this.close(element.name, depth);
    });
  }

  private anyContent(nodes: unknown[], path: (string | number)[], depth: number): void {
    nodes.forEach((node, index) => {
      const nodePath = [...path, index];
      if (!isPlainObject(node) || typeof node.name !== 'string' || !XML_NAME.test(node.name)) {
        return this.problem(nodePath, 'expected { "name": an XML element name, "value": … }');
      }
      const unknownKeys = Object.keys(node).filter((k) => k !== 'name' && k !== 'value');
      for (const key of unknownKeys) this.problem([...nodePath, key], `unknown key "${key}"`);
      if (node.value === null || node.value === undefined) return;
      if (Array.isArray(node.value)) {
        this.open(node.name, depth);
        this.anyContent(node.value, [...nodePath, 'value'], depth + 1);
        this.close(node.name, depth);
        return;
      }
      const text = this.simpleText(node.value, [...nodePath, 'value']);
      if (text !== undefined) this.leaf(node.name, text, depth);
    });
  }
}
