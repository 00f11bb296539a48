/** Lambda: partner webhooks (Standard Webhooks signatures) and the operations they and async requests create. */
import { getOperation, receiveWebhook } from '../../shared/events/http-routes';
import { httpFunction } from '../../shared/http/http-function';
import { getServices } from '../../shared/composition/services';

export const handler = httpFunction(
  'events',
  {
    receiveWebhook: async (request) => receiveWebhook((await getServices()).events, request),
    getOperation: async (request) => getOperation((await getServices()).events, request),
  },
  async () => (await getServices()).http,
);
