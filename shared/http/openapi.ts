/**
 * The OpenAPI 3.1 document of the supplier API, generated from the route table and the zod schemas of the
 * contract (zod's own JSON Schema output: OpenAPI 3.1 schemas are JSON Schema 2020-12). Every schema with an
 * id becomes a component, so each Concur type appears once.
 *
 * Bodies are converted with `io: 'output'`: a required Concur field is
 * `z.pipe(z.unknown().check(z.refine(…)), schema)` (so that a missing value says "is required"), whose input side
 * is `unknown`; its output side is the real schema. The request schemas have no transforms or defaults and use
 * strict or loose objects only, so their output and input shapes are the same. Refinements cannot be expressed
 * in JSON Schema: the Concur schemas attach what they check (lengths, enumerations, the date-time pattern) as
 * metadata (`withMeta` of shared/zod.ts).
 */
import * as z from '../zod';
import { MAX_PATH_PARAMETER_LENGTH, maxBodyBytesOf } from './route-definition';
import type { RouteDefinition } from './route-definition';
import { routes } from './routes';
import { MAX_TRIPS_EXAMINED } from '../gateway/trip-listing';
import {
  ACTIVITY_MAX_EXAMINED,
  bookingHistoryQuerySchema,
  bookingListQuerySchema,
  operationListQuerySchema,
} from '../activity/contract';
import {
  TRAVELER_LIST_DEFAULT_PAST_DAYS,
  TRAVELER_LIST_DEFAULT_SPAN_DAYS,
  TRAVELER_LIST_MAX_MONTHS,
  cancelRequestSchema,
  putBookingRequestSchema,
  translateBookingQuerySchema,
  translateTripQuerySchema,
  tripListQuerySchema,
  tripRequestSchema,
} from '../gateway/api-contract';
import {
  bookingHistorySchema,
  bookingListSchema,
  bookingMappingSchema,
  bookingResultSchema,
  healthSchema,
  operationAcceptedSchema,
  operationListSchema,
  operationSchema,
  problemSchema,
  translationSchema,
  tripListSchema,
  tripResultSchema,
} from '../gateway/api-responses';
import { DOCS_ASSET_NAMES } from './docs-page';
import { envelopeSchema } from '../events/envelope';
import { concurEventAcceptedSchema } from '../change-notices/api-responses';
import { itineraryEventSchema } from '../change-notices/itinerary-event';
import { IDEMPOTENCY_TTL_SECONDS } from './http-function';
import {
  createEndpointRequestSchema,
  deliveriesQuerySchema,
  MAX_ENDPOINTS_PER_SUPPLIER,
  recoverRequestSchema,
  rotateSecretRequestSchema,
  updateEndpointRequestSchema,
} from '../webhooks-out/api-contract';
import {
  supplierEventBodySchema,
  supplierEventData,
  webhookDeliveriesSchema,
  webhookEndpointListSchema,
  webhookEndpointSchema,
  webhookEndpointWithSecretSchema,
  webhookQueuedSchema,
  webhookRecoveredSchema,
} from '../webhooks-out/api-responses';
import { SUPPLIER_EVENT_TYPES } from '../webhooks-out/event-types';
import { sandboxFaultRulesSchema, sandboxFaultsSchema } from '../sandbox/faults';
import { agencyTripRequestSchema, agencyTripSchema } from '../sandbox/agency-trips';

type JsonObject = Record<string, unknown>;

const components: Record<string, JsonObject> = {};

/** A `$ref` to the schema's component, adding it (and every named schema inside it) to the components. */
function schemaRef(schema: z.ZodMiniType): JsonObject {
  const json = z.toJSONSchema(schema, {
    io: 'output',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  }) as JsonObject;
  const defs = (json.$defs ?? {}) as Record<string, JsonObject>;
  delete json.$defs;
  delete json.$schema;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (value === null || typeof value !== 'object') return value;
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      // z.int()'s bounds are JavaScript's safe integers, not a limit of the API.
      const safeIntegerBound =
        (key === 'minimum' || key === 'maximum') && Math.abs(inner as number) === Number.MAX_SAFE_INTEGER;
      if (safeIntegerBound) continue;
      if (key === '$ref' && typeof inner === 'string') {
        out[key] = inner.replace('#/$defs/', '#/components/schemas/');
      } else if (key === 'anyOf' && Array.isArray(inner)) {
        out[key] = flattenAnyOf(inner.map(rewrite));
      } else {
        out[key] = rewrite(inner);
      }
    }
    return out;
  };
  for (const [id, def] of Object.entries(defs)) components[id] ??= rewrite(def) as JsonObject;
  const id = z.globalRegistry.get(schema)?.id;
  if (id) {
    components[id] ??= rewrite(json) as JsonObject;
    return { $ref: `#/components/schemas/${id}` };
  }
  return rewrite(json) as JsonObject;
}

