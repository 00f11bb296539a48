/**
 * The supplier JSON API's request and response bodies, as zod schemas: validation of requests, the OpenAPI
 * document and the TypeScript types all come from here.
 */
import * as z from '../zod';
import { withMeta } from '../zod';
import { bookingSchema, itinerarySchema } from '../concur';
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

/** `POST /v1/companies/{companyId}/bookings/{confirmationNumber}/cancel` and `…/trips/{tripId}/cancel` */
export const cancelRequestSchema = z
  .strictObject({
    traveler: z
      .optional(travelerSchema)
      .apply(withMeta, { description: 'Defaults to the traveler recorded for the booking.' }),
  })
  .apply(withMeta, { id: 'CancelRequest' });

export const bookingStatusSchema = z.enum(['active', 'cancelled', 'rebooking']).apply(withMeta, {
  id: 'BookingStatus',
  description:
    'active: at Concur. cancelled: cancelled at Concur. rebooking: the new booking is posted but the previous one is not yet cancelled (retry the same request to finish).',
});

export const concurCallSchema = z
  .strictObject({
    correlationId: z
      .optional(z.string())
      .apply(withMeta, { description: "Concur's concur-correlationid header." }),
    attempts: z
      .number()
      .check(z.int(), z.gte(0))
      .apply(withMeta, { description: 'HTTP attempts made; 0 when Concur did not need to be called.' }),
  })
  .apply(withMeta, { id: 'ConcurCall' });

export const bookingMappingSchema = z
  .strictObject({
    companyId: z.string(),
    bookingSource: z.string(),
    confirmationNumber: z.string(),
    recordLocator: z.string(),
    tripId: z.optional(z.string()),
    traveler: z.strictObject({
      loginId: z.string().apply(withMeta, {
        description:
          'The Concur login the booking is posted for (resolved when the request gave an email or employee id).',
      }),
    }),
    status: bookingStatusSchema,
    version: z.number().check(z.int(), z.gte(1)),
    dateModifiedUtc: z
      .optional(z.string())
      .apply(withMeta, { description: "The booking's own dateModifiedUtc, if sent." }),
    createdAt: z.string(),
    updatedAt: z.string(),
    previousConfirmationNumber: z.optional(z.string()),
    replacedByConfirmationNumber: z.optional(z.string()),
    pendingStep: z.optional(z.string()).apply(withMeta, {
      description: 'What a retry of the same request will finish, e.g. cancel-previous.',
    }),
    lastError: z.optional(z.string()),
  })
  .apply(withMeta, { id: 'BookingMapping' });

/** Answer of booking PUT and cancel: the mapping and Concur's answer in the JSON form. */
export const bookingResultSchema = z
  .strictObject({
    booking: bookingMappingSchema,
    concur: z.extend(concurCallSchema, {
      document: z.optional(z.record(z.string(), z.unknown())).apply(withMeta, {
        description:
          "Concur's answer in the JSON form: { itinerary } for a post, { booking } for a cancel. Absent when tripNotShown.",
      }),
      tripNotShown: z.optional(z.literal('too-large')).apply(withMeta, {
        description:
          'Concur accepted the booking and answered its trip, but the trip is larger than the gateway reads (6 MB of XML); the booking is recorded all the same, with the trip id Concur gave.',
      }),
      status: z.optional(z.literal('NotFound')).apply(withMeta, {
        description:
          'On a cancel: Concur does not know the booking (neither by its confirmation number nor by its record locator). The gateway marks it cancelled all the same.',
      }),
    }),
  })
  .apply(withMeta, { id: 'BookingResult' });

export const tripResultSchema = z
  .strictObject({
    tripId: z.string(),
    itinerary: z
      .record(z.string(), z.unknown())
      .apply(withMeta, { description: 'The trip in the JSON form.' }),
    concur: concurCallSchema,
  })
  .apply(withMeta, { id: 'TripResult' });

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

export const tripSummarySchema = z
  .strictObject({
    tripId: z.string(),
    tripName: z.optional(z.string()),
    startDateLocal: z
      .optional(z.string())
      .apply(withMeta, { description: "YYYY-MM-DDThh:mm:ss, the trip's local start." }),
    endDateLocal: z.optional(z.string()),
    userLoginId: z.string().apply(withMeta, { description: "The traveler's login id." }),
    bookingSource: z.string().apply(withMeta, { description: 'Your booking source.' }),
    recordLocator: z.string().apply(withMeta, {
      description:
        "Your bookings in the trip by record locator, comma-separated as in Concur's ItineraryInfo.",
    }),
    created: z
      .boolean()
      .apply(withMeta, { description: 'You created the trip: you may replace or cancel it.' }),
    bookings: z
      .array(
        z.strictObject({
          confirmationNumber: z.string(),
          recordLocator: z.string(),
          status: bookingStatusSchema,
        }),
      )
      .apply(withMeta, {
        description: 'Your bookings in the trip that the gateway maps by confirmation number.',
      }),
    tripStatus: z.optional(z.number().check(z.int())).apply(withMeta, {
      description:
        "With traveler only: Concur's TripStatus (0 Confirmed, 1 Ticketed, 2 Canceled, 6 Proposal, 7 Booked Proposal).",
    }),
  })
  .apply(withMeta, { id: 'TripSummary' });

