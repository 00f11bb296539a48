/**
 * Translation of a request document in the JSON form into the Concur XML that would be sent: validate first,
 * so that a bad document is refused with every problem, then build.
 */
import { ConcurDocumentError } from './errors';
import type { ValidationProfile } from './rules';
import { validateBooking, validateItinerary } from './validation';
import type { ValidationResult } from './validation';
import { buildConcurXml } from './xml-builder';

/** What is translated: a booking (`{ "booking": {…} }`) or a trip (`{ "itinerary": {…} }`). */
export type TranslationKind = 'booking' | 'trip';

export const rootKeyOf = (kind: TranslationKind): 'booking' | 'itinerary' =>
  kind === 'booking' ? 'booking' : 'itinerary';

export interface TranslateOptions {
  profile?: ValidationProfile;
  pretty?: boolean;
}

/** Validates `document` and returns its Concur XML; throws ConcurDocumentError listing every problem. */
export function translateToConcurXml(
  kind: TranslationKind,
  document: unknown,
  options: TranslateOptions = {},
): string {
  const rootKey = rootKeyOf(kind);
  const isObject = typeof document === 'object' && document !== null && !Array.isArray(document);
  const keys = isObject ? Object.keys(document) : [];
  if (!isObject || keys.length !== 1 || keys[0] !== rootKey) {
    const message = `expected a JSON object with the single key "${rootKey}"`;
    throw new ConcurDocumentError('invalid-document', message, [{ path: '', message }]);
  }
  const body = (document as Record<string, unknown>)[rootKey];
  const result: ValidationResult<unknown> =
    kind === 'booking' ? validateBooking(body, options.profile) : validateItinerary(body, options.profile);
  if (!result.success) {
    throw new ConcurDocumentError('invalid-document', `the ${kind} is not valid`, result.problems);
  }
  return buildConcurXml({ [rootKey]: result.value }, { pretty: options.pretty ?? false });
}
