/**
 * Character-level XML rules shared by the parser and the builder: which characters XML 1.0 allows, how text is
 * escaped, and the only entity references the gateway decodes (the five predefined ones and numeric ones).
 */

// Tab, LF, CR, and the ranges XML 1.0 (fifth edition) §2.2 allows; everything else cannot be written.
const FORBIDDEN_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** The first character XML 1.0 cannot carry, or undefined when every character is allowed. */
export function forbiddenXmlCharacter(text: string): string | undefined {
  return FORBIDDEN_XML_CHAR.exec(text)?.[0];
}

// Printable characters only: no C0 or C1 controls, no DEL, and only what XML 1.0 allows.
const IDENTIFIER_TEXT = /^[\u0020-\u007E\u00A0-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

/** Whether an identifier (a login id, a path id, a query value) holds only printable characters XML can carry. */
export function isPrintableText(text: string): boolean {
  return IDENTIFIER_TEXT.test(text);
}

export function describeCharacter(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

// CR is written as a reference because XML parsers turn a literal CR (or CRLF) into LF: the text must survive.
const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  '\r': '&#13;',
};

export const escapeXml = (text: string): string => text.replace(/[&<>"'\r]/g, (c) => ESCAPES[c]!);

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes entity references in parsed text. Anything but the five predefined entities and character references
 * is refused: the gateway never expands entities a document declares for itself.
 */
export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;&\s]*);?/g, (reference, name: string) => {
    if (!reference.endsWith(';')) throw new Error(`unterminated entity reference "${reference}"`);
    const predefined = PREDEFINED[name];
    if (predefined !== undefined) return predefined;
    const numeric = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(name);
    if (!numeric) throw new Error(`undeclared entity "&${name};"`);
    const codePoint = numeric[1] !== undefined ? parseInt(numeric[1], 16) : Number(numeric[2]);
    if (codePoint > 0x10ffff) throw new Error(`character reference "&${name};" is out of range`);
    const char = String.fromCodePoint(codePoint);
    if (forbiddenXmlCharacter(char)) throw new Error(`character reference "&${name};" is not allowed in XML`);
    return char;
  });
}
