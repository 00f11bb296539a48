/** What the webhook endpoint routes accept: request bodies and queries (zod), read by the routes and the OpenAPI document. */
import * as z from '../zod';
import { withMeta } from '../zod';
import { SUPPLIER_EVENT_TYPES } from './event-types';

/** Event types an endpoint can ask for (`ping` goes only to the endpoint being tested). */
export const SUBSCRIBABLE_EVENT_TYPES = SUPPLIER_EVENT_TYPES.filter((type) => type !== 'ping');
/** Endpoints per supplier: each event is recorded and sent once per endpoint. */
export const MAX_ENDPOINTS_PER_SUPPLIER = 20;
export const MAX_GRACE_SECONDS = 7 * 24 * 3600;
export const DEFAULT_GRACE_SECONDS = 24 * 3600;

const url = z.string().check(z.minLength(1), z.maxLength(2048)).apply(withMeta, {
  description:
    'Where the events go: https, to a public address (private, loopback, link-local and metadata addresses are refused, here and again before every send); redirects are not followed.',
});
const eventTypes = z
  .array(z.enum(SUBSCRIBABLE_EVENT_TYPES as [string, ...string[]]))
  .check(
    z.maxLength(SUBSCRIBABLE_EVENT_TYPES.length),
    z.refine((types) => new Set(types).size === types.length, { error: 'lists a type twice' }),
  )
  .apply(withMeta, { description: 'The event types it receives; empty or absent: every type.' });
const description = z.string().check(z.maxLength(256));

export const createEndpointRequestSchema = z
  .strictObject({ url, eventTypes: z.optional(eventTypes), description: z.optional(description) })
  .apply(withMeta, { id: 'WebhookEndpointCreate' });

export const updateEndpointRequestSchema = z
  .strictObject({
    url: z.optional(url),
    eventTypes: z.optional(eventTypes),
    description: z.optional(description),
    status: z.optional(z.enum(['enabled', 'disabled'])).apply(withMeta, {
      description:
        'enabled again after the gateway disabled it (failures) or you did; an endpoint the operator disabled stays disabled (409).',
    }),
  })
  .check(
    z.refine((body) => Object.keys(body).length > 0, {
      error: 'names at least one of url, eventTypes, description, status',
    }),
  )
  .apply(withMeta, { id: 'WebhookEndpointUpdate' });

export const rotateSecretRequestSchema = z
  .strictObject({
    graceSeconds: z.optional(z.number().check(z.int(), z.gte(0), z.lte(MAX_GRACE_SECONDS))).apply(withMeta, {
      description: `How long the old secret keeps signing beside the new one (${DEFAULT_GRACE_SECONDS} s by default; 0 ends it now).`,
    }),
  })
  .apply(withMeta, { id: 'WebhookSecretRotation' });

export const recoverRequestSchema = z
  .strictObject({
    since: z.iso.datetime({ offset: true }).apply(withMeta, {
      description: 'Every message that failed at or after this time is sent again (same webhook-id).',
    }),
  })
  .apply(withMeta, { id: 'WebhookRecover' });

export const deliveriesQuerySchema = z
  .strictObject({
    limit: z
      .optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)))
      .apply(withMeta, { description: 'Attempts per page (50 by default).' }),
    cursor: z
      .optional(z.string().check(z.maxLength(512)))
      .apply(withMeta, { description: 'The nextCursor of the previous page.' }),
  })
  .apply(withMeta, { id: 'WebhookDeliveriesQuery' });
