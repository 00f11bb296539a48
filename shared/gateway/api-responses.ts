/**
 * The supplier JSON API's answers, as zod schemas: the OpenAPI document describes them and the use cases' answer
 * types come from them. No function checks its own answers, so only the OpenAPI document builds these schemas:
 * the supplier functions import their types alone and do not pay for building them at a cold start.
 */
import * as z from '../zod';
import { CONCUR_STATES } from './ports';
import { withMeta } from '../zod';

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
    concurState: z.optional(z.enum(CONCUR_STATES)).apply(withMeta, {
      description:
        "What was last seen of the booking in Concur when someone other than this gateway changed it: changed_in_concur, cancelled_in_concur, or removed_in_concur (the trip was deleted or anonymized). Absent: nothing seen but the gateway's own changes.",
    }),
    concurChangedAt: z.optional(z.string()).apply(withMeta, {
      description: 'When the gateway learned of that change (ISO 8601).',
    }),
  })
  .apply(withMeta, { id: 'BookingMapping' });

/** Answer of booking PUT and cancel: the mapping and Concur's answer in the JSON form. */
export const bookingResultSchema = z
  .strictObject({
    booking: bookingMappingSchema,
    revived: z
      .optional(
        z.strictObject({
          concurState: z.literal('cancelled_in_concur'),
          concurChangedAt: z.optional(z.string()).apply(withMeta, {
            description: 'When the gateway learned of the cancel made in Concur (ISO 8601).',
          }),
        }),
      )
      .apply(withMeta, {
        description:
          'Only on a PUT that posted again a booking someone had cancelled in Concur (the traveler, an agent, Concur): the booking is live in Concur again, and its concurState was this. Absent otherwise.',
      }),
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

export const translationSchema = z
  .strictObject({ xml: z.string().apply(withMeta, { description: 'The Concur XML that would be sent.' }) })
  .apply(withMeta, { id: 'Translation' });

export const healthSchema = z.strictObject({ status: z.literal('ok') }).apply(withMeta, { id: 'Health' });

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

/** `GET /v1/bookings` */
export const bookingListSchema = z
  .strictObject({
    bookings: z.array(bookingMappingSchema).apply(withMeta, {
      description: 'Your bookings, the most recently changed first.',
    }),
    nextCursor: z.optional(z.string()).apply(withMeta, {
      description:
        'Present while there may be more: a page can hold fewer bookings than limit (even none) when the filters passed over many.',
    }),
  })
  .apply(withMeta, { id: 'BookingList' });

const changeActorSchema = z
  .union([
    z.strictObject({
      kind: z.literal('api'),
      requestId: z.string().apply(withMeta, { description: 'The request’s id (its x-request-id).' }),
    }),
    z.strictObject({
      kind: z.literal('operation'),
      operationId: z.string(),
      href: z.string(),
      trigger: z.enum(['webhook', 'api', 'eventbridge']),
      eventId: z.string().apply(withMeta, {
        description:
          'The webhook-id or EventBridge event id; for a Prefer: respond-async request, a random id.',
      }),
    }),
  ])
  .apply(withMeta, {
    id: 'ChangeActor',
    description:
      'Who made the change: an API request, or an operation (a partner event, or a request answered with 202).',
  });

export const historyEntrySchema = z
  .strictObject({
    at: z.string().apply(withMeta, { description: 'When the change was stored (ISO 8601).' }),
    action: z
      .enum([
        'created',
        'updated',
        'rebooked',
        'rebook-completed',
        'rebook-failed',
        'replaced',
        'cancelled',
        'version-moved',
        'trip-replaced',
        'trip-cancelled',
      ])
      .apply(withMeta, {
        description:
          'created, updated: a PUT posted it. rebooked: a PUT with previousConfirmationNumber posted it (the old one is cancelled next). rebook-completed: the old one is cancelled. rebook-failed: cancelling the old one failed (error); retry the PUT. replaced: cancelled at Concur as replaced by a rebooking. cancelled: a cancel. version-moved: a cancel of a cancelled booking with a newer dateModifiedUtc. trip-replaced, trip-cancelled: your trip replace dropped it, your trip cancel cancelled it.',
      }),
    version: z.number().check(z.int(), z.gte(1)).apply(withMeta, {
      description: 'The mapping’s version after the change.',
    }),
    status: bookingStatusSchema,
    actor: z.optional(changeActorSchema),
    concur: z.optional(
      z.strictObject({
        status: z.enum(['ok', 'not-found']).apply(withMeta, {
          description: 'ok: Concur accepted the call. not-found: Concur knew no such booking to cancel.',
        }),
        correlationId: z.optional(z.string()),
      }),
    ),
    error: z.optional(z.string()),
    tripId: z.optional(z.string()),
    recordLocator: z.optional(z.string()),
    dateModifiedUtc: z.optional(z.string()),
  })
  .apply(withMeta, { id: 'BookingHistoryEntry' });

/** `GET /v1/companies/{companyId}/bookings/{confirmationNumber}/history` */
export const bookingHistorySchema = z
  .strictObject({
    history: z.array(historyEntrySchema).apply(withMeta, { description: 'Newest first; kept 90 days.' }),
    nextCursor: z.optional(z.string()),
  })
  .apply(withMeta, { id: 'BookingHistory' });

/** `GET /v1/operations` */
export const operationListSchema = z
  .strictObject({
    operations: z.array(operationSchema.shape.operation).apply(withMeta, {
      description: 'Your operations, the most recently changed first.',
    }),
    nextCursor: z.optional(z.string()),
  })
  .apply(withMeta, { id: 'OperationList' });

export type BookingMappingView = z.infer<typeof bookingMappingSchema>;
export type TripSummary = z.infer<typeof tripSummarySchema>;
export type TripList = z.infer<typeof tripListSchema>;
