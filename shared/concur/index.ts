/**
 * The Concur document toolkit: the JSON form ⇄ Concur Itinerary v1.1 XML, and validation of requests.
 */
export { buildConcurXml } from './xml-builder';
export type { BuildOptions } from './xml-builder';
export { parseConcurXml, parseConcurAnswer, DEFAULT_PARSE_LIMITS, UNKNOWN_ELEMENTS_KEY } from './xml-parser';
export type { LenientParse, ParseLimits, ParsedDocument, UnknownElement } from './xml-parser';
export { ConcurDocumentError, documentProblem } from './errors';
export { TRIP_NAMESPACE } from './namespaces';
export {
  bookingSchema,
  dateTimeSchema,
  itinerarySchema,
  toFieldProblems,
  validateBooking,
  validateItinerary,
} from './validation';
export type { ValidationResult } from './validation';
export { VALIDATION_PROFILES } from './rules';
export type { ValidationProfile } from './rules';
export { translateToConcurXml, rootKeyOf } from './translate';
export type { TranslateOptions, TranslationKind } from './translate';
export type * from './documents';
