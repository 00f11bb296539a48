import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway } from '../gateway/support';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;

beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(() => gateway.close());

describe('GET /docs', () => {
  it(
    'renders the API reference in a real browser (headless Chromium), from /openapi.json',
    { timeout: 60_000 },
    async () => {
      const browser = await chromium.launch({
        executablePath: '/usr/bin/chromium',
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      try {
        const page = await browser.newPage();
        const failed: string[] = [];
        page.on('requestfailed', (request) => failed.push(request.url()));
        await page.goto(`${gateway.url}/docs`);
        await page.waitForSelector('.opblock-summary-path', { timeout: 20_000 });
        expect(await page.textContent('.info .title', { timeout: 5_000 })).toContain(
          'Concur Itinerary Gateway',
        );
        const paths = await page.$$eval('.opblock-summary-path', (nodes) =>
          nodes.map((n) => n.textContent?.trim()),
        );
        expect(paths).toContain('/v1/companies/{companyId}/bookings/{confirmationNumber}');
        expect(paths).toContain('/v1/translate/booking');
        expect(failed).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );
});
