/**
 * An independent reading of XML for comparisons: every leaf element as (path, normalized text), read with a
 * plain fast-xml-parser tree, so that tests do not check the gateway's parser with itself.
 */
import { XMLParser } from 'fast-xml-parser';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  trimValues: true,
  ignoreDeclaration: true,
});

type Node = Record<string, unknown>;
const nameOf = (node: Node) => Object.keys(node).find((k) => k !== '#text' && k !== ':@');

/** Numbers compare by value (35 and 35.0000 are equal) and booleans by meaning. */
export function normalizeText(text: string): string {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return String(Number(text));
  if (/^(true|false)$/i.test(text)) return text.toLowerCase();
  return text;
}

export function xmlLeaves(xml: string): string[] {
  const out: string[] = [];
  const walk = (nodes: Node[], path: string) => {
    const seen = new Map<string, number>();
    for (const node of nodes) {
      const name = nameOf(node);
      if (!name) continue;
      const index = seen.get(name) ?? 0;
      seen.set(name, index + 1);
      const children = node[name] as Node[];
      const here = `${path}/${name}[${index}]`;
      if (children.some((c) => nameOf(c))) walk(children, here);
      else out.push(`${here}=${normalizeText(children.map((c) => String(c['#text'] ?? '')).join(''))}`);
    }
  };
  walk(parser.parse(xml) as Node[], '');
  return out.sort();
}

/** Child element names of every element, in document order, keyed by the element's path. */
export function childOrder(xml: string): { path: string; name: string; children: string[] }[] {
  const out: { path: string; name: string; children: string[] }[] = [];
  const walk = (nodes: Node[], path: string) => {
    for (const node of nodes) {
      const name = nameOf(node);
      if (!name) continue;
      const children = (node[name] as Node[]).map(nameOf).filter((n): n is string => n !== undefined);
      out.push({ path: `${path}/${name}`, name, children });
      walk(node[name] as Node[], `${path}/${name}`);
    }
  };
  walk(parser.parse(xml) as Node[], '');
  return out;
}