/** `anyOf: [{ anyOf: [a, b] }, c]` (an optional field's `z.nullish()` around a union) is `anyOf: [a, b, c]`. */
function flattenAnyOf(alternatives: unknown[]): unknown[] {
  return alternatives.flatMap((alternative) => {
    const keys = alternative && typeof alternative === 'object' ? Object.keys(alternative) : [];
    return keys.length === 1 && keys[0] === 'anyOf'
      ? (alternative as { anyOf: unknown[] }).anyOf
      : [alternative];
  });
}

/**
 * Lists whose items carry a `kind` (segments, charges, tickets, …) are zod discriminated unions: zod writes a
 * `oneOf`; OpenAPI's `discriminator` lets readers and generators pick the variant by `kind`.
 */
function addDiscriminators(schemas: Record<string, JsonObject>): void {
  const kindOf = (ref: unknown): string | undefined => {
    if (typeof ref !== 'string' || !ref.startsWith('#/components/schemas/')) return undefined;
    const target = schemas[ref.slice('#/components/schemas/'.length)] as
      { properties?: { kind?: { const?: unknown } } } | undefined;
    const kind = target?.properties?.kind?.const;
    return typeof kind === 'string' ? kind : undefined;
  };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (value === null || typeof value !== 'object') return;
    const node = value as JsonObject;
    if (Array.isArray(node.oneOf) && !node.discriminator) {
      const mapping: Record<string, string> = {};
      for (const item of node.oneOf as JsonObject[]) {
        const kind = kindOf(item?.$ref);
        if (kind === undefined || kind in mapping) return Object.values(node).forEach(visit);
        mapping[kind] = item.$ref as string;
      }
      node.discriminator = { propertyName: 'kind', mapping };
    }
    Object.values(node).forEach(visit);
  };
  Object.values(schemas).forEach(visit);
}

const json = (schema: z.ZodMiniType, description: string) => ({
  description,
  content: { 'application/json': { schema: schemaRef(schema) } },
});

const problem = (description: string, retryAfter = false) => ({
  description,
  content: { 'application/problem+json': { schema: schemaRef(problemSchema) } },
  ...(retryAfter
    ? {
        headers: {
          'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
        },
      }
    : {}),
});

interface Operation {
  summary: string;
  /** What the summary cannot say in a line (Markdown). */
  description?: string;
  body?: [z.ZodMiniType, string];
  success: [number, z.ZodMiniType | 'html' | 'asset' | 'any', string];
  /** Problem statuses beyond the common ones. */
  problems?: number[];
  /** What a problem status means for this operation, where the common description does not fit. */
  problemDescriptions?: Record<number, string>;
  query?: z.ZodMiniObject;
  /** Calls Concur: its failures can surface as 502/503/504. */
  upstream?: boolean;
}

/**
 * What the document says of each operation. Built on first use: the Concur schemas behind it take a while to
 * build, and a function that never serves the document should not pay for them when it starts.
 */
/** The 422 of every route that names a traveler (each also writes at Concur). */
const TRAVELER_422 =
  'The traveler’s email or employee id matches no active Concur user of the company (type …:unknown-traveler) or several (…:ambiguous-traveler); or Concur did not approve the booking source for the supplier’s Concur app (…:booking-source-not-approved, refused before any Concur call); or Concur does not know the traveler’s login (…:concur-unknown-user, with Concur’s message); or the Idempotency-Key was already used with another body.';

/** The 403 of the sandbox's controls. */
const SANDBOX_403 =
  'A live key (type …:test-mode-only): only test keys (`cgw_test_…`) rehearse faults, on their own sandbox company.';

let operations: Record<string, Operation> | undefined;
const describedOperations = (): Record<string, Operation> => (operations ??= describeOperations());

