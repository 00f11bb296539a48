/** Lambda: health, the OpenAPI document and the API reference page. */
import { gatewayLogger } from '../../shared/composition/logging';
import { docsAsset, renderDocsPage } from '../../shared/http/docs-page';
import { httpFunction } from '../../shared/http/http-function';
import { HttpProblem } from '../../shared/http/problem-responses';
import { buildOpenApiDocument } from '../../shared/http/openapi';

export const handler = httpFunction(
  'meta',
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
  },
  () => ({ logger: gatewayLogger() }),
);
