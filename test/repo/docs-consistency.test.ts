/**
 * Where a document states a number or a shape that the code sets, both are read here and must agree: a change
 * to either alone fails. Each check names the document and the constant it follows.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONCUR_BUDGET_MS } from '../../shared/composition/concur';
import { DEFAULT_RETRY_POLICY } from '../../shared/concur-client/retry-policy';
import { DEFAULT_EVENT_RETRY, retryDelaySeconds } from '../../shared/events/processor';
import { DEFAULT_WEBHOOK_SECRETS_MAX_AGE_MS } from '../../shared/events/webhooks';
import {
  DEFAULT_MAX_BODY_BYTES,
  EVENT_MAX_BODY_BYTES,
  maxBodyBytesOf,
} from '../../shared/http/route-definition';
import { routes } from '../../shared/http/routes';
import { KEEP_ALIVE_DEFAULTS } from '../../shared/keep-alive';
import { DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS } from '../../shared/suppliers';
import {
  appCredentialsSchema,
  CompanyCredentials,
  companyTokensSchema,
  DEFAULT_APP_ID,
} from '../../shared/tokens/company-credentials';

const root = fileURLToPath(new URL('../..', import.meta.url));
const doc = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = doc('README.md');

/** Every number `pattern` captures in `text`; at least one, so a reworded document fails loudly. */
function numbersIn(text: string, pattern: RegExp, where: string): number[] {
  const found = [...text.matchAll(new RegExp(pattern, 'g'))].map((match) => Number(match[1]));
  expect(found.length, `${where}: ${pattern}`).toBeGreaterThan(0);
  return found;
}

describe('talking to Concur (README)', () => {
  it('each operation’s budget, retries included, is the functions’ default', () => {
    expect(numbersIn(readme, /Each Concur operation gets (\d+) s/, 'README')).toEqual([
      DEFAULT_CONCUR_BUDGET_MS / 1000,
    ]);
  });

  it('the number of attempts is the client’s', () => {
    expect(numbersIn(readme, /retried up to (\d+) attempts/, 'README')).toEqual([
      DEFAULT_RETRY_POLICY.maxAttempts,
    ]);
  });

  it('promises no attempt limit longer than the operation’s own budget', () => {
    const limits = [...readme.matchAll(/each attempt at most (\d+) s/g)].map((match) => Number(match[1]));
    for (const limit of limits) expect(limit * 1000).toBeLessThanOrEqual(DEFAULT_CONCUR_BUDGET_MS);
  });
});