function describeOperations(): Record<string, Operation> {
  return {
    putBooking: {
      summary:
        'Create or update a booking by confirmation number (and rebook with previousConfirmationNumber)',
      body: [
        putBookingRequestSchema('tmc'),
        'The booking, its traveler, and optionally a trip and the booking it replaces.',
      ],
      success: [201, bookingResultSchema, 'Created (201) or updated (200); the mapping and Concur’s answer.'],
      problems: [400, 404, 409, 422],
      problemDescriptions: { 422: TRAVELER_422 },
      upstream: true,
    },
    getBooking: {
      summary: 'Read a booking’s mapping and status',
      success: [200, z.strictObject({ booking: bookingMappingSchema }), 'The mapping.'],
      problems: [404],
    },
    cancelBooking: {
      summary: 'Cancel a booking at Concur',
      body: [
        cancelRequestSchema,
        'Optional: the traveler, checked against the booking; the version of the cancel (dateModifiedUtc).',
      ],
      success: [200, bookingResultSchema, 'The cancelled booking.'],
      problems: [404, 409, 422],
      problemDescriptions: { 422: TRAVELER_422 },
      upstream: true,
    },
    createTrip: {
      summary: 'Create a trip (Concur never merges posted trips)',
      body: [tripRequestSchema('tmc'), 'The trip and its traveler.'],
      success: [201, tripResultSchema, 'The created trip.'],
      problems: [400, 422],
      problemDescriptions: { 422: TRAVELER_422 },
      upstream: true,
    },
    listTrips: {
      summary: 'List the trips that hold the supplier’s bookings or that it created',
      description: [
        'Lists your trips in this company: the trips you created and the trips holding your bookings, with your own bookings in each (never another source’s).',
        '',
        `**Without \`traveler\`** the list comes from the gateway’s own records of your bookings and trips, with no call to Concur (\`concur.attempts\` is 0): in trip id order, with each trip’s name and dates as Concur last answered them to the gateway (when a booking or trip of yours was posted). \`startDate\`/\`endDate\` keep the trips ongoing during that range; trips whose dates the gateway has not learned are listed only without them. A page looks at up to ${MAX_TRIPS_EXAMINED} trips: with narrow dates it may hold fewer than \`limit\` trips, or none, and still carry a \`nextCursor\`.`,
        '',
        `**With \`traveler\`** the gateway asks Concur for that traveler’s trips, as Concur asks integrators to: one request per calendar month of the range (never company-wide), at most ${TRAVELER_LIST_MAX_MONTHS} months (a longer range is refused with 400 naming \`endDate\`), each traveler’s month asked at most once every 10 minutes (a repeat within 10 minutes, or the next page, is answered from the gateway’s copy of Concur’s answer). Without dates the range is from ${TRAVELER_LIST_DEFAULT_PAST_DAYS} days ago to ${TRAVELER_LIST_DEFAULT_SPAN_DAYS - TRAVELER_LIST_DEFAULT_PAST_DAYS} days ahead; with one date, the other is ${TRAVELER_LIST_DEFAULT_SPAN_DAYS} days from it. The trips are Concur’s current ones, by start date, with Concur’s name, dates and \`tripStatus\`, and only those holding your bookings or created by you.`,
        '',
        '**Paging:** pass `nextCursor` back as `cursor` with the same filters. A cursor is opaque and good for your own listing only: one of another supplier, another company or other filters, or an altered one, is refused with 400 naming `cursor`.',
      ].join('\n'),
      query: tripListQuerySchema,
      success: [200, tripListSchema, 'A page of your trips.'],
      problems: [400],
      upstream: true,
    },
    getTrip: {
      summary: 'Read a trip; other sources’ bookings are shown without their details',
      success: [200, tripResultSchema, 'The trip.'],
      problems: [404],
      upstream: true,
    },
    updateTrip: {
      summary: 'Replace a trip the supplier created (segments not sent again disappear)',
      body: [tripRequestSchema('tmc'), 'The whole trip.'],
      success: [200, tripResultSchema, 'The replaced trip.'],
      problems: [400, 404, 422],
      problemDescriptions: { 422: TRAVELER_422 },
      upstream: true,
    },
    cancelTrip: {
      summary: 'Cancel every segment of a trip the supplier created',
      success: [200, tripResultSchema, 'The cancelled trip.'],
      problems: [404],
      upstream: true,
    },
    getSandboxFaults: {
      summary: 'Test keys: the faults of your sandbox company at the Concur simulator',
      success: [200, sandboxFaultsSchema, 'Your sandbox company and its faults in force.'],
      problemDescriptions: { 403: SANDBOX_403 },
      upstream: true,
    },
    replaceSandboxFaults: {
      summary:
        'Test keys: rehearse failures (a 503 storm, a lost answer, slow answers) on your sandbox company',
      description:
        'Replaces every fault of your sandbox company (`sandbox-<supplierId>`) at the Concur simulator with those given. They strike only the calls the gateway makes for that company: no other supplier’s sandbox and no live company sees them. Your next requests then show what the gateway does when Concur fails so: e.g. `{"errorRates":[{"route":"bookingPost","status":503,"rate":1}]}` makes the next booking PUT answer 503 `concur-unavailable` with `Retry-After` after the gateway’s retries; `{"next":[{"route":"bookingPost","action":{"kind":"destroy","commit":true}}]}` loses the answer to a post that took effect, which the gateway posts again. A scripted failure is spent by the calls it strikes; clear the rest with DELETE.',
      body: [sandboxFaultRulesSchema, 'The faults; an empty object clears them.'],
      success: [200, sandboxFaultsSchema, 'Your sandbox company and its faults in force.'],
      problemDescriptions: {
        400: 'Not faults the simulator takes: every problem with its JSON path.',
        403: SANDBOX_403,
      },
      upstream: true,
    },
    createSandboxAgencyTrip: {
      summary:
        'Test keys: rehearse a merged trip, with a trip the traveler’s agency booked in your sandbox company',
      description:
        'Concur merges a posted booking into the traveler’s trip whose dates span it, even a trip booked elsewhere. This books such a trip at the simulator for a traveler of your sandbox company: one hotel stay of another booking source (`TravelAgency`) over the dates given. Your next booking PUT for that traveler within those dates, without `trip.tripId`, joins it: its answer names this trip, and reading the trip shows the agency’s booking without its details.',
      body: [agencyTripRequestSchema, 'The traveler and the trip’s dates.'],
      success: [201, agencyTripSchema, 'The trip booked elsewhere.'],
      problems: [404],
      problemDescriptions: {
        403: SANDBOX_403,
        404: 'No such traveler in your sandbox company.',
      },
      upstream: true,
    },
    clearSandboxFaults: {
      summary: 'Test keys: remove every fault of your sandbox company',
      success: [204, 'any', 'Cleared.'],
      problemDescriptions: { 403: SANDBOX_403 },
      upstream: true,
    },
    translateBooking: {
      summary:
        'Dry run of the booking PUT: the same body, defaults and refusals; answers the Concur XML the PUT would post',
      query: translateBookingQuerySchema,
      body: [putBookingRequestSchema('tmc'), 'The body of the booking PUT.'],
      success: [200, translationSchema, 'The Concur XML.'],
      problems: [400, 403],
    },
    translateTrip: {
      summary:
        'Dry run of the trip create: the same body, defaults and refusals; answers the Concur XML the create would post',
      query: translateTripQuerySchema,
      body: [tripRequestSchema('tmc'), 'The body of the trip create.'],
      success: [200, translationSchema, 'The Concur XML.'],
      problems: [400, 403],
    },
    receiveConcurEvent: {
      summary: "Receive Concur's itinerary events (ESS), signed in Concur-Signature; applied from a queue",
      description:
        "For Concur's Event Subscription Service only (topic `public.concur.travel.itinerary`): each verified event is queued and answered 202 at once; the trip it names is then read with Itinerary v4 and compared with the gateway's mappings, and the supplier that owns a changed booking is told (`booking.changed_in_concur`, `booking.cancelled_in_concur` under `webhooks`). Another topic or event type is answered 200 and ignored.",
      body: [itineraryEventSchema, "Concur's itinerary event: {id, eventType, topic, timeStamp, facts}."],
      success: [
        202,
        concurEventAcceptedSchema,
        'Accepted: queued to be applied (an event id seen before is applied once).',
      ],
      problems: [400, 401, 413],
      problemDescriptions: {
        400: 'Signed, but no itinerary event: every problem with its JSON path (ESS does not retry a 4xx).',
        401: 'No Concur-Signature, or one that does not verify with the configured Concur public key (ESS retries).',
      },
    },
    receiveWebhook: {
      summary:
        'Receive a partner event, signed as Standard Webhooks prescribe; applied from the events queue',
      body: [envelopeSchema, 'The event: {type, timestamp, data} (docs/events.md).'],
      success: [
        202,
        operationAcceptedSchema,
        'Accepted (or, for a webhook-id seen before, the original operation).',
      ],
      problems: [400, 401, 403, 413],
      problemDescriptions: {
        401: 'No valid signature by a current secret of this endpoint, or a timestamp more than 5 minutes away.',
        403: 'The event names a company or booking source of someone else.',
      },
    },
    getOperation: {
      summary: 'The outcome of an event or of a request answered with 202',
      success: [200, operationSchema, 'The operation, with the result or the problem once final.'],
      problems: [404],
    },
    createWebhookEndpoint: {
      summary:
        'Register a webhook endpoint: the events of your operations (and, later, of Concur) are sent there',
      description: `Answers the endpoint with its signing secret (\`whsec_…\`), shown only here and at rotation. Every message is signed as [Standard Webhooks](https://www.standardwebhooks.com/) prescribe (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\`); the events are under \`webhooks\` in this document. At most ${MAX_ENDPOINTS_PER_SUPPLIER} endpoints per supplier.`,
      body: [
        createEndpointRequestSchema,
        'The URL, and optionally the event types it takes and a description.',
      ],
      success: [201, webhookEndpointWithSecretSchema, 'Created; Location names it.'],
      problems: [400, 409],
      problemDescriptions: {
        400: 'Not valid: every problem with its JSON path; a URL that is not https or names a private, loopback, link-local or metadata address is refused naming `url`.',
        409: `You already have ${MAX_ENDPOINTS_PER_SUPPLIER} endpoints; or the Idempotency-Key is in use.`,
      },
    },
    listWebhookEndpoints: {
      summary: 'Your webhook endpoints',
      success: [200, webhookEndpointListSchema, 'Oldest first; never their secrets.'],
    },
    getWebhookEndpoint: {
      summary: 'A webhook endpoint: its status, and since when it has been failing',
      success: [200, webhookEndpointSchema, 'The endpoint, without its secret.'],
      problems: [404],
    },
    updateWebhookEndpoint: {
      summary: 'Change an endpoint’s URL, event types or description; disable it, or enable it again',
      body: [updateEndpointRequestSchema, 'What changes.'],
      success: [200, webhookEndpointSchema, 'The changed endpoint.'],
      problems: [400, 404, 409],
      problemDescriptions: {
        409: 'The gateway’s operator disabled the endpoint; or the Idempotency-Key is in use.',
      },
    },
    deleteWebhookEndpoint: {
      summary: 'Delete an endpoint and its secret; its pending messages are not sent',
      success: [204, 'any', 'Deleted.'],
      problems: [404],
    },
    rotateWebhookEndpointSecret: {
      summary: 'A new signing secret; the old one keeps signing beside it for the grace (24 h by default)',
      body: [rotateSecretRequestSchema, 'Optional: the grace in seconds.'],
      success: [200, webhookEndpointWithSecretSchema, 'The endpoint with its new secret, shown only here.'],
      problems: [404],
    },
    testWebhookEndpoint: {
      summary: 'Send a `ping` to the endpoint (delivered and retried like every message)',
      success: [202, webhookQueuedSchema, 'Queued; its attempts appear under …/deliveries.'],
      problems: [404, 409],
      problemDescriptions: { 409: 'The endpoint is disabled.' },
    },
    listWebhookDeliveries: {
      summary: 'The endpoint’s delivery attempts, newest first (kept 30 days)',
      query: deliveriesQuerySchema,
      success: [200, webhookDeliveriesSchema, 'A page of attempts; pass nextCursor back as cursor.'],
      problems: [400, 404],
    },
    recoverWebhookMessages: {
      summary: 'Send again every message that failed since a time (same webhook-id, a fresh schedule)',
      body: [recoverRequestSchema, 'Since when.'],
      success: [202, webhookRecoveredSchema, 'How many messages are queued again.'],
      problems: [404, 409],
      problemDescriptions: { 409: 'The endpoint is disabled: enable it first.' },
    },
    listBookings: {
      summary: 'List your bookings, the most recently changed first',
      description: [
        'Your booking mappings in the companies you act for, from the gateway’s records (no call to Concur), newest change first. Filters: `companyId`, `status`, `confirmationNumber` (the numbers starting with it), `updatedSince`.',
        '',
        `A page reads at most ${ACTIVITY_MAX_EXAMINED} records: with a narrow filter it may hold fewer than \`limit\` bookings, or none, and still carry a \`nextCursor\`. The list is eventually consistent: a booking changed a moment ago may show its previous state. Pass \`nextCursor\` back as \`cursor\` with the same filters.`,
      ].join('\n'),
      query: bookingListQuerySchema,
      success: [200, bookingListSchema, 'A page of your bookings.'],
      problems: [400, 403],
    },
    getBookingHistory: {
      summary: 'A booking’s history: every change of its mapping, newest first',
      description:
        'One record per stored change (a PUT, a cancel, a rebooking’s steps, a trip replace or cancel that dropped it), whether it came from a request, a partner event or a request answered with 202: when, what, who, what Concur answered (status, correlation id) and the mapping’s version after it. Records are kept 90 days.',
      query: bookingHistoryQuerySchema,
      success: [200, bookingHistorySchema, 'A page of the history.'],
      problems: [400, 403, 404],
    },
    listOperations: {
      summary:
        'List your operations (partner events, requests answered with 202), the most recently changed first',
      description: `A parked or failed operation carries its problem. A page reads at most ${ACTIVITY_MAX_EXAMINED} records.`,
      query: operationListQuerySchema,
      success: [200, operationListSchema, 'A page of your operations.'],
      problems: [400],
    },
    health: { summary: 'Liveness', success: [200, healthSchema, 'The gateway is up.'] },
    openapi: { summary: 'This document', success: [200, z.looseObject({}), 'OpenAPI 3.1.'] },
    docs: { summary: 'The API reference page', success: [200, 'html', 'HTML.'] },
    console: {
      summary: 'The supplier console (sign in with your API key)',
      success: [200, 'html', 'HTML.'],
    },
    consoleAsset: {
      summary: 'A file of the supplier console, by the hashed name the page gives it (cached for good)',
      success: [200, 'asset', 'CSS or JavaScript.'],
      problems: [404],
      problemDescriptions: { 404: 'No such file.' },
    },
    docsAsset: {
      summary: 'A file of the API reference page',
      success: [200, 'asset', 'CSS or JavaScript.'],
      problems: [404],
      problemDescriptions: { 404: 'No such file.' },
    },
  };
}

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid: every problem with its JSON path.',
  401: 'No valid API key.',
  403: 'The API key may not act for this company or booking source.',
  404: 'Not found, or not the supplier’s.',
  409: 'Stale update, a change in progress, or a request with this Idempotency-Key still in progress.',
  413: 'The body is larger than the route accepts (see the request body).',
  415: 'The body is not application/json.',
  422: 'The Idempotency-Key was already used with another body.',
  429: 'The supplier sent more requests this second than its rate allows (Retry-After), or Concur asks to slow down.',
  502: 'Concur refused the request or answered something unusable (Concur’s status, message, correlation id).',
  503: 'Concur is unavailable after retries, or the Idempotency-Key store is (send again with the same key).',
  504: 'Concur did not answer in time, or did not confirm the outcome.',
};

