/**
 * Lengths for the strings Concur's XSDs leave unbounded. Without them one supplier could post a megabyte of
 * `Vendor` into a trip every supplier of the traveler shares. Where Concur's Itinerary documentation states a
 * length it is used; free text gets room for a paragraph, URLs the length browsers and proxies accept, and
 * every other name, code, identifier or address line the length of a common database column.
 */

/** Lengths Concur's Itinerary v1.1 documentation (Trip resource) states. */
export const DOCUMENTED_TEXT_LIMITS: Readonly<Record<string, number>> = {
  TripName: 255,
  ProjectName: 255,
  Description: 512,
  Comments: 512,
  CancelComments: 256,
  // "the unique identifier of the trip in an external (non-Concur) system. Maximum length 32 characters."
  ClientLocator: 32,
};

/** Paragraphs of free text: notes, comments, rule texts, message bodies. */
export const FREE_TEXT_LIMIT = 2000;
const FREE_TEXT = new Set([
  'Notes',
  'notes',
  'RateNotes',
  'TravelerComments',
  'CompanyRuleText',
  'Text',
  'Body',
  'Message',
  'Services',
  'Amenities',
  'LocationAdditionalDetails',
  'restrictions',
]);

/** URLs: the 2,048 characters browsers and proxies reliably carry. */
export const URL_LIMIT = 2048;
const URLS = /(?:URL|_url)$/;

/** Every other name, code, identifier or address line. */
export const DEFAULT_TEXT_LIMIT = 255;

/** The length limit of an element whose XSD type sets none. */
export function unboundedTextLimit(elementName: string): number {
  return (
    DOCUMENTED_TEXT_LIMITS[elementName] ??
    (FREE_TEXT.has(elementName) ? FREE_TEXT_LIMIT : URLS.test(elementName) ? URL_LIMIT : DEFAULT_TEXT_LIMIT)
  );
}
