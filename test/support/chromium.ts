/**
 * The headless Chromium the browser tests drive (the Debian package's, found by scripts/ensure-chromium.mjs
 * before the tests run): no sandbox (containers have none to give), and nothing that reaches the network by
 * itself, so a test's only traffic is the gateway's.
 */
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}