/** A route the descriptions above do not know yet is still documented, plainly. */
const undescribed = (route: RouteDefinition): Operation => ({
  summary: route.operationId,
  success: [route.method === 'POST' ? 201 : 200, 'any', 'Success.'],
});

const PATH_PARAMETERS: Record<string, { description: string; schema?: JsonObject }> = {
  companyId: { description: 'The Concur company the supplier acts for.' },
  supplierId: {
    description: 'The supplier whose webhook endpoint this is: its secrets check the signature.',
  },
  operationId: { description: 'The operation id of a 202 answer.' },
  endpointId: { description: 'The webhook endpoint’s id (ep_…).' },
  confirmationNumber: { description: 'The supplier’s confirmation number of the booking.' },
  tripId: { description: 'The Concur trip id.' },
  file: {
    description:
      'A file of the console, named with a digest of its content (e.g. console.3f2a9c1b4d5e.js) as the page names it.',
  },
  asset: {
    description: 'A file of the page.',
    schema: { type: 'string', enum: [...DOCS_ASSET_NAMES] },
  },
};

function parameters(route: RouteDefinition, operation: Operation): JsonObject[] {
  const out: JsonObject[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
    const known = PATH_PARAMETERS[name!];
    return {
      name,
      in: 'path',
      required: true,
      ...(known ? { description: known.description } : {}),
      schema: known?.schema ?? { type: 'string', minLength: 1, maxLength: MAX_PATH_PARAMETER_LENGTH },
    };
  });
  if (operation.query) {
    const converted = z.toJSONSchema(operation.query, { io: 'input', unrepresentable: 'any' }) as JsonObject;
    // A named schema comes back as a $ref into $defs.
    const id = z.globalRegistry.get(operation.query)?.id;
    const query = (id ? (converted.$defs as Record<string, JsonObject>)[id] : converted) as {
      properties: Record<string, JsonObject>;
      required?: string[];
    };
    for (const [name, schema] of Object.entries(query.properties)) {
      const { description, ...rest } = schema;
      const required = query.required?.includes(name) ?? false;
      out.push({ name, in: 'query', required, schema: rest, ...(description ? { description } : {}) });
    }
  }
  if (route.function === 'changes') {
    out.push({
      name: 'Concur-Signature',
      in: 'header',
      required: true,
      description:
        "ESS's signature of the raw body: base64 RSA-SHA256, verified with Concur's published public key (docs/events.md).",
      schema: { type: 'string' },
    });
  } else if (route.signed) {
    for (const [name, description] of [
      ['webhook-id', 'The event id: the same id again is the same event (its operation is answered again).'],
      ['webhook-timestamp', 'Seconds since the epoch; at most 5 minutes away from now.'],
      [
        'webhook-signature',
        'Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per secret the sender signs with.',
      ],
    ] as const) {
      out.push({ name, in: 'header', required: true, description, schema: { type: 'string' } });
    }
  }
  if (route.respondAsync) {
    out.push({
      name: 'Prefer',
      in: 'header',
      required: false,
      description:
        '`respond-async`: validated now, applied from the events queue; answered 202 with the operation (GET /v1/operations/{operationId}).',
      schema: { type: 'string' },
    });
  }
  if (route.method !== 'GET') {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: `Makes the request safe to retry (Stripe's semantics): the same key with the same body answers the stored response again (header Idempotent-Replayed: true) without calling Concur; the same key with another body is refused (422); while the first request runs, 409. Only successful answers are stored; keys are kept ${IDEMPOTENCY_TTL_SECONDS / 3600} hours.`,
      schema: { type: 'string', maxLength: 255 },
    });
  }
  return out;
}

