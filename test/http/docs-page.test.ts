import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchChromium } from '../support/chromium';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS_ASSET_NAMES, DOCS_PAGE_TITLE, docsAsset, renderDocsPage } from '../../shared/http/docs-page';
import { buildOpenApiDocument } from '../../shared/http/openapi';
import { startTestGateway } from '../gateway/support';

describe('docsAsset', () => {
  it('serves the swagger-ui-dist files the page uses, with their content types', () => {
    expect(DOCS_ASSET_NAMES).toEqual(['swagger-ui.css', 'swagger-ui-bundle.js']);
    const css = docsAsset('swagger-ui.css')!;
    expect(css.contentType).toBe('text/css; charset=utf-8');
    expect(css.body.toString('utf8')).toContain('.swagger-ui');
    const bundle = docsAsset('swagger-ui-bundle.js')!;
    expect(bundle.contentType).toBe('text/javascript; charset=utf-8');
    expect(bundle.body.length).toBeGreaterThan(100_000);
    expect(docsAsset('swagger-ui.css')!.body).toBe(css.body);
  });

  it('serves nothing else', () => {
    for (const name of [
      '',
      'index.html',
      'package.json',
      '../package.json',
      '../../package.json',
      './swagger-ui.css',
      'swagger-ui.css/',
      '%2e%2e%2fpackage.json',
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
    ]) {
      expect(docsAsset(name), name).toBeUndefined();
    }
  });
});

describe('renderDocsPage', () => {
  it('loads Swagger UI from the given asset base and reads the given OpenAPI URL', () => {
    const html = renderDocsPage({ openApiUrl: '/openapi.json', assetBaseUrl: '/docs/assets/' });
    expect(html).toContain('<link rel="stylesheet" href="/docs/assets/swagger-ui.css">');
    expect(html).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
    expect(html).toContain('url: "/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('cannot be broken out of by its URLs', () => {
    const html = renderDocsPage({
      openApiUrl: '/x</script><script>alert(1)</script>',
      assetBaseUrl: '/a"><script>alert(2)</script>',
    });
    expect(html).not.toContain('<script>alert');
    expect(html.match(/<\/script>/g)).toHaveLength(2);
  });
});

/** Page, assets and document from a bare node:http server: what the meta function answers, nothing more. */
function serveDocs(): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const send = (status: number, contentType: string, body: string | Buffer) =>
      response.writeHead(status, { 'content-type': contentType }).end(body);
    if (url.pathname === '/docs') {
      send(
        200,
        'text/html; charset=utf-8',
        renderDocsPage({ openApiUrl: '/openapi.json', assetBaseUrl: '/docs/assets' }),
      );
    } else if (url.pathname === '/openapi.json') {
      send(
        200,
        'application/json',
        JSON.stringify(buildOpenApiDocument({ serverUrl: `http://${request.headers.host}` })),
      );
    } else {
      const asset = url.pathname.startsWith('/docs/assets/')
        ? docsAsset(url.pathname.slice('/docs/assets/'.length))
        : undefined;
      if (asset) send(200, asset.contentType, asset.body);
      else send(404, 'text/plain', 'not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('the API reference page in a real browser (headless Chromium)', () => {
  let server: Server;
  beforeAll(async () => {
    server = await serveDocs();
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('renders the title and every documented path from /openapi.json', { timeout: 60_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const requested: string[] = [];
      const failed: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      page.on('requestfailed', (request) => failed.push(request.url()));
      page.on('response', (response) => {
        if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
      });
      page.on('pageerror', (error) => errors.push(error.message));

      await page.goto(`${origin}/docs`);
      expect(await page.title()).toBe(DOCS_PAGE_TITLE);
      await page.waitForSelector('.info .title');
      expect(await page.textContent('.info .title')).toContain('Concur Itinerary Gateway');
      await page.waitForSelector('.opblock-summary-path');
      const paths = await page.$$eval('.opblock-summary-path', (nodes) =>
        nodes.map((node) => node.getAttribute('data-path') ?? node.textContent?.trim()),
      );
      // Swagger UI lists the outgoing webhooks beside the paths, each under its event type.
      const document = buildOpenApiDocument() as { paths: object; webhooks: object };
      const documented = [...Object.keys(document.paths), ...Object.keys(document.webhooks)];
      expect(new Set(paths)).toEqual(new Set(documented));
      expect(paths).toContain('operation.parked');
      expect(paths).toContain('/v1/companies/{companyId}/bookings/{confirmationNumber}');

      expect(failed).toEqual([]);
      expect(errors).toEqual([]);
      // Served by the gateway alone: no CDN.
      expect(requested.filter((url) => !url.startsWith(origin))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('the gateway serves the page, its assets and the document', () => {
  let gateway: Awaited<ReturnType<typeof startTestGateway>>;
  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway.close());

  it('at /docs, /docs/assets/{asset} and /openapi.json, without an API key', async () => {
    const docs = await fetch(`${gateway.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toContain('text/html');
    expect(await docs.text()).toBe(
      renderDocsPage({ openApiUrl: '/openapi.json', assetBaseUrl: '/docs/assets' }),
    );

    const css = await fetch(`${gateway.url}/docs/assets/swagger-ui.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toContain('text/css');
    expect(Buffer.from(await css.arrayBuffer()).equals(docsAsset('swagger-ui.css')!.body)).toBe(true);

    for (const name of ['package.json', 'constructor']) {
      const missing = await fetch(`${gateway.url}/docs/assets/${name}`);
      expect(missing.status, name).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
    }

    const openapi = await fetch(`${gateway.url}/openapi.json`);
    expect(openapi.status).toBe(200);
    const document = (await openapi.json()) as { openapi: string; servers: { url: string }[] };
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: gateway.url }]);
  });
});
