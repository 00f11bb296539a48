/**
 * The events function’s routes: partner webhooks, and the operations they and asynchronous requests
 * create.
 */
import { EVENT_MAX_BODY_BYTES } from '../route-definition';
import type { RouteDefinition } from '../route-definition';

export const eventsRoutes = [
  {
    method: 'POST',
    path: '/v1/webhooks/{supplierId}',
    function: 'events',
    operationId: 'receiveWebhook',
    authenticated: false,
    signed: true,
    // The operation record keeps the event in one DynamoDB item (400 KB) beside its result.
    maxBodyBytes: EVENT_MAX_BODY_BYTES,
  },
  {
    method: 'GET',
    path: '/v1/operations/{operationId}',
    function: 'events',
    operationId: 'getOperation',
    authenticated: true,
  },
] as const satisfies readonly RouteDefinition[];
