/**
 * The supplier console in a real browser (headless Chromium), served by the local gateway (the meta function's
 * handler) and talking to its public API: sign in with a key, find a booking, open its timeline, every view at
 * 1280 and 320 px, axe-core on each, a wrong key, a second supplier, sign out. Screenshots are attached to the
 * test output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { launchChromium } from '../support/chromium';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestContext } from 'vitest';
import {
  CONSOLE_ASSET_CACHE,
  CONSOLE_CSP,
  CONSOLE_PAGE_TITLE,
  consoleAsset,
  consoleAssetName,
} from '../../shared/console/console-page';
import { awaitOperation } from '../events/support';
import {
  COMPANY,
  TRAVELER,
  addSupplier,
  api,
  bookingPath,
  carBooking,
  startTestGateway,
} from '../gateway/support';

/** What the tests read of the page's globals (the project's types have no DOM); a cast, erased in the browser. */
interface PageGlobals {
  document: {
    documentElement: { scrollWidth: number };
    activeElement: { id: string; value: string; selectionStart: number; selectionEnd: number };
  };
  sessionStorage: Record<string, string>;
  axe: {
    run(): Promise<{ violations: { id: string; impact: string; nodes: { target: unknown }[] }[] }>;
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let browser: Browser;
let otherKey: string;
let parkedOperationId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  const demo = api(gateway, gateway.apiKey);
  const booking = (confirmationNumber: string) => ({
    booking: carBooking({}, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });
  expect((await demo.put(bookingPath('CONSOLE-1'), booking('CONSOLE-1'))).status).toBe(201);
  expect((await demo.post(`${bookingPath('CONSOLE-1')}/cancel`)).status).toBe(200);
  expect((await demo.put(bookingPath('CONSOLE-2'), booking('CONSOLE-2'))).status).toBe(201);
  // An operation Concur cannot apply (the traveler is unknown there): parked, with its problem.
  const parked = await demo.put(
    bookingPath('CONSOLE-PARKED'),
    {
      booking: carBooking({}, { confirmationNumber: 'CONSOLE-PARKED' }),
      traveler: { email: 'nobody@example.com' },
    },
    { prefer: 'respond-async' },
  );
  const done = await awaitOperation(gateway, gateway.apiKey, parked.body.operation.href);
  expect(done.body.operation.status).toBe('parked');
  parkedOperationId = done.body.operation.id;
  otherKey = await addSupplier('console-other', 'ConsoleOther', [COMPANY]);
  expect(
    (await api(gateway, otherKey).put(bookingPath('OTHER-CONSOLE'), booking('OTHER-CONSOLE'))).status,
  ).toBe(201);
  browser = await launchChromium();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await gateway?.close();
});

/** A fresh tab (its own sessionStorage) that records what it requested and every error it met. */
async function openConsole(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const requested: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requested.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/Failed to load resource/.test(message.text()))
      errors.push(message.text());
  });
  const response = await page.goto(`${gateway.url}/console`);
  return { context, page, requested, errors, response: response! };
}

/** axe-core's serious and critical findings on the page as it is now. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const result = await (globalThis as unknown as PageGlobals).axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target),
    }));
  });
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map((violation) => `${violation.impact} ${violation.id} ${JSON.stringify(violation.targets)}`);
}

/**
 * Attaches a screenshot to the test's output; with CONSOLE_SCREENSHOTS=<dir> also writes it there (the README's
 * is docs/console.png: `CONSOLE_SCREENSHOTS=docs npx vitest run test/http/console.test.ts`, then keep that one).
 */
async function attachScreenshot(page: Page, annotate: TestContext['annotate'], name: string) {
  const body = await page.screenshot({ fullPage: true });
  await annotate(name, 'screenshot', { body: new Uint8Array(body), contentType: 'image/png' });
  const dir = process.env.CONSOLE_SCREENSHOTS;
  if (dir) writeFileSync(join(dir, `console-${name.replace(/[^a-z0-9]+/gi, '-')}.png`), body);
}

