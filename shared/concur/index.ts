/**
 * The Concur document toolkit: the JSON form ⇄ Concur Itinerary v1.1 XML, and validation of requests.
 */
export { buildConcurXml } from './xml-builder';
export type { BuildOptions } from './xml-builder';
export { parseConcurXml, DEFAULT_PARSE_LIMITS } from './xml-parser';
export type { ParseLimits, ParsedDocument } from './xml-parser';
export { ConcurDocumentError } from './errors';
export { TRIP_NAMESPACE } from './namespaces';
export type * from './documents';
