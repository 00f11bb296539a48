/**
 * The supplier console at `/console`: one HTML page and two static files (plain JavaScript and CSS, no build
 * step: the files served are the files in the repository), served by the function that serves the API
 * reference. Each file is served under a name carrying a digest of its content, cached for good; the page
 * itself is never cached, so a deployment's new files are picked up at once. The page runs under a strict
 * Content-Security-Policy: no inline script or style, nothing from another origin.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The console's files, by source name (a Map: no inherited keys). */
const SOURCES: ReadonlyMap<string, string> = new Map([
  ['console.js', 'text/javascript; charset=utf-8'],
  ['console.css', 'text/css; charset=utf-8'],
]);

/** The source names, for the stack to copy beside the bundle. */
export const CONSOLE_SOURCE_NAMES: readonly string[] = [...SOURCES.keys()];

/** Where a Lambda bundle carries the files: beside itself (the stack copies them there at bundling). */
export const BUNDLED_CONSOLE_ASSETS_DIR = 'console-assets';

/** The repository's copy, for the stack's bundling and for running from source. */
export const CONSOLE_SOURCE_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

export const CONSOLE_PAGE_TITLE = 'Concur Itinerary Gateway — Supplier console';

/** Everything the page loads is its own: scripts and styles from these files only, calls to this origin only. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers of the page and of its files. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** A hashed name's files never change: a year, immutable. */
export const CONSOLE_ASSET_CACHE = 'public, max-age=31536000, immutable';

interface ConsoleAsset {
  name: string;
  body: Buffer;
  contentType: string;
}

let assets: ReadonlyMap<string, ConsoleAsset> | undefined;
let hashedNames: Readonly<Record<string, string>> | undefined;

function locate(): string {
  const bundled = fileURLToPath(new URL(`./${BUNDLED_CONSOLE_ASSETS_DIR}/`, import.meta.url));
  return existsSync(bundled) ? bundled : CONSOLE_SOURCE_DIR;
}

/** Reads the files once, and names each `<stem>.<12 hex digits of its SHA-256>.<extension>`. */
function load(): void {
  const dir = locate();
  const byHashedName = new Map<string, ConsoleAsset>();
  const names: Record<string, string> = {};
  for (const [source, contentType] of SOURCES) {
    const body = readFileSync(`${dir}${source}`);
    const digest = createHash('sha256').update(body).digest('hex').slice(0, 12);
    const dot = source.lastIndexOf('.');
    const name = `${source.slice(0, dot)}.${digest}${source.slice(dot)}`;
    byHashedName.set(name, { name, body, contentType });
    names[source] = name;
  }
  assets = byHashedName;
  hashedNames = names;
}

/** The hashed name the page uses for a source file, e.g. `console.3f2a9c1b4d5e.js`. */
export function consoleAssetName(source: string): string {
  if (!hashedNames) load();
  const name = hashedNames![source];
  if (!name) throw new Error(`no console file ${source}`);
  return name;
}

/** A file by its hashed name; undefined for anything else (an old hash, a source name, a path). */
export function consoleAsset(name: string): ConsoleAsset | undefined {
  if (!assets) load();
  return assets!.get(name);
}

export function renderConsolePage(assetBaseUrl = '/console/assets'): string {
  const base = assetBaseUrl.replace(/\/+$/, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${CONSOLE_PAGE_TITLE}</title>
<link rel="stylesheet" href="${base}/${consoleAssetName('console.css')}">
<script type="module" src="${base}/${consoleAssetName('console.js')}"></script>
</head>
<body>
<header>
<h1>Supplier console</h1>
<nav id="console-nav" aria-label="Console" hidden>
<ul>
<li><a href="#/bookings">Bookings</a></li>
<li><a href="#/operations">Operations</a></li>
<li><a href="#/webhook-endpoints">Webhook endpoints</a></li>
<li><a href="#/try">Try it</a></li>
<li><button type="button" id="sign-out">Sign out</button></li>
</ul>
</nav>
<p id="test-mode" class="test-mode" role="status" hidden>Test mode: this key reaches your sandbox company at the Concur simulator. Nothing here is live data, and no real Concur is called.</p>
</header>
<main>
<div id="alert" class="alert" role="alert"></div>
<section id="sign-in" aria-labelledby="sign-in-heading">
<h2 id="sign-in-heading">Sign in</h2>
<p>Your API key stays in this browser tab (its session storage) until you sign out or close the tab, and goes only to this gateway, in the Authorization header.</p>
<form id="sign-in-form">
<div class="field">
<label for="api-key">API key</label>
<input id="api-key" name="api-key" type="password" autocomplete="off" spellcheck="false" required>
</div>
<button type="submit">Sign in</button>
</form>
</section>
<div id="view"></div>
</main>
</body>
</html>
`;
}
