/**
 * Cursors of the paged listings (trips, bookings, operations): the position's fields, base64url JSON, followed by
 * a digest over the listing's scope (the caller, its filters) and the payload. A cursor of another listing, or an altered one,
 * fails the digest and is refused with 400. It is a checksum, not a secret: the partition read always comes
 * from the caller's identity, never from the cursor, and the fields are checked before they reach DynamoDB.
 */
import { createHash } from 'node:crypto';
import { GatewayError } from './errors';

const digestOf = (scope: string, payload: string) =>
  createHash('sha256').update(scope).update('\n').update(payload).digest('base64url').slice(0, 22);

export function encodeCursor(scope: string, fields: readonly string[]): string {
  const payload = Buffer.from(JSON.stringify(fields)).toString('base64url');
  return `${payload}.${digestOf(scope, payload)}`;
}

/** The 400 naming `cursor` that a cursor this listing did not give out is answered. */
export function cursorRefusal(message: string): GatewayError {
  return new GatewayError('validation', 'the cursor is not one this listing gave out', [
    { path: 'cursor', message },
  ]);
}

/**
 * The fields a cursor of this scope carries, each accepted by `valid`; else a 400 naming `cursor`. `scopeParts`
 * says, in the refusal of a cursor of another scope, what the scope is made of.
 */
export function decodeCursor(
  scope: string,
  cursor: string,
  valid: (fields: string[]) => boolean,
  scopeParts = 'another supplier or filters',
): string[] {
  const [payload, digest, ...rest] = cursor.split('.');
  if (!payload || !digest || rest.length > 0) throw cursorRefusal('not a valid cursor');
  if (digest !== digestOf(scope, payload)) {
    throw cursorRefusal(`not a cursor of this listing (${scopeParts}, or altered)`);
  }
  let fields: unknown;
  try {
    fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw cursorRefusal('not a valid cursor');
  }
  if (!Array.isArray(fields) || !fields.every((field) => typeof field === 'string') || !valid(fields))
    throw cursorRefusal('not a valid cursor');
  return fields;
}
