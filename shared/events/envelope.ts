/**
 * The partner event envelope, in the Standard Webhooks payload shape `{type, timestamp, data}`, and the
 * command each event is applied as: the same use cases as the JSON API's write routes.
 */
import * as z from '../zod';
import { withMeta } from '../zod';
import { dateTimeSchema } from '../concur';
import { travelerReferenceOf, travelerSchema } from '../gateway/api-contract';
import { validated } from '../gateway/errors';
import type { TravelerReference } from '../gateway/ports';

const id = z.string().check(z.minLength(1), z.maxLength(128));
const companyId = id;

/** What the gateway runs for an event or an asynchronous API request: one write route's use case. */
export type Command =
  | { kind: 'putBooking'; companyId: string; confirmationNumber: string; body: Record<string, unknown> }
  | {
      kind: 'cancelBooking';
      companyId: string;
      confirmationNumber: string;
      traveler?: TravelerReference;
      /** The cancel's version, ordered against the booking's dateModifiedUtc. */
      dateModifiedUtc?: string;
    }
  | { kind: 'createTrip'; companyId: string; body: Record<string, unknown> }
  | { kind: 'updateTrip'; companyId: string; tripId: string; body: Record<string, unknown> }
  | { kind: 'upsertTripByKey'; companyId: string; tripKey: string; body: Record<string, unknown> }
  | { kind: 'cancelTrip'; companyId: string; tripId: string };

export const EVENT_TYPES = [
  'booking.upserted',
  'booking.cancelled',
  'trip.upserted',
  'trip.cancelled',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The envelope; `data` is checked here only as far as the command needs, the use case checks the rest. */
export const envelopeSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('booking.upserted'),
      timestamp: z.iso.datetime({ offset: true }),
      data: z.looseObject({ companyId, confirmationNumber: id }),
    }),
    z.strictObject({
      type: z.literal('booking.cancelled'),
      timestamp: z.iso.datetime({ offset: true }),
      data: z.strictObject({
        companyId,
        confirmationNumber: id,
        traveler: z.optional(travelerSchema),
        dateModifiedUtc: z.optional(dateTimeSchema),
      }),
    }),
    z.strictObject({
      type: z.literal('trip.upserted'),
      timestamp: z.iso.datetime({ offset: true }),
      data: z
        .looseObject({
          companyId,
          tripId: z.optional(id),
          tripKey: z.optional(id).apply(withMeta, {
            description:
              "The supplier's own reference of the trip (e.g. its trip number), for a trip whose Concur id it does not keep: the first trip.upserted of a key creates the trip, every later one replaces it, whatever its webhook-id. Not with tripId.",
          }),
        })
        .check(
          z.refine((data) => data.tripId === undefined || data.tripKey === undefined, {
            error: 'give tripId or tripKey, not both',
            path: ['tripKey'],
          }),
        ),
    }),
    z.strictObject({
      type: z.literal('trip.cancelled'),
      timestamp: z.iso.datetime({ offset: true }),
      data: z.strictObject({ companyId, tripId: id, traveler: z.optional(travelerSchema) }),
    }),
  ])
  .apply(withMeta, {
    id: 'EventEnvelope',
    description: 'A partner event in the Standard Webhooks payload shape.',
  });
export type EventEnvelope = z.infer<typeof envelopeSchema>;

/** Validates an envelope; a bad one is a `validation` GatewayError with the paths of its problems. */
export function parseEnvelope(payload: unknown): EventEnvelope {
  return validated(envelopeSchema, payload, 'the event');
}

/** The command an event is applied as. */
export function commandOf(envelope: EventEnvelope): Command {
  switch (envelope.type) {
    case 'booking.upserted': {
      const { companyId, confirmationNumber, ...body } = envelope.data;
      return { kind: 'putBooking', companyId, confirmationNumber, body };
    }
    case 'booking.cancelled': {
      const { companyId, confirmationNumber, traveler, dateModifiedUtc } = envelope.data;
      return {
        kind: 'cancelBooking',
        companyId,
        confirmationNumber,
        ...(traveler ? { traveler: travelerReferenceOf(traveler) } : {}),
        ...(dateModifiedUtc ? { dateModifiedUtc } : {}),
      };
    }
    case 'trip.upserted': {
      const { companyId, tripId, tripKey, ...body } = envelope.data;
      if (tripId) return { kind: 'updateTrip', companyId, tripId, body };
      if (tripKey) return { kind: 'upsertTripByKey', companyId, tripKey, body };
      return { kind: 'createTrip', companyId, body };
    }
    case 'trip.cancelled':
      return { kind: 'cancelTrip', companyId: envelope.data.companyId, tripId: envelope.data.tripId };
  }
}