export const tripListSchema = z
  .strictObject({
    trips: z.array(tripSummarySchema).apply(withMeta, {
      description:
        'Without traveler: in trip id order, from the records the gateway keeps of your bookings and trips (name and dates as Concur last answered them to the gateway). With traveler: by start date, as Concur lists them now.',
    }),
    nextCursor: z.optional(z.string()).apply(withMeta, {
      description:
        'Present while there may be more: a page can hold fewer trips than limit (even none) when the date filters passed over many trips.',
    }),
    concur: concurCallSchema,
  })
  .apply(withMeta, { id: 'TripList' });

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

export const translationSchema = z
  .strictObject({ xml: z.string().apply(withMeta, { description: 'The Concur XML that would be sent.' }) })
  .apply(withMeta, { id: 'Translation' });

export const healthSchema = z.strictObject({ status: z.literal('ok') }).apply(withMeta, { id: 'Health' });

export type PutBookingRequest = z.infer<ReturnType<typeof putBookingRequestSchema>>;
export type CancelRequest = z.infer<typeof cancelRequestSchema>;
export type TripRequest = z.infer<ReturnType<typeof tripRequestSchema>>;
export type BookingMappingView = z.infer<typeof bookingMappingSchema>;
export type TripListQuery = z.infer<typeof tripListQuerySchema>;
export type TripSummary = z.infer<typeof tripSummarySchema>;
export type TripList = z.infer<typeof tripListSchema>;

export const problemSchema = z
  .looseObject({
    type: z.string().apply(withMeta, {
      description: 'Stable per kind of problem, e.g. urn:concur-gateway:problem:invalid-document.',
    }),
    title: z.string(),
    status: z.number().check(z.int()),
    detail: z.optional(z.string()),
    instance: z.optional(z.string()),
    requestId: z.optional(z.string()),
    errors: z.optional(z.array(z.strictObject({ path: z.string(), message: z.string() }))),
    concur: z
      .optional(
        z.looseObject({
          status: z.optional(z.number().check(z.int())),
          message: z.optional(z.string()),
          correlationId: z.optional(z.string()),
        }),
      )
      .apply(withMeta, {
        description: "For upstream failures: Concur's status, message and correlation id.",
      }),
  })
  .apply(withMeta, { id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });

export const operationStatusSchema = z
  .enum(['accepted', 'processing', 'succeeded', 'skipped', 'failed', 'parked'])
  .apply(withMeta, {
    id: 'OperationStatus',
    description:
      'accepted: queued (again, after a transient failure: see problem and nextAttemptAt). processing: being applied. succeeded: applied (result). skipped: older than the stored booking (problem). failed: refused by the gateway (problem); send a corrected event. parked: Concur refused it or it kept failing (problem); an operator replays it.',
  });

/** `202` of a webhook or a `Prefer: respond-async` request. */
export const operationAcceptedSchema = z
  .strictObject({
    operation: z.strictObject({
      id: z.string(),
      status: operationStatusSchema,
      href: z
        .string()
        .apply(withMeta, { description: 'GET it for the outcome (also in the Location header).' }),
    }),
  })
  .apply(withMeta, { id: 'OperationAccepted' });

/** `GET /v1/operations/{operationId}` */
export const operationSchema = z
  .strictObject({
    operation: z.strictObject({
      id: z.string(),
      status: operationStatusSchema,
      type: z
        .string()
        .apply(withMeta, { description: 'The event type, or the API operation (e.g. putBooking).' }),
      href: z.string(),
      createdAt: z.string(),
      updatedAt: z.string(),
      attempts: z.number().check(z.int(), z.gte(0)),
      nextAttemptAt: z.optional(z.string()),
      result: z
        .optional(z.strictObject({ status: z.number().check(z.int()), body: z.unknown() }))
        .apply(withMeta, { description: 'succeeded: what the synchronous route would have answered.' }),
      problem: z.optional(problemSchema),
    }),
  })
  .apply(withMeta, { id: 'Operation' });
