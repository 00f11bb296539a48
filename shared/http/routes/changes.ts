/** The changes function’s route: ESS deliveries of changes made in Concur. */
import type { RouteDefinition } from '../route-definition';

export const changesRoutes = [
  {
    method: 'POST',
    path: '/v1/concur/events',
    function: 'changes',
    operationId: 'receiveConcurEvent',
    authenticated: false,
    signed: true,
  },
] as const satisfies readonly RouteDefinition[];
