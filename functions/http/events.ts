/** Lambda: partner webhooks (Standard Webhooks signatures) and the operations they and async requests create. */
import { getOperation, receiveWebhook } from '../../shared/events/http-routes';
import { httpFunction } from '../../shared/http/http-function';
import { eventsRoutes } from '../../shared/http/routes/events';
import { supplierRouteDependencies } from '../../shared/composition/dynamodb';
import { eventIntake } from '../../shared/composition/events';

export const handler = httpFunction(
  eventsRoutes,
  {
    receiveWebhook: async (request) => receiveWebhook(eventIntake(), request),
    getOperation: async (request) => getOperation(eventIntake(), request),
  },
  supplierRouteDependencies,
);
