/**
 * The operator's commands against the `npm start` data, spawned through the bin as a user runs them: while
 * `npm start` runs (its stores, reached through endpoints.json) and after it stopped (the files themselves).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';
import { awaitOperation } from '../events/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

// Every command is a new Node process compiling TypeScript: seconds each on a busy machine.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let server: LocalStart;
let dataDir: string;
const local = () => ['--local', dataDir];
let acmeKey: string;

beforeAll(async () => {
  dataDir = freshDataDir();
  server = await startNpmStart(dataDir);
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

const putBooking = (apiKey: string, confirmationNumber: string) =>
  api({ url: server.endpoints.gateway }, apiKey).put(bookingPath(confirmationNumber), {
    booking: carBooking({}, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });

describe('suppliers', () => {
  it('adds a supplier whose printed key can PUT a booking; lists it without any key', async () => {
    // A supplier may be given only companies the gateway is connected to.
    await runJson([
      'companies',
      'connect',
      'other-company',
      ...local(),
      '--access-token',
      'other-access',
      '--refresh-token',
      'other-refresh',
      '--expires-at',
      '2030-01-01T00:00:00Z',
    ]);
    const added = await runJson<{ apiKey: string; supplier: Record<string, unknown> }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'acme',
      '--booking-source',
      'AcmeCars',
      '--company',
      COMPANY,
      '--company',
      'other-company',
    ]);
    expect(added.apiKey).toMatch(/^cgw_/);
    acmeKey = added.apiKey;
    expect(added.supplier).toEqual({
      id: 'acme',
      bookingSource: 'AcmeCars',
      companies: [COMPANY, 'other-company'],
      profile: 'tmc',
    });
    const answer = await putBooking(added.apiKey, 'ACME-1');
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);

    const listed = await runCli(['suppliers', 'list', ...local()]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toMatch(
      /acme\s+AcmeCars\s+default\s+demo-company,other-company\s+tmc\s+default\s+enabled/,
    );
    expect(listed.stdout).not.toContain(added.apiKey);
    const json = await runJson<{ suppliers: { id: string }[] }>(['suppliers', 'list', ...local()]);
    expect(json.suppliers.map((s) => s.id)).toEqual(['acme', 'demo-supplier']);
    expect(JSON.stringify(json)).not.toContain('cgw_');

    const again = await runCli([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'acme',
      '--booking-source',
      'X',
      '--company',
      COMPANY,
    ]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('supplier acme already exists');
  });

  it('gives a supplier its own rate with add --rate, changes it with update --rate, refuses bad rates', async () => {
    const added = await runJson<{ apiKey: string; supplier: Record<string, unknown> }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'slow',
      '--booking-source',
      'SlowCars',
      '--company',
      COMPANY,
      '--rate',
      '2',
    ]);
    expect(added.supplier.ratePerSecond).toBe(2);
    // Its own 2 requests a second, not the default 20: a burst of 12 is mostly refused.
    const slow = api({ url: server.endpoints.gateway }, added.apiKey);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, n) => slow.get(`/v1/companies/${COMPANY}/bookings/NONE-${n}`)),
    );
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(6);
    expect(refused[0]!.headers.get('retry-after')).toBe('1');
    expect(answers.filter((answer) => answer.status === 404).length).toBeGreaterThanOrEqual(2);

    const listed = await runCli(['suppliers', 'list', ...local()]);
    expect(listed.stdout).toMatch(/slow\s+SlowCars\s+default\s+demo-company\s+tmc\s+2\/s\s+enabled/);
    const updated = await runCli(['suppliers', 'update', 'slow', '--rate', '50', ...local()]);
    expect(updated.status, updated.stderr).toBe(0);
    expect(updated.stdout).toContain('Supplier slow now has 50 requests a second');
    const back = await runJson<{ ratePerSecond: number | null }>([
      'suppliers',
      'update',
      'slow',
      '--rate',
      'default',
      ...local(),
    ]);
    expect(back.ratePerSecond).toBeNull();
    const json = await runJson<{ suppliers: { id: string; ratePerSecond?: number }[] }>([
      'suppliers',
      'list',
      ...local(),
    ]);
    expect(json.suppliers.find((s) => s.id === 'slow')!.ratePerSecond).toBeUndefined();

    for (const [args, message] of [
      [['update', 'slow', '--rate', '0'], '--rate 0: a whole number of requests a second from 1 to 10000'],
      [['update', 'slow', '--rate', '2.5'], '--rate 2.5: a whole number'],
      [['update', 'nobody', '--rate', '5'], 'nobody'],
      [['add', '--id', 'x', '--booking-source', 'X', '--company', COMPANY, '--rate', 'fast'], '--rate fast'],
    ] as const) {
      const refusedCommand = await runCli(['suppliers', ...args, ...local()]);
      expect(refusedCommand.status, args.join(' ')).toBe(1);
      expect(refusedCommand.stderr).toContain(message);
    }
  });

  it('finds the booking by company and confirmation number', async () => {
    const found = await runJson<{ bookings: Record<string, unknown>[] }>([
      'bookings',
      'find',
      ...local(),
      '--company',
      COMPANY,
      '--confirmation',
      'ACME-1',
    ]);
    expect(found.bookings).toEqual([
      expect.objectContaining({
        supplierId: 'acme',
        bookingSource: 'AcmeCars',
        confirmationNumber: 'ACME-1',
        status: 'active',
        recordLocator: expect.any(String),
      }),
    ]);
    const missing = await runCli([
      'bookings',
      'find',
      ...local(),
      '--company',
      COMPANY,
      '--confirmation',
      'NOPE',
    ]);
    expect(missing.status).toBe(1);
  });

  it(
    'shows a supplier’s activity from its records: bookings and operations by status, its last request',
    {
      timeout: 400_000,
    },
    async () => {
      const client = api({ url: server.endpoints.gateway }, acmeKey);
      expect((await putBooking(acmeKey, 'ACME-2')).status).toBe(201);
      expect((await client.post(`${bookingPath('ACME-2')}/cancel`)).status).toBe(200);
      const accepted = await client.put(
        bookingPath('ACME-3'),
        { booking: carBooking({}, { confirmationNumber: 'ACME-3' }), traveler: { loginId: TRAVELER } },
        { prefer: 'respond-async' },
      );
      expect(accepted.status).toBe(202);
      const done = await awaitOperation(
        { url: server.endpoints.gateway },
        acmeKey,
        accepted.body.operation.href,
      );
      expect(done.body.operation.status).toBe('succeeded');

      const shown = await runCli(['suppliers', 'show', 'acme', ...local()]);
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toContain('Supplier acme: booking source AcmeCars');
      expect(shown.stdout).toContain('Bookings (3): 2 active, 1 cancelled');
      expect(shown.stdout).toContain('Operations (1): 1 succeeded');
      expect(shown.stdout).toContain(`Last request: ${done.body.operation.updatedAt}`);
      expect(shown.stdout).not.toContain('cgw_');

      const json = await runJson<{ activity: Record<string, unknown> }>([
        'suppliers',
        'show',
        'acme',
        ...local(),
      ]);
      expect(json.activity).toEqual({
        bookings: { total: 3, byStatus: { active: 2, cancelled: 1 }, lastChangeAt: expect.any(String) },
        operations: { total: 1, byStatus: { succeeded: 1 }, lastChangeAt: done.body.operation.updatedAt },
        lastRequestAt: done.body.operation.updatedAt,
      });
      const unknown = await runCli(['suppliers', 'show', 'nobody', ...local()]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toContain('no supplier nobody');
    },
  );
});

describe('rotating and disabling keys', () => {
  it('after rotate-key --grace 0 the old key answers 401 and the new one works; with a grace both work', async () => {
    const { apiKey: first } = await runJson<{ apiKey: string }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'rota',
      '--booking-source',
      'RotaCars',
      '--company',
      COMPANY,
    ]);
    const graced = await runJson<{ apiKey: string; oldKeys: number; oldKeysEndAt: string }>([
      'suppliers',
      'rotate-key',
      'rota',
      ...local(),
      '--grace',
      '1h',
    ]);
    expect(graced.oldKeys).toBe(1);
    expect(Date.parse(graced.oldKeysEndAt) - Date.now()).toBeGreaterThan(59 * 60_000);
    expect((await putBooking(first, 'ROTA-1')).status).toBe(201);
    expect((await putBooking(graced.apiKey, 'ROTA-2')).status).toBe(201);

    // Neither key was used by this gateway yet, so no warm authenticator remembers it.
    const ended = await runJson<{ apiKey: string }>([
      'suppliers',
      'rotate-key',
      'rota',
      ...local(),
      '--grace',
      '0',
    ]);
    const unused = await runJson<{ apiKey: string }>([
      'suppliers',
      'rotate-key',
      'rota',
      ...local(),
      '--grace',
      '0',
    ]);
    expect((await putBooking(ended.apiKey, 'ROTA-3')).status).toBe(401);
    expect((await putBooking(unused.apiKey, 'ROTA-4')).status).toBe(201);
  });

  it('prints a test key beside the live one, and rotate-key --test ends the test keys alone', async () => {
    const added = await runJson<{ apiKey: string; testApiKey: string; sandboxCompany: string }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'testy',
      '--booking-source',
      'TestyCars',
      '--company',
      COMPANY,
    ]);
    expect(added.apiKey).not.toMatch(/^cgw_test_/);
    expect(added.testApiKey).toMatch(/^cgw_test_[A-Za-z0-9_-]{32}$/);
    expect(added.sandboxCompany).toBe('sandbox-testy');
    // A test key never reaches a live company.
    expect((await putBooking(added.testApiKey, 'TESTY-1')).status).toBe(403);
    const rotated = await runJson<{ apiKey: string; mode: string; oldKeys: number }>([
      'suppliers',
      'rotate-key',
      'testy',
      '--test',
      ...local(),
      '--grace',
      '0',
    ]);
    expect(rotated).toMatchObject({ mode: 'test', oldKeys: 1 });
    expect(rotated.apiKey).toMatch(/^cgw_test_/);
    expect((await putBooking(added.apiKey, 'TESTY-2')).status).toBe(201);
  });

  it('disable stops every key of the supplier', async () => {
    const { apiKey } = await runJson<{ apiKey: string }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'gone',
      '--booking-source',
      'GoneCars',
      '--company',
      COMPANY,
    ]);
    await runJson(['suppliers', 'disable', 'gone', ...local()]);
    expect((await putBooking(apiKey, 'GONE-1')).status).toBe(401);
    const list = await runJson<{ suppliers: { id: string; disabled: boolean }[] }>([
      'suppliers',
      'list',
      ...local(),
    ]);
    expect(list.suppliers.find((s) => s.id === 'gone')?.disabled).toBe(true);
  });

  it('refuses a duration it cannot read and an unknown supplier, exit 1 with a message', async () => {
    const bad = await runCli(['suppliers', 'rotate-key', 'rota', ...local(), '--grace', 'soon']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"soon" is not a duration');
    const unknown = await runCli(['suppliers', 'disable', 'nobody', ...local(), '--json']);
    expect(unknown.status).toBe(1);
    expect(JSON.parse(unknown.stderr)).toEqual({ error: 'no supplier nobody' });
  });
});

describe('companies', () => {
  it('connects with a request token minted by the simulator; the stored tokens work; show and list print no token', async () => {
    const minted = await fetch(`${server.endpoints.simulator}/_sim/tokens/request-token`, {
      method: 'POST',
      body: JSON.stringify({ companyId: COMPANY }),
    });
    const { requestToken } = (await minted.json()) as { requestToken: string };
    const connected = await runJson<Record<string, unknown>>([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--request-token',
      requestToken,
      '--company-uuid',
      COMPANY,
      '--geolocation',
      server.endpoints.simulator!,
    ]);
    expect(connected).toMatchObject({ companyId: COMPANY, geolocation: server.endpoints.simulator });
    expect(Date.parse(connected.refreshTokenExpiresAt as string)).toBeGreaterThan(
      Date.now() + 150 * 86_400_000,
    );
    expect(JSON.stringify(connected)).not.toContain(requestToken);

    // The simulator made the new pair the company's current one: the old tokens are no longer what works.
    const tokens = (await (await fetch(`${server.endpoints.simulator}/_sim/tokens`)).json()) as {
      companies: { id: string; accessToken: string; refreshToken: string }[];
    };
    const current = tokens.companies.find((c) => c.id === COMPANY)!;
    const { apiKey } = await runJson<{ apiKey: string }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'connected',
      '--booking-source',
      'ConnectedCars',
      '--company',
      COMPANY,
    ]);
    const answer = await putBooking(apiKey, 'CONN-1');
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);

    for (const args of [
      ['companies', 'show', COMPANY],
      ['companies', 'list'],
      ['companies', 'show', COMPANY, '--json'],
      ['companies', 'list', '--json'],
    ]) {
      const shown = await runCli([...args, ...local()]);
      expect(shown.status, shown.stderr).toBe(0);
      expect(shown.stdout).toContain(COMPANY);
      expect(shown.stdout).not.toContain(current.accessToken);
      expect(shown.stdout).not.toContain(current.refreshToken);
      expect(shown.stdout).not.toContain(requestToken);
      expect(shown.stdout).not.toMatch(/accessToken"|refreshToken"/);
    }

    // A request token Concur never issued (or past its 24 hours) is refused, and never printed.
    const unknownToken = 'rt-the-company-never-handed-over';
    const refused = await runCli([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--request-token',
      unknownToken,
      '--company-uuid',
      COMPANY,
      '--geolocation',
      server.endpoints.simulator!,
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('invalid_grant, code 5');
    expect(refused.stderr).not.toContain(unknownToken);
  });

  it('connects through Concur’s GLZ, follows the geolocation it answers, and sends the request token again when an answer is lost', async () => {
    const simulator = server.endpoints.simulator!;
    const mint = async () => {
      const minted = await fetch(`${simulator}/_sim/tokens/request-token`, {
        method: 'POST',
        body: JSON.stringify({ companyId: COMPANY }),
      });
      return ((await minted.json()) as { requestToken: string }).requestToken;
    };
    const tokenRequests = async () =>
      (
        (await (await fetch(`${simulator}/_sim/requests`)).json()) as {
          requests: { route?: string; path: string; status: number | null; outcome: string }[];
        }
      ).requests.filter((entry) => entry.route === 'token');
    const before = (await tokenRequests()).length;
    // The first exchange takes effect at Concur, and its answer never arrives.
    await fetch(`${simulator}/_sim/faults/next`, {
      method: 'POST',
      body: JSON.stringify({ route: 'token', action: { kind: 'destroy', commit: true } }),
    });
    const connected = await runJson<Record<string, unknown>>([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--request-token',
      await mint(),
      '--company-uuid',
      COMPANY,
    ]);
    // Stored where Concur said the company lives, not at the GLZ it asked.
    expect(connected).toMatchObject({ companyId: COMPANY, geolocation: simulator, exchanges: 2 });
    const exchanges = (await tokenRequests()).slice(before);
    expect(exchanges.map((entry) => [entry.path, entry.outcome, entry.status])).toEqual([
      ['/glz/oauth2/v0/token', 'destroyed', null],
      ['/glz/oauth2/v0/token', 'answered', 200],
    ]);
    const tested = await runJson<Record<string, unknown>>(['companies', 'test', COMPANY, ...local()]);
    expect(tested).toMatchObject({ ok: true, status: 200, geolocation: simulator });

    // Asked at a geolocation that is not the company's (an operator's --geolocation), Concur answers code 16
    // "user lives elsewhere" with the right one: the grant goes there.
    const elsewhere = simulator.replace('127.0.0.1', 'localhost');
    const followed = await runJson<Record<string, unknown>>([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--request-token',
      await mint(),
      '--company-uuid',
      COMPANY,
      '--geolocation',
      elsewhere,
    ]);
    expect(followed).toMatchObject({ geolocation: simulator, exchanges: 1 });
    expect((await tokenRequests()).slice(before + 2).map((entry) => entry.status)).toEqual([400, 200]);
  });

  it('tests a company with a harmless Concur call: its status, latency and correlation id', async () => {
    const tested = await runJson<Record<string, unknown>>(['companies', 'test', COMPANY, ...local()]);
    expect(tested).toMatchObject({ companyId: COMPANY, ok: true, status: 200 });
    expect(tested.correlationId).toEqual(expect.any(String));
    expect(tested.latencyMs).toEqual(expect.any(Number));
    const unknown = await runCli(['companies', 'test', 'not-connected', ...local()]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('not-connected');
  });

  it('connects tokens obtained elsewhere, and refuses a half-given set', async () => {
    const stored = await runJson<Record<string, unknown>>([
      'companies',
      'connect',
      'elsewhere',
      ...local(),
      '--access-token',
      'at-elsewhere-secret',
      '--refresh-token',
      'rt-elsewhere-secret',
      '--expires-at',
      '2030-01-01T00:00:00Z',
      '--geolocation',
      'https://emea.api.concursolutions.com',
    ]);
    expect(stored).toMatchObject({
      companyId: 'elsewhere',
      geolocation: 'https://emea.api.concursolutions.com',
      accessTokenExpiresAt: '2030-01-01T00:00:00Z',
      refreshTokenExpiresAt: null,
    });
    expect(JSON.stringify(stored)).not.toContain('elsewhere-secret');
    const half = await runCli(['companies', 'connect', 'half', ...local(), '--access-token', 'x']);
    expect(half.status).toBe(1);
  });
});

describe('apps', () => {
  it('adds an app with its approved source, connects it to a company, and its supplier posts with its tokens', async () => {
    const issued = (await (
      await fetch(`${server.endpoints.simulator}/_sim/tokens/issue`, {
        method: 'POST',
        body: JSON.stringify({ companyId: COMPANY, bookingSource: 'AppCars' }),
      })
    ).json()) as { accessToken: string; refreshToken: string };
    const added = await runJson<Record<string, unknown>>([
      'apps',
      'add',
      ...local(),
      '--id',
      'cars-app',
      '--client-id',
      `${COMPANY}-client`,
      '--client-secret',
      `${COMPANY}-secret`,
      '--booking-source',
      'AppCars',
    ]);
    expect(added).toMatchObject({ appId: 'cars-app', bookingSources: ['AppCars'] });
    expect(JSON.stringify(added)).not.toContain(`${COMPANY}-secret`);
    const again = await runCli([
      'apps',
      'add',
      ...local(),
      '--id',
      'cars-app',
      '--client-id',
      'x',
      '--client-secret',
      'y',
    ]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('--replace');

    const listed = await runCli(['apps', 'list', ...local()]);
    expect(listed.stdout).toMatch(/cars-app\s+demo-company-client\s+AppCars/);
    expect(listed.stdout).toMatch(/default\s+demo-company-client\s+any/);
    expect(listed.stdout).not.toContain(`${COMPANY}-secret`);

    const refused = await runCli([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'wrong-source',
      '--booking-source',
      'OtherCars',
      '--company',
      COMPANY,
      '--concur-app',
      'cars-app',
    ]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('did not approve booking source OtherCars for app cars-app');
    const unknownApp = await runCli([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'no-app',
      '--booking-source',
      'AppCars',
      '--company',
      COMPANY,
      '--concur-app',
      'nowhere',
    ]);
    expect(unknownApp.status).toBe(1);
    expect(unknownApp.stderr).toContain('app nowhere is not configured');

    const connected = await runJson<Record<string, unknown>>([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--app',
      'cars-app',
      '--access-token',
      issued.accessToken,
      '--refresh-token',
      issued.refreshToken,
      '--expires-at',
      new Date(Date.now() + 3_000_000).toISOString(),
      '--geolocation',
      server.endpoints.simulator!,
    ]);
    expect(connected).toMatchObject({ companyId: COMPANY, appId: 'cars-app' });
    const { apiKey, supplier } = await runJson<{ apiKey: string; supplier: Record<string, unknown> }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'cars',
      '--booking-source',
      'AppCars',
      '--company',
      COMPANY,
      '--concur-app',
      'cars-app',
    ]);
    expect(supplier).toMatchObject({ concurApp: 'cars-app' });
    const answer = await putBooking(apiKey, 'APP-1');
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const posts = (await (await fetch(`${server.endpoints.simulator}/_sim/requests`)).json()) as {
      requests: { route?: string; query: Record<string, string>; headers: Record<string, string> }[];
    };
    const post = posts.requests.filter((r) => r.route === 'bookingPost').at(-1)!;
    expect(post.headers.authorization).toBe(`Bearer ****${issued.accessToken.slice(-4)}`);

    const connections = await runJson<{ companies: { companyId: string; appId: string }[] }>([
      'companies',
      'list',
      ...local(),
    ]);
    expect(connections.companies.filter((c) => c.companyId === COMPANY).map((c) => c.appId)).toEqual([
      'cars-app',
      'default',
    ]);
    const shown = await runCli(['companies', 'show', COMPANY, '--app', 'cars-app', ...local()]);
    expect(shown.stdout).toContain('app:                    cars-app');
    expect(shown.stdout).not.toContain(issued.accessToken);
    expect(shown.stdout).not.toContain(issued.refreshToken);
  });
});

describe('an app’s outbound limit', () => {
  it('is set, shown and changed through the command line, and the running functions hold the app to it', async () => {
    const issued = (await (
      await fetch(`${server.endpoints.simulator}/_sim/tokens/issue`, {
        method: 'POST',
        body: JSON.stringify({ companyId: COMPANY, bookingSource: 'HourlyCars' }),
      })
    ).json()) as { accessToken: string; refreshToken: string };
    const tooLow = await runCli([
      'apps',
      'add',
      ...local(),
      '--id',
      'hourly-app',
      '--client-id',
      `${COMPANY}-client`,
      '--client-secret',
      `${COMPANY}-secret`,
      '--rate-per-minute',
      '30',
    ]);
    expect(tooLow.status).toBe(1);
    expect(tooLow.stderr).toContain('--rate-per-minute 30: a whole number of requests, at least 60');
    const added = await runJson<Record<string, unknown>>([
      'apps',
      'add',
      ...local(),
      '--id',
      'hourly-app',
      '--client-id',
      `${COMPANY}-client`,
      '--client-secret',
      `${COMPANY}-secret`,
      '--booking-source',
      'HourlyCars',
      '--rate-per-minute',
      '600',
      '--rate-per-hour',
      '1',
    ]);
    expect(added).toMatchObject({ appId: 'hourly-app', ratePerMinute: 600, ratePerHour: 1 });
    const listed = await runCli(['apps', 'list', ...local()]);
    expect(listed.stdout).toMatch(/PER MINUTE\s+PER HOUR/);
    expect(listed.stdout).toMatch(/hourly-app\s+demo-company-client\s+HourlyCars\s+600\s+1\n/);
    expect(listed.stdout).toMatch(
      /default\s+demo-company-client\s+any\s+3000 \(default\)\s+200000 \(default\)/,
    );

    await runJson([
      'companies',
      'connect',
      COMPANY,
      ...local(),
      '--app',
      'hourly-app',
      '--access-token',
      issued.accessToken,
      '--refresh-token',
      issued.refreshToken,
      '--expires-at',
      new Date(Date.now() + 3_000_000).toISOString(),
      '--geolocation',
      server.endpoints.simulator!,
    ]);
    const { apiKey } = await runJson<{ apiKey: string }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'hourly',
      '--booking-source',
      'HourlyCars',
      '--company',
      COMPANY,
      '--concur-app',
      'hourly-app',
    ]);
    // The hour's windows are clock hours: both bookings within one.
    const intoHour = Date.now() % 3_600_000;
    if (intoHour > 3_540_000)
      await new Promise((resolve) => setTimeout(resolve, 3_600_000 - intoHour + 1_000));
    expect((await putBooking(apiKey, 'HOURLY-1')).status).toBe(201);
    // The app's one call of the hour is spent: the next is refused before it reaches Concur.
    const refused = await putBooking(apiKey, 'HOURLY-2');
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(refused.body).toMatchObject({ type: expect.stringContaining('concur-unavailable') });

    const updated = await runJson<Record<string, unknown>>([
      'apps',
      'update',
      'hourly-app',
      ...local(),
      '--rate-per-hour',
      'default',
      '--rate-per-minute',
      '1200',
    ]);
    expect(updated).toMatchObject({
      ratePerMinute: 1200,
      ratePerHour: 200_000,
      ownRate: { perMinute: true, perHour: false },
    });
    const shown = await runCli(['apps', 'show', 'hourly-app', ...local()]);
    expect(shown.status).toBe(0);
    expect(shown.stdout).toContain('limit:           1200 a minute, 200000 (default) an hour');
    expect(shown.stdout).not.toContain(`${COMPANY}-secret`);
    const nothing = await runCli(['apps', 'update', 'hourly-app', ...local()]);
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain('give --rate-per-minute, --rate-per-hour or both');
  });
});

describe('without npm start', () => {
  it('opens the data itself once npm start stopped, and npm start finds the changes when it starts again', async () => {
    await server.stop();
    const added = await runJson<{ apiKey: string }>([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'offline',
      '--booking-source',
      'OfflineCars',
      '--company',
      COMPANY,
    ]);
    const list = await runJson<{ suppliers: { id: string }[] }>(['suppliers', 'list', ...local()]);
    expect(list.suppliers.map((s) => s.id)).toContain('offline');
    server = await startNpmStart(dataDir);
    // A new process: the key ended by rotate-key --grace 0 earlier is refused here too.
    expect((await putBooking(added.apiKey, 'OFF-1')).status).toBe(201);
  }, 90_000);
});
