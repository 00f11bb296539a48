/** Lambda: health, the OpenAPI document, the API reference page and the supplier console. */
import { edgeGuard } from '../../shared/composition/edge';
import { gatewayLogger } from '../../shared/composition/logging';
import { docsAsset, renderDocsPage } from '../../shared/http/docs-page';
import { httpFunction } from '../../shared/http/http-function';
import { metaRoutes } from '../../shared/http/routes/meta';
import { HttpProblem } from '../../shared/http/problem-responses';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import {
  CONSOLE_ASSET_CACHE,
  CONSOLE_SECURITY_HEADERS,
  consoleAsset,
  renderConsolePage,
} from '../../shared/console/console-page';

export const handler = httpFunction(
  metaRoutes,
  {
    health: async () => ({ status: 200, body: { status: 'ok' } }),
    openapi: async ({ origin }) => ({ status: 200, body: buildOpenApiDocument({ serverUrl: origin }) }),
    docs: async () => ({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: renderDocsPage({ openApiUrl: '/openapi.json', assetBaseUrl: '/docs/assets' }),
    }),
    docsAsset: async ({ pathParameters }) => {
      const asset = docsAsset(pathParameters.asset ?? '');
      if (!asset) throw new HttpProblem(404, 'not-found', 'Not found', `no asset ${pathParameters.asset}`);
      return {
        status: 200,
        contentType: asset.contentType,
        body: asset.body,
        headers: { 'cache-control': 'public, max-age=86400' },
      };
    },
    console: async () => ({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      body: renderConsolePage('/console/assets'),
      // The page names the current files: it is asked for again each time, its files never.
      headers: { ...CONSOLE_SECURITY_HEADERS, 'cache-control': 'no-cache' },
    }),
    consoleAsset: async ({ pathParameters }) => {
      const asset = consoleAsset(pathParameters.file ?? '');
      if (!asset)
        throw new HttpProblem(404, 'not-found', 'Not found', `no console file ${pathParameters.file}`);
      return {
        status: 200,
        contentType: asset.contentType,
        body: asset.body,
        headers: { ...CONSOLE_SECURITY_HEADERS, 'cache-control': CONSOLE_ASSET_CACHE },
      };
    },
  },
  () => ({ logger: gatewayLogger(), edge: edgeGuard() }),
);
