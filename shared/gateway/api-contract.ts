/**
 * The supplier JSON API's requests, as zod schemas: validation of requests, their part of the OpenAPI document
 * and their TypeScript types all come from here. The answers are in api-responses.ts.
 */
import * as z from '../zod';
import { withMeta } from '../zod';
import { bookingSchema, dateTimeSchema, itinerarySchema } from '../concur';
import type { ValidationProfile } from '../concur';
import { isPrintableText } from '../concur/xml-text';
import type { TravelerReference } from './ports';

/** An identifier that reaches Concur or a DynamoDB key: bounded, and free of control characters. */
const safeId = (maxLength: number) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(maxLength),
      z.refine(isPrintableText, { error: 'must not contain control characters' }),
    );

/** Same bound as a path parameter: it becomes part of a DynamoDB key. */
const CONFIRMATION_NUMBER_MAX_LENGTH = 128;

const loginId = safeId(255)
  // Concur once read userid_value=ALL as "every user of the company"; no request may carry it.
  .check(z.refine((value) => value.toUpperCase() !== 'ALL', { error: 'ALL is not a login id' }))
  .apply(withMeta, { description: "The traveler's Concur login id (userid_value)." });

const TRAVELER_FIELDS = ['loginId', 'email', 'employeeId'] as const;

/**
 * The traveler by Concur login, or by what suppliers usually know: the work email or the employee id, which the
 * gateway resolves to the login through Concur's Identity v4.1 user search (422 when no or several active users
 * of the company match).
 */
export const travelerSchema = z
  .strictObject({
    loginId: z.optional(loginId),
    email: z
      .optional(z.email().check(z.maxLength(254)))
      .apply(withMeta, { description: "The traveler's work email in Concur (compared case-insensitively)." }),
    employeeId: z
      .optional(safeId(64))
      .apply(withMeta, { description: "The traveler's employee id in Concur (the user's employeeNumber)." }),
  })
  .check(
    z.superRefine((traveler, context) => {
      const given = TRAVELER_FIELDS.filter((field) => traveler[field] !== undefined);
      if (given.length !== 1) {
        context.addIssue({ code: 'custom', message: 'give exactly one of loginId, email, employeeId' });
      }
    }),
  )
  .apply(withMeta, {
    id: 'Traveler',
    description: 'Exactly one of loginId, email, employeeId.',
    minProperties: 1,
    maxProperties: 1,
  });

export type TravelerField = z.infer<typeof travelerSchema>;

/** The traveler as the use cases take it, from a validated `traveler` (exactly one field is set). */
export function travelerReferenceOf(traveler: TravelerField): TravelerReference {
  if (traveler.loginId !== undefined) return { loginId: traveler.loginId };
  if (traveler.email !== undefined) return { email: traveler.email };
  return { employeeId: traveler.employeeId! };
}

/** Where a problem with the traveler points: the field the request gave. */
export const travelerPath = (traveler: TravelerReference): string => `traveler.${Object.keys(traveler)[0]}`;

/** One schema per profile, built once: schemas carry registry ids, which must be unique. */
function perProfile<T>(build: (profile: ValidationProfile) => T): (profile: ValidationProfile) => T {
  const built = new Map<ValidationProfile, T>();
  return (profile) => {
    if (!built.has(profile)) built.set(profile, build(profile));
    return built.get(profile)!;
  };
}

const profileSuffix = (profile: ValidationProfile) => (profile === 'tmc' ? '' : 'TripLink');

/** `PUT /v1/companies/{companyId}/bookings/{confirmationNumber}` */
export const putBookingRequestSchema = perProfile((profile) =>
  z
    .strictObject({
      booking: bookingSchema(profile).apply(withMeta, {
        description:
          "The booking in the JSON form. bookingSource may be left out: it is the supplier's own; recordLocator defaults to the confirmation number.",
      }),
      traveler: travelerSchema,
      tripId: z.optional(safeId(128)).apply(withMeta, {
        description: 'Add the booking to this Concur trip: one you created or one holding your bookings.',
      }),
      previousConfirmationNumber: z.optional(safeId(CONFIRMATION_NUMBER_MAX_LENGTH)).apply(withMeta, {
        description:
          'Rebooking: the booking this one replaces; it is cancelled at Concur once this one is posted.',
      }),
    })
    .apply(withMeta, { id: `PutBookingRequest${profileSuffix(profile)}` }),
);

