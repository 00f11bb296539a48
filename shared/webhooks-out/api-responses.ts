/**
 * What the webhook endpoint routes answer, and the events endpoints receive, as zod schemas for the OpenAPI
 * document only (the routes build plain objects of these types).
 */
import { concurChangeSchema, concurTripChangeSchema } from '../change-notices/api-responses';
import * as z from '../zod';
import { withMeta } from '../zod';
import { operationSchema } from '../gateway/api-responses';
import { SUBSCRIBABLE_EVENT_TYPES } from './api-contract';

const endpointFields = {
  id: z.string().apply(withMeta, { description: 'ep_…' }),
  url: z.string(),
  eventTypes: z.array(z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]])),
  description: z.optional(z.string()),
  status: z.enum(['enabled', 'disabled']),
  disabledBy: z.optional(z.enum(['supplier', 'operator', 'failing'])).apply(withMeta, {
    description:
      'failing: every attempt failed for 5 days; enable it again with PATCH {"status": "enabled"}.',
  }),
  disabledAt: z.optional(z.string()),
  failingSince: z
    .optional(z.string())
    .apply(withMeta, { description: 'The first failed attempt since the last successful one.' }),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const webhookEndpointSchema = z
  .strictObject({ endpoint: z.strictObject(endpointFields) })
  .apply(withMeta, { id: 'WebhookEndpoint' });

export const webhookEndpointWithSecretSchema = z
  .strictObject({
    endpoint: z.strictObject({
      ...endpointFields,
      secret: z.string().apply(withMeta, {
        description:
          'whsec_…: the signing secret, shown only here. Verify webhook-signature with it (Standard Webhooks).',
      }),
    }),
  })
  .apply(withMeta, { id: 'WebhookEndpointWithSecret' });

export const webhookEndpointListSchema = z
  .strictObject({ endpoints: z.array(z.strictObject(endpointFields)) })
  .apply(withMeta, { id: 'WebhookEndpointList' });

export const webhookDeliveriesSchema = z
  .strictObject({
    deliveries: z.array(
      z.strictObject({
        messageId: z.string().apply(withMeta, { description: 'The webhook-id.' }),
        eventType: z.string(),
        attemptedAt: z.string(),
        attempt: z.number().check(z.int(), z.gte(1)),
        status: z
          .optional(z.number().check(z.int()))
          .apply(withMeta, { description: 'Your answer’s status.' }),
        error: z.optional(z.string()).apply(withMeta, { description: 'Why no answer came.' }),
        latencyMs: z.number(),
        answer: z.optional(z.string()).apply(withMeta, { description: 'At most 1 KB of your answer.' }),
      }),
    ),
    nextCursor: z.optional(z.string()),
  })
  .apply(withMeta, { id: 'WebhookDeliveries' });

export const webhookQueuedSchema = z
  .strictObject({ message: z.strictObject({ id: z.string(), type: z.literal('ping') }) })
  .apply(withMeta, { id: 'WebhookPingQueued' });

export const webhookRecoveredSchema = z
  .strictObject({ recovered: z.number().check(z.int(), z.gte(0)) })
  .apply(withMeta, { id: 'WebhookRecovered' });

/** The body of every event (OpenAPI `webhooks`): `data` depends on the type. */
export const supplierEventBodySchema = (type: string, data: z.ZodMiniType) =>
  z.strictObject({
    type: z.literal(type),
    timestamp: z.string().apply(withMeta, { description: 'When it happened (ISO 8601).' }),
    livemode: z.boolean().apply(withMeta, {
      description:
        'False for an event of a test key’s sandbox (its endpoints are the test key’s own), true for a live one.',
    }),
    data,
  });

/** Each event type's `data`. */
export const supplierEventData: Record<string, z.ZodMiniType> = {
  'operation.succeeded': operationSchema,
  'operation.parked': operationSchema,
  'operation.failed': operationSchema,
  'booking.changed_in_concur': concurChangeSchema,
  'booking.cancelled_in_concur': concurChangeSchema,
  'trip.changed_in_concur': concurTripChangeSchema,
  'trip.cancelled_in_concur': concurTripChangeSchema,
  ping: z.strictObject({ endpointId: z.string() }).apply(withMeta, { id: 'Ping' }),
};
