/** Lambda: the supplier's webhook endpoints (create, read, change, delete, rotate, test, deliveries, recover). */
import { supplierRouteDependencies } from '../../shared/composition/dynamodb';
import { webhookEndpointServices } from '../../shared/composition/webhooks-out';
import { httpFunction } from '../../shared/http/http-function';
import { endpointsRoutes } from '../../shared/http/routes/endpoints';
import {
  createEndpoint,
  deleteEndpoint,
  getEndpoint,
  listDeliveries,
  listEndpoints,
  recoverMessages,
  rotateEndpointSecret,
  testEndpoint,
  updateEndpoint,
} from '../../shared/webhooks-out/http-routes';

export const handler = httpFunction(
  endpointsRoutes,
  {
    createWebhookEndpoint: (request) => createEndpoint(webhookEndpointServices(), request),
    listWebhookEndpoints: (request) => listEndpoints(webhookEndpointServices(), request),
    getWebhookEndpoint: (request) => getEndpoint(webhookEndpointServices(), request),
    updateWebhookEndpoint: (request) => updateEndpoint(webhookEndpointServices(), request),
    deleteWebhookEndpoint: (request) => deleteEndpoint(webhookEndpointServices(), request),
    rotateWebhookEndpointSecret: (request) => rotateEndpointSecret(webhookEndpointServices(), request),
    testWebhookEndpoint: (request) => testEndpoint(webhookEndpointServices(), request),
    listWebhookDeliveries: (request) => listDeliveries(webhookEndpointServices(), request),
    recoverWebhookMessages: (request) => recoverMessages(webhookEndpointServices(), request),
  },
  supplierRouteDependencies,
);
