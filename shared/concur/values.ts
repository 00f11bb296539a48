/**
 * Simple values between XML text and JSON: integers and decimals are numbers, booleans are booleans
 * (XML may say true/True/false/False/1/0), dateTimes and everything else are strings. An empty element is "".
 */
import type { ElementModel, SimpleTypeName } from './model-types';

export type SimpleValue = string | number | boolean;

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const DOUBLE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const TRUE = new Set(['true', 'True', 'TRUE', '1']);
const FALSE = new Set(['false', 'False', 'FALSE', '0']);

const NUMERIC: Partial<Record<SimpleTypeName, RegExp>> = {
  integer: INTEGER,
  long: INTEGER,
  unsignedByte: INTEGER,
  decimal: DECIMAL,
  double: DOUBLE,
};

export function isNumericType(type: string): boolean {
  return type in NUMERIC;
}

/** Reads an element's text; returns an error message when the text does not fit the element's type. */
export function readSimpleValue(
  element: ElementModel,
  text: string,
): { value: SimpleValue } | { error: string } {
  const type = element.type as SimpleTypeName;
  if (text === '') return { value: '' };
  const numeric = NUMERIC[type];
  if (numeric) {
    const trimmed = text.trim();
    if (numeric.test(trimmed)) return { value: Number(trimmed) };
    if (element.textAlternative) return { value: text };
    return {
      error: `expected ${type === 'decimal' || type === 'double' ? 'a number' : 'an integer'}, got "${text}"`,
    };
  }
  if (type === 'boolean') {
    const trimmed = text.trim();
    if (TRUE.has(trimmed)) return { value: true };
    if (FALSE.has(trimmed)) return { value: false };
    return { error: `expected true or false, got "${text}"` };
  }
  if (type === 'dateTime') return { value: text.trim() };
  return { value: text };
}

/** Writes a JSON value as element text; numbers keep their value and never use exponent notation. */
export function writeSimpleValue(value: SimpleValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return formatNumber(value);
  return value;
}

function formatNumber(value: number): string {
  const plain = String(value);
  if (!/e/i.test(plain)) return plain;
  // 1e21 and 1e-7 are valid JSON but not valid xs:decimal; spell them out.
  const [mantissa, exponentText] = plain.toLowerCase().split('e') as [string, string];
  const exponent = Number(exponentText);
  const negative = mantissa.startsWith('-');
  const [whole, fraction = ''] = mantissa.replace('-', '').split('.') as [string, string?];
  const digits = whole + fraction;
  const point = whole.length + exponent;
  let out: string;
  if (point <= 0) out = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + '0'.repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${out}` : out;
}
