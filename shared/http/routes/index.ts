/**
 * The whole route table, for what describes the API as a whole: the CDK stack, the local server and the
 * OpenAPI document. A route is declared once, in its function's module beside this one; a function's handler
 * is built from that module alone (shared/http/http-function.ts), so no bundle carries another's routes.
 */
import type { RouteDefinition } from '../route-definition';
import { activityRoutes } from './activity';
import { bookingsRoutes } from './bookings';
import { changesRoutes } from './changes';
import { endpointsRoutes } from './endpoints';
import { eventsRoutes } from './events';
import { metaRoutes } from './meta';
import { translateRoutes } from './translate';
import { tripsRoutes } from './trips';

export const routes: readonly RouteDefinition[] = [
  ...bookingsRoutes,
  ...tripsRoutes,
  ...translateRoutes,
  ...eventsRoutes,
  ...changesRoutes,
  ...endpointsRoutes,
  ...activityRoutes,
  ...metaRoutes,
];
