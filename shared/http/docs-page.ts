/**
 * The API reference page: Swagger UI, served by the gateway itself (no CDN: neither Lambda nor this machine
 * should depend on one), reading /openapi.json.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The files of swagger-ui-dist the page uses; nothing else is served. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
};

const cache = new Map<string, Buffer>();

export function docsAsset(name: string): { body: Buffer; contentType: string } | undefined {
  const contentType = ASSETS[name];
  if (!contentType) return undefined;
  let body = cache.get(name);
  if (!body) {
    const distPath = (
      createRequire(import.meta.url)('swagger-ui-dist') as { getAbsoluteFSPath(): string }
    ).getAbsoluteFSPath();
    body = readFileSync(join(distPath, name));
    cache.set(name, body);
  }
  return { body, contentType };
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function renderDocsPage(options: { openApiUrl: string; assetBaseUrl: string }): string {
  const assets = escapeAttribute(options.assetBaseUrl);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Concur Itinerary Gateway — API reference</title>
<link rel="stylesheet" href="${assets}/swagger-ui.css">
</head>
<body>
<div id="api-reference"></div>
<script src="${assets}/swagger-ui-bundle.js"></script>
<script>
  window.ui = SwaggerUIBundle({ url: ${JSON.stringify(options.openApiUrl)}, dom_id: '#api-reference', deepLinking: true });
</script>
</body>
</html>
`;
}