function successResponse(operation: Operation): JsonObject {
  const [, schema, description] = operation.success;
  if (schema === 'any') return { description };
  if (schema === 'html') return { description, content: { 'text/html': { schema: { type: 'string' } } } };
  if (schema === 'asset') {
    return {
      description,
      content: {
        'text/css': { schema: { type: 'string' } },
        'text/javascript': { schema: { type: 'string' } },
      },
    };
  }
  return json(schema, description);
}

/** Answers to a supplier's key carry `livemode` (shared/http/http-function.ts): their JSON schemas, to extend. */
const answerSchemas: { schema: JsonObject }[] = [];

function withLivemode(response: JsonObject): void {
  const content = (response.content as Record<string, { schema: JsonObject }> | undefined)?.[
    'application/json'
  ];
  if (content) answerSchemas.push(content);
}

const LIVEMODE = {
  type: 'boolean',
  description:
    'false when a test key (cgw_test_…) made the request: the sandbox answered, not a real Concur.',
};

const extendedWithLivemode = (schema: JsonObject): JsonObject => {
  const { properties, required } = schema as { properties?: JsonObject; required?: string[] };
  if (!properties) throw new Error('an answer that is not an object cannot carry livemode');
  return {
    ...schema,
    properties: { ...properties, livemode: LIVEMODE },
    required: [...(required ?? []), 'livemode'],
  };
};