async function signIn(page: Page, key: string) {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

const keyInStorage = (page: Page) =>
  page.evaluate(() => Object.values((globalThis as unknown as PageGlobals).sessionStorage));

describe('the supplier console in a real browser (headless Chromium)', () => {
  it(
    'signs in, finds a booking by confirmation number and shows its timeline; every view passes axe-core',
    { timeout: 180_000 },
    async ({ annotate }) => {
      const { context, page, requested, errors, response } = await openConsole();
      expect(response.headers()['content-security-policy']).toBe(CONSOLE_CSP);
      expect(await page.title()).toBe(CONSOLE_PAGE_TITLE);
      expect(await seriousViolations(page)).toEqual([]);

      // By keyboard alone: the key, then Enter.
      await page.getByLabel('API key').focus();
      await page.keyboard.type(gateway.apiKey);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.getByRole('table', { name: 'Your bookings' }).count()).toBe(1);
      expect(await keyInStorage(page)).toEqual([gateway.apiKey]);
      for (const name of ['Bookings', 'Operations', 'Webhook endpoints', 'Try it'])
        expect(await page.getByRole('link', { name }).isVisible(), name).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('Search').fill('CONSOLE-1');
      await page.keyboard.press('Enter');
      await expect
        .poll(async () =>
          page.getByRole('table', { name: 'Your bookings' }).locator('tbody tr').allTextContents(),
        )
        .toEqual([expect.stringContaining('CONSOLE-1')]);
      const header = await page.getByRole('table', { name: 'Your bookings' }).locator('th').allTextContents();
      expect(header).toEqual(['Confirmation number', 'Status', 'Company', 'Trip', 'Last change']);

      await page.getByRole('link', { name: 'CONSOLE-1' }).click();
      await expect.poll(() => page.getByRole('heading', { level: 2 }).textContent()).toBe('CONSOLE-1');
      const timeline = page.getByRole('region', { name: 'Timeline' });
      const entries = await timeline.locator('li').allTextContents();
      expect(entries).toHaveLength(2);
      expect(entries[0]).toContain('Cancelled');
      expect(entries[1]).toContain('Created');
      expect(entries[1]).toMatch(/by API request [0-9a-f-]{36}/);
      expect(entries[0]).toMatch(/Concur: ok, correlation id \S+/);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'booking timeline, 1280 px');

      await page.getByRole('link', { name: 'Operations' }).focus();
      await page.keyboard.press('Enter');
      const operations = page.getByRole('table', { name: 'Your operations' });
      await expect.poll(() => operations.count()).toBe(1);
      const parkedRow = operations.locator('tr', { hasText: parkedOperationId });
      expect(await parkedRow.textContent()).toMatch(/parked.*Traveler/i);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'operations, 1280 px');

      await page.getByRole('link', { name: 'Webhook endpoints' }).click();
      await expect
        .poll(() => page.getByRole('heading', { level: 2 }).textContent())
        .toBe('Webhook endpoints');
      expect(await page.getByRole('button', { name: 'Add endpoint' }).isVisible()).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByRole('link', { name: 'Try it' }).click();
      const body = page.getByLabel('Request body');
      await page.getByRole('button', { name: 'Translate' }).click();
      await expect.poll(() => page.locator('pre.xml').textContent()).toContain('<Booking');
      expect(await seriousViolations(page)).toEqual([]);
      const invalid = JSON.parse(await body.inputValue());
      delete invalid.booking.segments[0].vendor;
      await body.fill(JSON.stringify(invalid, null, 2));
      await page.getByRole('button', { name: 'Translate' }).click();
      const problem = page.getByRole('button', { name: 'booking.segments[0].vendor' });
      await expect.poll(() => problem.count()).toBe(1);
      await problem.click();
      // The problem points at its field: the body is focused with the nearest key selected.
      expect(
        await page.evaluate(() => {
          const area = (globalThis as unknown as PageGlobals).document.activeElement;
          return [area.id, area.value.slice(area.selectionStart, area.selectionEnd)];
        }),
      ).toEqual(['request-body', '"segments"']);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'try it, 1280 px');

      // The key only ever travelled in a header: no URL, no cookie.
      expect(requested.filter((url) => url.includes(gateway.apiKey))).toEqual([]);
      expect(requested.filter((url) => !url.startsWith(gateway.url))).toEqual([]);
      expect(await context.cookies()).toEqual([]);
      expect(errors).toEqual([]);

      await page.getByRole('button', { name: 'Sign out' }).click();
      expect(await keyInStorage(page)).toEqual([]);
      expect(await page.getByLabel('API key').isVisible()).toBe(true);
      expect(await page.locator('#view').textContent()).toBe('');
      await context.close();
    },
  );

  it(
    'keeps the four links visible and every view working at 320 px',
    { timeout: 120_000 },
    async ({ annotate }) => {
      const { context, page, errors } = await openConsole(320);
      expect(await seriousViolations(page)).toEqual([]);
      await signIn(page, gateway.apiKey);
      await expect.poll(() => page.getByRole('table', { name: 'Your bookings' }).count()).toBe(1);
      for (const name of ['Bookings', 'Operations', 'Webhook endpoints', 'Try it']) {
        const link = page.getByRole('link', { name, exact: true });
        expect(await link.isVisible(), name).toBe(true);
        const box = (await link.boundingBox())!;
        expect(box.x >= 0 && box.x + box.width <= 320, `${name} within 320 px`).toBe(true);
      }
      // Nothing wider than the screen but the tables' own scrolling regions.
      expect(
        await page.evaluate(
          () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
        ),
      ).toBeLessThanOrEqual(320);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'bookings, 320 px');

      await page.getByRole('link', { name: 'CONSOLE-2' }).click();
      await expect.poll(() => page.getByRole('region', { name: 'Timeline' }).locator('li').count()).toBe(1);
      expect(
        await page.evaluate(
          () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
        ),
      ).toBeLessThanOrEqual(320);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'booking timeline, 320 px');

      for (const [name, ready] of [
        ['Operations', 'table'],
        ['Webhook endpoints', 'p'],
        ['Try it', 'textarea'],
      ] as const) {
        await page.getByRole('link', { name, exact: true }).click();
        await expect.poll(() => page.locator(`#view ${ready}`).count()).toBeGreaterThan(0);
        expect(
          await page.evaluate(
            () => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth,
          ),
          name,
        ).toBeLessThanOrEqual(320);
        expect(await seriousViolations(page), name).toEqual([]);
      }
      await page.getByRole('button', { name: 'Translate' }).click();
      await expect.poll(() => page.locator('pre.xml').count()).toBe(1);
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it(
    'manages webhook endpoints: adds one with its secret shown once, sends a test event, lists its deliveries, resends a failed one, rotates, deletes',
    { timeout: 120_000 },
    async ({ annotate }) => {
      // A receiver that fails its first answer, then takes everything.
      const received: { id: string; body: string }[] = [];
      const receiver = createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          received.push({ id: String(request.headers['webhook-id']), body });
          response.writeHead(received.length === 1 ? 410 : 204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const { context, page, errors } = await openConsole();
      page.on('dialog', (dialog) => void dialog.accept());
      await signIn(page, otherKey);
      await expect.poll(() => page.getByRole('table', { name: 'Your bookings' }).count()).toBe(1);
      await page.getByRole('link', { name: 'Webhook endpoints' }).click();
      await expect.poll(() => page.locator('#view').textContent()).toContain('No webhook endpoints yet.');
      expect(await seriousViolations(page)).toEqual([]);

      await page.getByLabel('URL').fill(receiverUrl);
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = page.locator('.secret-value');
      await expect.poll(() => secret.textContent()).toMatch(/^whsec_/);
      const firstSecret = (await secret.textContent())!;
      const endpoints = page.getByRole('table', { name: 'Your webhook endpoints' });
      await expect
        .poll(() => endpoints.locator('tbody tr').allTextContents())
        .toEqual([expect.stringContaining(receiverUrl)]);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'webhook endpoint added, 1280 px');
      // The secret is shown once: the listing and a fresh view of it never carry it.
      const listed = await api(gateway, otherKey).get('/v1/webhook-endpoints');
      expect(JSON.stringify(listed.body)).not.toContain(firstSecret);
      await page.getByRole('link', { name: 'Operations' }).click();
      await page.getByRole('link', { name: 'Webhook endpoints' }).click();
      await expect.poll(() => endpoints.count()).toBe(1);
      expect(await page.locator('#view').textContent()).not.toContain(firstSecret);

      // The first test event is refused (410: not retried), the second delivered.
      const row = endpoints.locator('tbody tr', { hasText: receiverUrl });
      await row.getByRole('button', { name: 'Send test event' }).click();
      await expect
        .poll(() => page.getByRole('status').allTextContents())
        .toContainEqual(expect.stringMatching(/Test event msg_\S+ queued/));
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(1);
      await row.getByRole('button', { name: 'Deliveries' }).click();
      const deliveries = page.getByRole('table', { name: 'Deliveries' });
      await expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh deliveries' }).click();
            return deliveries.locator('tbody tr').allTextContents();
          },
          { timeout: 30_000 },
        )
        .toEqual([expect.stringContaining('HTTP 410')]);
      expect(await seriousViolations(page)).toEqual([]);
      await deliveries.getByRole('button', { name: 'Resend' }).click();
      await expect.poll(() => received.length, { timeout: 30_000 }).toBe(2);
      // Sent again under the same webhook-id: a receiver deduplicates by it.
      expect(received[1]!.id).toBe(received[0]!.id);
      await expect
        .poll(
          async () => {
            await page.getByRole('button', { name: 'Refresh deliveries' }).click();
            return deliveries.locator('tbody tr').allTextContents();
          },
          { timeout: 30_000 },
        )
        .toContainEqual(expect.stringContaining('HTTP 204'));
      await attachScreenshot(page, annotate, 'webhook deliveries, 1280 px');

      await row.getByRole('button', { name: 'Rotate secret' }).click();
      await expect.poll(() => secret.textContent()).toMatch(/^whsec_/);
      expect(await secret.textContent()).not.toBe(firstSecret);
      expect(await seriousViolations(page)).toEqual([]);

      await row.getByRole('button', { name: 'Delete' }).click();
      await expect.poll(() => page.locator('#view').textContent()).toContain('No webhook endpoints yet.');
      expect((await api(gateway, otherKey).get('/v1/webhook-endpoints')).body.endpoints).toEqual([]);
      // The demo supplier never saw the other's endpoint.
      expect((await api(gateway, gateway.apiKey).get('/v1/webhook-endpoints')).body.endpoints).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
      await new Promise((resolve) => receiver.close(resolve));
    },
  );

  it(
    'shows a test key’s sandbox under a test-mode banner, and no banner for a live key',
    { timeout: 60_000 },
    async ({ annotate }) => {
      const sandbox = 'sandbox-demo-supplier';
      const testKey = gateway.demoTestApiKey!;
      expect(
        (
          await api(gateway, testKey).put(bookingPath('SANDBOX-1', sandbox), {
            booking: carBooking({}, { confirmationNumber: 'SANDBOX-1' }),
            traveler: { loginId: TRAVELER },
          })
        ).status,
      ).toBe(201);
      const { context, page, errors } = await openConsole();
      await signIn(page, testKey);
      const rows = page.getByRole('table', { name: 'Your bookings' }).locator('tbody tr');
      await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('SANDBOX-1')]);
      const banner = page.getByRole('status').filter({ hasText: 'Test mode' });
      expect(await banner.isVisible()).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await attachScreenshot(page, annotate, 'test mode, 1280 px');
      await page.getByRole('button', { name: 'Sign out' }).click();
      expect(await banner.isVisible()).toBe(false);
      await signIn(page, gateway.apiKey);
      await expect.poll(() => rows.count()).toBeGreaterThan(0);
      expect(await rows.allTextContents()).not.toContainEqual(expect.stringContaining('SANDBOX-1'));
      expect(await banner.isVisible()).toBe(false);
      expect(errors).toEqual([]);
      await context.close();
    },
  );

  it('shows a wrong key’s refusal in an alert, and no data', { timeout: 60_000 }, async () => {
    const { context, page } = await openConsole();
    await signIn(page, 'cgw_this-key-was-never-issued-by-anyone-at-all');
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/refused.*401/);
    expect(await page.getByRole('table').count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Bookings' }).isVisible()).toBe(false);
    expect(await keyInStorage(page)).toEqual([]);
    expect(await seriousViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows a second supplier its own bookings only, never the first’s', { timeout: 60_000 }, async () => {
    const { context, page } = await openConsole();
    await signIn(page, otherKey);
    const rows = page.getByRole('table', { name: 'Your bookings' }).locator('tbody tr');
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining('OTHER-CONSOLE')]);
    await page.getByLabel('Search').fill('CONSOLE-1');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#view').textContent()).toContain('No bookings match.');
    // Even by the address of the first's booking: a refusal, no mapping, no timeline.
    await page.goto(`${gateway.url}/console#/bookings/${COMPANY}/CONSOLE-1`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/404/);
    expect(await page.getByRole('region', { name: 'Timeline' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Operations' }).click();
    await expect.poll(() => page.locator('#view').textContent()).toContain('No operations.');
    expect(await page.content()).not.toContain('CONSOLE-1');
    await context.close();
  });

  it('serves its files under hashed names, cached for good, under the same policy', async () => {
    const page = await fetch(`${gateway.url}/console`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    for (const source of ['console.js', 'console.css']) {
      const name = consoleAssetName(source);
      expect(name).toMatch(/^console\.[0-9a-f]{12}\.(js|css)$/);
      expect(html).toContain(`/console/assets/${name}`);
      const asset = await fetch(`${gateway.url}/console/assets/${name}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe(CONSOLE_ASSET_CACHE);
      expect(asset.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
      expect(Buffer.from(await asset.arrayBuffer()).equals(consoleAsset(name)!.body)).toBe(true);
    }
    // No inline script or style for the policy to forbid.
    expect(html).not.toMatch(/<script>|<style|style=/);
    for (const name of ['console.js', 'console.000000000000.js', '../package.json', 'constructor']) {
      const missing = await fetch(`${gateway.url}/console/assets/${encodeURIComponent(name)}`);
      expect(missing.status, name).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
