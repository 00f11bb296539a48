/**
 * The meta function’s routes: health, the OpenAPI document, the API reference page and the supplier
 * console.
 */
import type { RouteDefinition } from '../route-definition';

export const metaRoutes = [
  { method: 'GET', path: '/health', function: 'meta', operationId: 'health', authenticated: false },
  { method: 'GET', path: '/openapi.json', function: 'meta', operationId: 'openapi', authenticated: false },
  { method: 'GET', path: '/docs', function: 'meta', operationId: 'docs', authenticated: false },
  {
    method: 'GET',
    path: '/docs/assets/{asset}',
    function: 'meta',
    operationId: 'docsAsset',
    authenticated: false,
  },
  { method: 'GET', path: '/console', function: 'meta', operationId: 'console', authenticated: false },
  {
    method: 'GET',
    path: '/console/assets/{file}',
    function: 'meta',
    operationId: 'consoleAsset',
    authenticated: false,
  },
] as const satisfies readonly RouteDefinition[];