/**
 * Adds `livemode` to each answer's schema: inline, or in its component, or, for a component the webhooks' events
 * also carry (which have no `livemode`), in a component of its own, `{name}Answer`.
 */
function addLivemode(schemas: Record<string, JsonObject>, webhooks: unknown): void {
  const inWebhooks = JSON.stringify(webhooks);
  const extended = new Set<string>();
  for (const content of answerSchemas) {
    const ref = content.schema.$ref;
    if (typeof ref !== 'string') {
      if (!(content.schema.properties as JsonObject | undefined)?.livemode)
        content.schema = extendedWithLivemode(content.schema);
      continue;
    }
    const id = ref.slice('#/components/schemas/'.length);
    if (inWebhooks.includes(`"${ref}"`)) {
      schemas[`${id}Answer`] ??= extendedWithLivemode(schemas[id]!);
      content.schema = { $ref: `${ref}Answer` };
    } else if (!extended.has(id)) {
      schemas[id] = extendedWithLivemode(schemas[id]!);
      extended.add(id);
    }
  }
}

function operationObject(route: RouteDefinition): JsonObject {
  const operation = Object.hasOwn(describedOperations(), route.operationId)
    ? describedOperations()[route.operationId]!
    : undescribed(route);
  const responses: Record<string, JsonObject> = { [operation.success[0]]: successResponse(operation) };
  if (route.operationId === 'putBooking') responses['200'] = json(bookingResultSchema, 'Updated.');
  if (route.respondAsync)
    responses['202'] = json(
      operationAcceptedSchema,
      'Prefer: respond-async: accepted; Location names the operation.',
    );
  if (route.authenticated) Object.values(responses).forEach(withLivemode);
  const statuses = new Set(operation.problems ?? []);
  // An authenticated request beyond the supplier's own rate is refused before any work.
  if (route.authenticated) [401, 403, 429].forEach((s) => statuses.add(s));
  if (operation.body) [400, 413, 415].forEach((s) => statuses.add(s));
  // Every POST and PUT takes an Idempotency-Key: reused with another body (422) or still in progress (409).
  if (route.method !== 'GET') [409, 422].forEach((s) => statuses.add(s));
  if (operation.upstream) [429, 502, 503, 504].forEach((s) => statuses.add(s));
  for (const status of [...statuses].sort((a, b) => a - b)) {
    responses[String(status)] = problem(
      operation.problemDescriptions?.[status] ?? PROBLEM_DESCRIPTIONS[status] ?? 'A problem.',
      status === 429 || status === 503,
    );
  }
  return {
    operationId: route.operationId,
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [route.function],
    parameters: parameters(route, operation),
    ...(operation.body
      ? {
          requestBody: {
            required: route.operationId !== 'cancelBooking',
            ...json(
              operation.body[0],
              `${operation.body[1]} At most ${maxBodyBytesOf(route)} bytes (413 beyond).`,
            ),
            'x-max-body-bytes': maxBodyBytesOf(route),
          },
        }
      : {}),
    responses,
    security: route.authenticated ? [{ apiKey: [] }] : [],
  };
}

