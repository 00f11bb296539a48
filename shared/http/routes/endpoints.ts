/** The endpoints function’s routes: the supplier’s webhook endpoints and their deliveries. */
import type { RouteDefinition } from '../route-definition';

export const endpointsRoutes = [
  {
    method: 'POST',
    path: '/v1/webhook-endpoints',
    function: 'endpoints',
    operationId: 'createWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints',
    function: 'endpoints',
    operationId: 'listWebhookEndpoints',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints/{endpointId}',
    function: 'endpoints',
    operationId: 'getWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'PATCH',
    path: '/v1/webhook-endpoints/{endpointId}',
    function: 'endpoints',
    operationId: 'updateWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'DELETE',
    path: '/v1/webhook-endpoints/{endpointId}',
    function: 'endpoints',
    operationId: 'deleteWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/{endpointId}/rotate-secret',
    function: 'endpoints',
    operationId: 'rotateWebhookEndpointSecret',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/{endpointId}/test',
    function: 'endpoints',
    operationId: 'testWebhookEndpoint',
    authenticated: true,
  },
  {
    method: 'GET',
    path: '/v1/webhook-endpoints/{endpointId}/deliveries',
    function: 'endpoints',
    operationId: 'listWebhookDeliveries',
    authenticated: true,
  },
  {
    method: 'POST',
    path: '/v1/webhook-endpoints/{endpointId}/recover',
    function: 'endpoints',
    operationId: 'recoverWebhookMessages',
    authenticated: true,
  },
] as const satisfies readonly RouteDefinition[];
