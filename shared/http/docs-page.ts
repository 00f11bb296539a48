/**
 * The API reference page: Swagger UI, served by the gateway itself (no CDN: neither Lambda nor this machine
 * should depend on one), reading /openapi.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The files of swagger-ui-dist the page uses; nothing else is served (a Map: no inherited keys). */
const ASSETS: ReadonlyMap<string, string> = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
]);

/** The names `docsAsset` serves, e.g. for the `{asset}` path parameter of `GET /docs/assets/{asset}`. */
export const DOCS_ASSET_NAMES: readonly string[] = [...ASSETS.keys()];

/** Where a Lambda bundle carries the assets: beside itself (the stack copies them there at bundling). */
export const BUNDLED_DOCS_ASSETS_DIR = 'swagger-ui';

const cache = new Map<string, Buffer>();
let assetsDir: string | undefined;

/** The bundle's copy when there is one; from source, swagger-ui-dist itself. */
function locateAssets(): string {
  const bundled = fileURLToPath(new URL(`./${BUNDLED_DOCS_ASSETS_DIR}/`, import.meta.url));
  if (existsSync(bundled)) return bundled;
  return (
    createRequire(import.meta.url)('swagger-ui-dist') as { getAbsoluteFSPath(): string }
  ).getAbsoluteFSPath();
}

/** A file of the page by its bare name, read on first use and kept; `undefined` for anything not allowed. */
export function docsAsset(name: string): { body: Buffer; contentType: string } | undefined {
  const contentType = ASSETS.get(name);
  if (!contentType) return undefined;
  let body = cache.get(name);
  if (!body) {
    assetsDir ??= locateAssets();
    body = readFileSync(join(assetsDir, name));
    cache.set(name, body);
  }
  return { body, contentType };
}

const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A JSON literal that cannot end the <script> element it is written into. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

export const DOCS_PAGE_TITLE = 'Concur Itinerary Gateway — API reference';

export function renderDocsPage(options: { openApiUrl: string; assetBaseUrl: string }): string {
  const assets = escapeHtml(options.assetBaseUrl.replace(/\/+$/, ''));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(DOCS_PAGE_TITLE)}</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
</head>
<body>
<div id="api-reference"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script>
  window.ui = SwaggerUIBundle({ url: ${scriptJson(options.openApiUrl)}, dom_id: '#api-reference', deepLinking: true });
</script>
</body>
</html>
`;
}