const TAG_DESCRIPTIONS: Record<string, string> = {
  bookings: 'Bookings by confirmation number, posted to Concur.',
  trips:
    'Trips the supplier creates, and the trips that hold its bookings; and, for test keys, the faults of their sandbox company.',
  translate: 'Dry runs: the Concur XML a document would become, without calling Concur.',
  events: 'Partner events (signed webhooks) and the operations that apply events and asynchronous requests.',
  changes: "Changes made in Concur: Concur's ESS delivers itinerary events here.",
  endpoints:
    'Your webhook endpoints: where the gateway sends you signed events (see `webhooks`), their attempts, recovery.',
  meta: 'Health, this document and the reference page.',
};

const EVENT_SUMMARIES: Record<string, string> = {
  'operation.succeeded': 'An operation of yours (a partner event, a Prefer: respond-async request) succeeded',
  'operation.parked': 'An operation of yours was parked: Concur refused it, or it kept failing',
  'operation.failed': 'An operation of yours failed',
  'booking.changed_in_concur': 'Your booking was changed in Concur by someone other than this gateway',
  'booking.cancelled_in_concur':
    'Your booking was cancelled or removed in Concur by someone other than this gateway',
  'trip.changed_in_concur': 'A trip you created was changed in Concur by someone other than this gateway',
  'trip.cancelled_in_concur': 'A trip you created was cancelled in Concur by someone other than this gateway',
  ping: 'Sent by POST /v1/webhook-endpoints/{endpointId}/test',
};

