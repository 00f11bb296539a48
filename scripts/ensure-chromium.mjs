#!/usr/bin/env node
// The API reference test drives Debian's Chromium. On a fresh machine of this project's kind it is not
// installed yet: install it (as root, from Debian's packages) before the tests run.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  if (process.getuid?.() !== 0) {
    console.error(
      `${CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium), then run the tests again.`,
    );
    process.exit(1);
  }
  console.log('installing chromium for the browser test (apt-get)…');
  execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
    stdio: 'inherit',
  });
}