describe('how long a warm function remembers a supplier', () => {
  const seconds = DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS / 1000;

  it('README: a checked key, and a disabled supplier’s keys', () => {
    expect(numbersIn(readme, /remembers a\s+key it has checked for at most (\d+) s/, 'README')).toEqual([
      seconds,
    ]);
    expect(numbersIn(readme, /every key stops within (\d+) s of its answer/, 'README')).toEqual([seconds]);
  });

  it('docs/operations.md: keys, and webhook secrets', () => {
    const operations = doc('docs/operations.md');
    for (const found of [
      ...numbersIn(
        operations,
        /hashed keys in DynamoDB \(one lookup, remembered for (\d+) s\)/,
        'operations.md',
      ),
      ...numbersIn(operations, /remembers a key it checked for up to (\d+) s/, 'operations.md'),
    ])
      expect(found).toBe(seconds);
    expect(
      numbersIn(operations, /remembers a supplier's secrets for up to (\d+) s/, 'operations.md'),
    ).toEqual([DEFAULT_WEBHOOK_SECRETS_MAX_AGE_MS / 1000]);
  });
});

describe('request limits (docs/reliability.md)', () => {
  const row = doc('docs/reliability.md')
    .split('\n')
    .find((line) => line.startsWith('| request body'))!;

  it('names each body limit the route table sets', () => {
    const kib = (bytes: number) => `${bytes / 1024} KiB`;
    const mib = (bytes: number) => `${bytes / 1024 / 1024} MiB`;
    // The routes whose body is a trip: its create, its replacement and its dry run.
    const trips = routes.filter(
      (route) =>
        (route.method === 'POST' && route.path === '/v1/companies/{companyId}/trips') ||
        (route.method === 'PUT' && route.path.endsWith('/trips/{tripId}')) ||
        route.path === '/v1/translate/trip',
    );
    expect(trips).toHaveLength(3);
    const webhooks = routes.filter((route) => route.path.startsWith('/v1/webhooks/'));
    expect(new Set(trips.map(maxBodyBytesOf)).size).toBe(1);
    expect(row).toContain(`${mib(maxBodyBytesOf(trips[0]!))} for trips`);
    expect(webhooks.map(maxBodyBytesOf)).toEqual([EVENT_MAX_BODY_BYTES]);
    expect(row).toContain(`${kib(EVENT_MAX_BODY_BYTES)} for webhooks`);
    expect(row).toContain(`${kib(DEFAULT_MAX_BODY_BYTES)} otherwise`);
    const others = routes.filter((route) => !trips.includes(route) && !webhooks.includes(route));
    for (const route of others) expect(maxBodyBytesOf(route), route.path).toBe(DEFAULT_MAX_BODY_BYTES);
  });
});

describe('secrets (docs/data-model.md)', () => {
  const section = doc('docs/data-model.md').split('## Secrets')[1]!.split('\n## ')[0]!;

  it('lists each secret the gateway keeps, by the id the code gives it', () => {
    const credentials = new CompanyCredentials({ store: undefined as never, prefix: '{prefix}' });
    for (const id of [
      credentials.connectionSecretId({ appId: DEFAULT_APP_ID, companyId: '{companyId}' }),
      credentials.connectionSecretId({ appId: '{appId}', companyId: '{companyId}' }),
      credentials.appSecretId(),
      credentials.appSecretId('{appId}'),
    ])
      expect(section).toContain(`| \`${id}\``);
  });

  it('names every field of a connection’s secret and of an app’s', () => {
    const rowOf = (start: string) => section.split('\n').find((line) => line.startsWith(`| \`${start}\``))!;
    for (const [row, schema] of [
      [rowOf('{prefix}/companies/{companyId}'), companyTokensSchema],
      [rowOf('{prefix}/app'), appCredentialsSchema],
    ] as const)
      for (const field of Object.keys(schema.shape)) expect(row).toMatch(new RegExp(`\`${field}\\??\``));
  });
});

describe('a company whose refresh tokens Concur refused', () => {
  it('is fixed by connecting it again, as the runbook says wherever it names the refusal', () => {
    const operations = doc('docs/operations.md');
    const paragraphs = operations.split(/\n(?=- \*\*|\n)/).filter((text) => text.includes('concur-auth'));
    expect(paragraphs.length).toBeGreaterThan(0);
    for (const paragraph of paragraphs) {
      expect(paragraph).not.toContain('put-secret-value');
      expect(paragraph).toMatch(/companies connect|connected again|"Connect a company"/);
    }
  });
});

describe('the events queue’s retries (docs/events.md)', () => {
  const events = doc('docs/events.md');

  it('states the policy’s base, ceiling and receives', () => {
    expect(numbersIn(events, /`EVENT_RETRY_BASE_SECONDS` \((\d+)\)/, 'events.md')).toEqual([
      DEFAULT_EVENT_RETRY.baseSeconds,
    ]);
    expect(numbersIn(events, /`EVENT_RETRY_MAX_SECONDS` \((\d+)\)/, 'events.md')).toEqual([
      DEFAULT_EVENT_RETRY.maxSeconds,
    ]);
    expect(numbersIn(events, /`EVENT_MAX_RECEIVES`-th receive \((\d+):/, 'events.md')).toEqual([
      DEFAULT_EVENT_RETRY.maxReceives,
    ]);
  });
  it('states how long an event is retried before it is parked, as the policy’s waits add up', () => {
    // The waits between the receives before the last, each drawn between half and all of its ceiling.
    const waits = (random: number) =>
      Array.from({ length: DEFAULT_EVENT_RETRY.maxReceives - 1 }, (_, index) =>
        retryDelaySeconds(DEFAULT_EVENT_RETRY, index + 1, 0, () => random),
      ).reduce((total, seconds) => total + seconds, 0);
    const shortest = Math.floor(waits(0) / 60);
    const longest = Math.ceil(waits(1) / 60);
    expect(numbersIn(events, /between (\d+) and \d+ minutes of retries/, 'events.md')).toEqual([shortest]);
    expect(numbersIn(events, /between \d+ and (\d+) minutes of retries/, 'events.md')).toEqual([longest]);
    const operations = doc('docs/operations.md');
    expect(numbersIn(operations, /kept failing for (\d+) to \d+ minutes/, 'operations.md')).toEqual([
      shortest,
    ]);
    expect(numbersIn(operations, /kept failing for \d+ to (\d+) minutes/, 'operations.md')).toEqual([
      longest,
    ]);
  });
});

describe('the keep-alive of connections (docs/operations.md, README)', () => {
  it('states the age that gets a connection refreshed and the age that makes it stale, as the defaults set them', () => {
    const days = (ms: number) => ms / 86_400_000;
    const operations = doc('docs/operations.md');
    expect(numbersIn(operations, /has not\s+issued tokens for in (\d+) days/, 'operations.md')).toEqual([
      days(KEEP_ALIVE_DEFAULTS.olderThanMs),
    ]);
    expect(numbersIn(readme, /not refreshed for (\d+) days,/, 'README')).toEqual([
      days(KEEP_ALIVE_DEFAULTS.olderThanMs),
    ]);
    expect(numbersIn(operations, /has not been refreshed for (\d+)\s+days/, 'operations.md')).toEqual([
      days(KEEP_ALIVE_DEFAULTS.staleAfterMs),
    ]);
    expect(numbersIn(readme, /has not refreshed for (\d+) days/, 'README')).toEqual([
      days(KEEP_ALIVE_DEFAULTS.staleAfterMs),
    ]);
  });
});
