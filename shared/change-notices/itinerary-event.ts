/**
 * Concur's itinerary events (topic `public.concur.travel.itinerary`) as ESS delivers them, read strictly enough to
 * act on: the event id (deduplication), the type, and the trip and company it names. Concur's own page spells the
 * anonymization type both `ItineraryAnonymized` and `ItineraryAonymized`; both are read.
 */
import * as z from '../zod';

export const ITINERARY_TOPIC = 'public.concur.travel.itinerary';

const EVENT_KINDS = {
  ItineraryCreated: 'changed',
  ItineraryUpdated: 'changed',
  ItineraryCancelled: 'changed',
  ItineraryDeleted: 'deleted',
  ItineraryAnonymized: 'anonymized',
  ItineraryAonymized: 'anonymized',
} as const;
export type ItineraryEventType = keyof typeof EVENT_KINDS;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const identifier = z.string().check(z.minLength(1), z.maxLength(128));

export const itineraryEventSchema = z.object({
  id: identifier,
  correlationId: z.optional(z.string().check(z.maxLength(128))),
  eventType: z.string().check(z.maxLength(64)),
  topic: z.string().check(z.maxLength(128)),
  timeStamp: z.optional(z.string().check(z.maxLength(64))),
  facts: z.object({
    id: z.string().check(z.regex(UUID, { error: 'a UUID' })),
    companyId: identifier,
    userId: z.optional(z.string().check(z.maxLength(128))),
    hrefs: z.optional(z.record(z.string(), z.string().check(z.maxLength(2_048)))),
  }),
});
export type ItineraryEvent = z.infer<typeof itineraryEventSchema>;

/** What an event asks of the gateway: read the trip again, or forget the traveler's data of a trip gone. */
export type ChangeKind = (typeof EVENT_KINDS)[ItineraryEventType];

/** The kind of a known event type of the itinerary topic; undefined for anything else (acknowledged, ignored). */
export function changeKindOf(event: ItineraryEvent): ChangeKind | undefined {
  if (event.topic !== ITINERARY_TOPIC) return undefined;
  return Object.hasOwn(EVENT_KINDS, event.eventType)
    ? EVENT_KINDS[event.eventType as ItineraryEventType]
    : undefined;
}