/** `POST /v1/companies/{companyId}/trips` and `PUT …/trips/{tripId}` */
export const tripRequestSchema = perProfile((profile) =>
  z
    .strictObject({
      itinerary: itinerarySchema(profile).apply(withMeta, { description: 'The trip in the JSON form.' }),
      traveler: travelerSchema,
    })
    .apply(withMeta, { id: `TripRequest${profileSuffix(profile)}` }),
);

/** `POST /v1/companies/{companyId}/bookings/{confirmationNumber}/cancel` */
export const cancelRequestSchema = z
  .strictObject({
    traveler: z
      .optional(travelerSchema)
      .apply(withMeta, { description: 'Defaults to the traveler recorded for the booking.' }),
    dateModifiedUtc: z.optional(dateTimeSchema).apply(withMeta, {
      description:
        "When the booking was cancelled in the supplier's system (YYYY-MM-DDThh:mm:ss, UTC): the cancel's version, ordered against the bookings' dateModifiedUtc. A cancel older than the stored version is refused as stale (409 on the API, skipped as an event); a later upsert at or before it is skipped, a newer one books again.",
    }),
  })
  .apply(withMeta, { id: 'CancelRequest' });

/** `?traveler=` asks Concur, one calendar month per request: a range may span at most this many months. */
export const TRAVELER_LIST_MAX_MONTHS = 12;
/** `?traveler=` without dates: from this many days ago … */
export const TRAVELER_LIST_DEFAULT_PAST_DAYS = 30;
/** … to this many days ahead (with only one date given, the other is this many days away from it). */
export const TRAVELER_LIST_DEFAULT_SPAN_DAYS = 120;

export const tripListQuerySchema = z
  .strictObject({
    traveler: z.optional(loginId).apply(withMeta, {
      description: `One traveler's trips, asked of Concur: the traveler's trip list per calendar month of the range (at most ${TRAVELER_LIST_MAX_MONTHS} months, else 400), each month asked at most once every 10 minutes (a repeat is answered from the gateway's copy), and only the trips holding your bookings or created by you, with Concur's current name, dates and tripStatus. Without dates: from ${TRAVELER_LIST_DEFAULT_PAST_DAYS} days ago to ${TRAVELER_LIST_DEFAULT_SPAN_DAYS - TRAVELER_LIST_DEFAULT_PAST_DAYS} days ahead. Without traveler, the list comes from the gateway's own records alone (no call to Concur).`,
    }),
    startDate: z.optional(z.iso.date()).apply(withMeta, {
      description: 'YYYY-MM-DD: trips ongoing on or after this day (ending on or after it).',
    }),
    endDate: z.optional(z.iso.date()).apply(withMeta, {
      description: 'YYYY-MM-DD: trips ongoing on or before this day (starting on or before it).',
    }),
    limit: z
      .optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(200)))
      .apply(withMeta, { description: 'Trips per page (50 by default).' }),
    cursor: z.optional(z.string().check(z.maxLength(512))).apply(withMeta, {
      description:
        "The nextCursor of the previous page, with the same filters; it is good for your own listing only (another supplier's, another company's or an altered cursor is refused with 400).",
    }),
  })
  .apply(withMeta, { id: 'TripListQuery' });

const profileQuery = z
  .optional(z.enum(['tmc', 'triplink']))
  .apply(withMeta, { description: 'Validation rules: tmc or triplink; the supplier’s own by default.' });

/** `POST /v1/translate/booking`: what the booking PUT names in its path, and the rules to check by. */
export const translateBookingQuerySchema = z
  .strictObject({
    confirmationNumber: safeId(CONFIRMATION_NUMBER_MAX_LENGTH).apply(withMeta, {
      description:
        'The confirmation number the PUT would name in its path (the record locator unless the booking gives one).',
    }),
    profile: profileQuery,
  })
  .apply(withMeta, { id: 'TranslateBookingQuery' });

/** `POST /v1/translate/trip` */
export const translateTripQuerySchema = z
  .strictObject({ profile: profileQuery })
  .apply(withMeta, { id: 'TranslateTripQuery' });

export type PutBookingRequest = z.infer<ReturnType<typeof putBookingRequestSchema>>;
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
export type TripRequest = z.infer<ReturnType<typeof tripRequestSchema>>;
export type TripListQuery = z.infer<typeof tripListQuerySchema>;