/** The events suppliers' endpoints receive (OpenAPI 3.1 `webhooks`): one signed POST each. */
function supplierWebhooks(): Record<string, JsonObject> {
  const headers = [
    ['webhook-id', 'The message id (msg_…): the same at every attempt; deduplicate by it.'],
    ['webhook-timestamp', 'Seconds since the epoch, when this attempt was signed.'],
    [
      'webhook-signature',
      'Space-separated `v1,<base64 HMAC-SHA256 of id.timestamp.body>`, one per secret the endpoint has (two during a rotation’s grace).',
    ],
  ].map(([name, description]) => ({
    name,
    in: 'header',
    required: true,
    description,
    schema: { type: 'string' },
  }));
  return Object.fromEntries(
    SUPPLIER_EVENT_TYPES.map((type) => [
      type,
      {
        post: {
          operationId: type,
          summary: EVENT_SUMMARIES[type],
          tags: ['endpoints'],
          parameters: headers,
          requestBody: {
            required: true,
            ...json(supplierEventBodySchema(type, supplierEventData[type]!), `The ${type} event.`),
          },
          responses: {
            '2XX': { description: 'Received: the message ends delivered.' },
            '429': {
              description:
                'Tried again on the schedule, after Retry-After when it is sooner than the next step after.',
            },
            '5XX': { description: 'Tried again on the schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h).' },
            default: { description: 'Any other status ends the message failed; recover sends it again.' },
          },
        },
      },
    ]),
  );
}

let cached: JsonObject | undefined;

export function buildOpenApiDocument(options: { serverUrl?: string } = {}): JsonObject {
  cached ??= (() => {
    const paths: Record<string, Record<string, JsonObject>> = {};
    for (const route of routes)
      (paths[route.path] ??= {})[route.method.toLowerCase()] = operationObject(route);
    const webhooks = supplierWebhooks();
    addDiscriminators(components);
    addLivemode(components, webhooks);
    return {
      openapi: '3.1.0',
      info: {
        title: 'Concur Itinerary Gateway',
        version: '1.0.0',
        description:
          'Send bookings and trips as JSON; the gateway turns them into SAP Concur Itinerary v1.1 calls. Documents use the JSON form of Concur’s XML (keys are element names with the first letter lower-cased; lists are arrays; segments and charges carry a `kind`). Errors are RFC 9457 problem details.',
      },
      tags: [...new Set(routes.map((route) => route.function))].map((name) => ({
        name,
        ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}),
      })),
      paths,
      webhooks,
      components: {
        schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <api key>' },
        },
      },
    };
  })();
  return options.serverUrl ? { ...cached, servers: [{ url: options.serverUrl }] } : cached;
}
