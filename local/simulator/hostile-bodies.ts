/**
 * Answers a client must survive without trusting: truncated documents, and XML with a DOCTYPE that a naive
 * parser would expand (an entity bomb: ~10^9 "lol"s from 1 KB) or resolve (an external entity reading a local
 * file). A safe client refuses both without expanding anything.
 */
import { TRIP_NAMESPACE } from '../../shared/concur';

export type HostileVariant = 'entity-bomb' | 'external-entity';

/** The root element Concur would answer with on a route, so hostile answers look plausible. */
export type AnswerRoot = 'Itinerary' | 'Booking' | 'ItineraryInfoList';

export function truncatedXml(completeBody: string | undefined, root: AnswerRoot): string {
  const body =
    completeBody ??
    `<?xml version="1.0" encoding="utf-8"?><${root} xmlns="${TRIP_NAMESPACE}"><id>https://www.concursolutions.com/api/travel/trip/v1.1/CNQR1234567890</id><TripName>Trip to Seattle</TripName></${root}>`;
  // Cut in the middle of the document, never at an element boundary a lenient parser could close.
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}

export function truncatedJson(completeBody: string | undefined): string {
  const body = completeBody ?? '{"access_token":"0123456789","expires_in":"3600","token_type":"Bearer"}';
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}

/** Where the entity is referenced: an element that root really has. */
const CARRIER: Record<AnswerRoot, (text: string) => string> = {
  Itinerary: (text) => `<TripName>${text}</TripName>`,
  Booking: (text) => `<RecordLocator>${text}</RecordLocator>`,
  ItineraryInfoList: (text) => `<ItineraryInfo><TripName>${text}</TripName></ItineraryInfo>`,
};

export function hostileXml(variant: HostileVariant, root: AnswerRoot): string {
  if (variant === 'external-entity') {
    return [
      '<?xml version="1.0" encoding="utf-8"?>',
      `<!DOCTYPE ${root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`,
      `<${root} xmlns="${TRIP_NAMESPACE}">${CARRIER[root]('&xxe;')}</${root}>`,
    ].join('\n');
  }
  const entities = ['<!ENTITY lol "lol">'];
  for (let level = 1; level <= 9; level++) {
    entities.push(`<!ENTITY lol${level} "${`&lol${level === 1 ? '' : level - 1};`.repeat(10)}">`);
  }
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<!DOCTYPE ${root} [`,
    ...entities.map((e) => `  ${e}`),
    ']>',
    `<${root} xmlns="${TRIP_NAMESPACE}">${CARRIER[root]('&lol9;')}</${root}>`,
  ].join('\n');
}
