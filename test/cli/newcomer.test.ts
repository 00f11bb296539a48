/**
 * What a newcomer runs into with the operator's command line, spawned through the bin against `npm start` on a
 * new data folder: a data folder that is not one, operator input that cannot be right, the simulator that is
 * not running, and a supplier's export that must show that supplier's view only. Each refusal is one line and
 * exit 1, never an answer as if nothing were wrong.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS } from '../../shared/suppliers';
import { api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let server: LocalStart | undefined;
let dataDir: string;
let acmeKey: string;
let demoKey: string;
const local = () => ['--local', dataDir];

beforeAll(async () => {
  // A folder that does not exist yet: npm start makes it, and says so.
  dataDir = join(freshDataDir(), 'data');
  server = await startNpmStart(dataDir);
  demoKey = readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim();
  ({ apiKey: acmeKey } = await runJson<{ apiKey: string }>([
    'suppliers',
    'add',
    ...local(),
    '--id',
    'acme',
    '--booking-source',
    'AcmeCars',
    '--company',
    COMPANY,
  ]));
});
afterAll(async () => {
  await server?.stop();
});

/** Exit 1 and one line on stderr, which `pattern` matches; nothing on stdout. */
function expectRefusal(result: { status: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.status, result.stderr).toBe(1);
  expect(result.stdout).toBe('');
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr.trim()).toMatch(pattern);
}

describe('a data folder that is not one', () => {
  it('npm start says that it made the folder', () => {
    expect(server!.output()).toContain(`data:           ${dataDir} (a new folder, made now)`);
  });

  it('a folder that does not exist is refused by name, and no command makes it', async () => {
    const missing = join(tmpdir(), `cgw-no-such-folder-${process.pid}`);
    for (const command of [
      ['suppliers', 'list'],
      ['suppliers', 'add', '--id', 'x', '--booking-source', 'X', '--company', COMPANY],
      ['events', 'list'],
      ['companies', 'list'],
    ]) {
      const result = await runCli([...command, '--local', missing]);
      expectRefusal(
        result,
        new RegExp(
          `^concur-gateway: no npm start data in ${missing}: the folder does not exist \\(npm start makes one: DATA_DIR=${missing} npm start\\)$`,
        ),
      );
      expect(existsSync(missing)).toBe(false);
    }
    const json = await runCli(['suppliers', 'list', '--local', missing, '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stderr)).toEqual({
      error: expect.stringContaining(`no npm start data in ${missing}`),
    });
  });

  it('a folder that holds no npm start data is refused too', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'cgw-empty-'));
    expectRefusal(
      await runCli(['suppliers', 'list', '--local', empty]),
      new RegExp(`^concur-gateway: no npm start data in ${empty}: it holds no dynamodb folder`),
    );
  });
});

describe('operator input that cannot be right', () => {
  it('a --cursor no page printed', async () => {
    const notOne = Buffer.from('2027-01-01T00:00:00.000Z#not-an-operation').toString('base64url');
    for (const cursor of ['garbage', notOne, '']) {
      expectRefusal(
        await runCli(['events', 'list', ...local(), '--cursor', cursor]),
        /^concur-gateway: --cursor: ".*" is not a cursor a listing printed without --parked$/,
      );
      expectRefusal(
        await runCli(['events', 'list', '--parked', ...local(), '--cursor', cursor]),
        /^concur-gateway: --cursor: ".*" is not a cursor a listing printed with --parked$/,
      );
    }
  });

  it('trips export --from after --to, and writes no file', async () => {
    const out = join(dataDir, 'backwards.csv');
    expectRefusal(
      await runCli([
        'trips',
        'export',
        ...local(),
        '--company',
        COMPANY,
        '--from',
        '2027-03-31',
        '--to',
        '2027-03-01',
        '--out',
        out,
      ]),
      /^concur-gateway: --from 2027-03-31 is after --to 2027-03-01: no trip could be in between$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('a company the gateway is not connected to, in suppliers add, reconcile and trips export', async () => {
    const noCompany = /^concur-gateway: no company nowhere-inc: it is not connected to Concur/;
    expectRefusal(
      await runCli([
        'suppliers',
        'add',
        ...local(),
        '--id',
        'typo',
        '--booking-source',
        'Typo',
        '--company',
        COMPANY,
        '--company',
        'nowhere-inc',
      ]),
      noCompany,
    );
    const suppliers = await runJson<{ suppliers: { id: string }[] }>(['suppliers', 'list', ...local()]);
    expect(suppliers.suppliers.map((s) => s.id)).not.toContain('typo');
    expectRefusal(await runCli(['reconcile', ...local(), '--company', 'nowhere-inc']), noCompany);
    const out = join(dataDir, 'nowhere.ndjson');
    expectRefusal(
      await runCli([
        'trips',
        'export',
        ...local(),
        '--company',
        'nowhere-inc',
        '--from',
        '2027-03-01',
        '--to',
        '2027-03-31',
        '--out',
        out,
      ]),
      noCompany,
    );
    expect(existsSync(out)).toBe(false);
    const json = await runCli(['reconcile', ...local(), '--company', 'nowhere-inc', '--json']);
    expect(JSON.parse(json.stderr)).toEqual({ error: expect.stringMatching(/^no company nowhere-inc: /) });
  });

  it('something unknown is said one way: no <thing> <id>', async () => {
    for (const [command, what] of [
      [['suppliers', 'disable', 'nobody'], 'supplier nobody'],
      [['suppliers', 'rotate-key', 'nobody'], 'supplier nobody'],
      [['suppliers', 'webhook-secret', 'nobody'], 'supplier nobody'],
      [
        ['bookings', 'find', '--company', COMPANY, '--confirmation', 'X', '--supplier', 'nobody'],
        'supplier nobody',
      ],
      [['companies', 'show', 'nobody'], 'company nobody'],
      [['events', 'show', 'op_00000000000000000000000000'], 'operation op_00000000000000000000000000'],
    ] as const) {
      expectRefusal(await runCli([...command, ...local()]), new RegExp(`^concur-gateway: no ${what}(:|$)`));
    }
  });
});

describe('trips export --supplier: the supplier’s own view', () => {
  it('lists only its own bookings, and the name of the trip it created', async () => {
    const acme = api({ url: server!.endpoints.gateway }, acmeKey);
    const demo = api({ url: server!.endpoints.gateway }, demoKey);
    // A trip Acme created and named, which DemoSupplier's booking then joins (its dates span the booking).
    const created = await acme.post(`/v1/companies/${COMPANY}/trips`, {
      itinerary: {
        tripName: 'Acme roadshow',
        startDateLocal: '2027-05-01T08:00:00',
        endDateLocal: '2027-05-28T20:00:00',
        bookings: [
          {
            recordLocator: 'ACMETRIP1',
            ...carBooking(
              {},
              {
                confirmationNumber: 'ACME-T1',
                startDateLocal: '2027-05-02T12:00:00',
                endDateLocal: '2027-05-27T12:00:00',
              },
            ),
          },
        ],
      },
      traveler: { loginId: TRAVELER },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const joined = await demo.put(bookingPath('DEMO-J1'), {
      booking: carBooking(
        { recordLocator: 'DEMOJOIN1' },
        {
          confirmationNumber: 'DEMO-J1',
          startDateLocal: '2027-05-10T12:00:00',
          endDateLocal: '2027-05-12T12:00:00',
        },
      ),
      traveler: { loginId: TRAVELER },
    });
    expect(joined.status, JSON.stringify(joined.body)).toBe(201);
    const acmeTrip = created.body.tripId as string;
    expect(joined.body.booking.tripId).toBe(acmeTrip);

    const args = [
      'trips',
      'export',
      ...local(),
      '--company',
      COMPANY,
      '--from',
      '2027-05-01',
      '--to',
      '2027-05-31',
    ];
    const csvOf = async (file: string, more: string[] = []) => {
      await runJson([...args, '--out', file, '--format', 'csv', ...more]);
      const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
      const columns = header!.split(',');
      return rows.map((row) => Object.fromEntries(row.split(',').map((cell, i) => [columns[i], cell])));
    };
    const everyone = await csvOf(join(dataDir, 'may-all.csv'));
    expect(everyone).toEqual([
      expect.objectContaining({
        tripId: acmeTrip,
        tripName: 'Acme roadshow',
        bookingSources: 'AcmeCars;DemoSupplier',
      }),
    ]);
    const ofAcme = await csvOf(join(dataDir, 'may-acme.csv'), ['--supplier', 'acme']);
    expect(ofAcme).toEqual([
      {
        tripId: acmeTrip,
        travelerLoginId: TRAVELER,
        tripName: 'Acme roadshow',
        startDateLocal: expect.stringMatching(/^2027-05-0/),
        endDateLocal: expect.stringMatching(/^2027-05-2/),
        bookingSources: 'AcmeCars',
        recordLocators: 'ACMETRIP1',
      },
    ]);
    // DemoSupplier did not create the trip: its view names only its own booking and not Acme's trip name.
    const ofDemo = await csvOf(join(dataDir, 'may-demo.csv'), ['--supplier', 'demo-supplier']);
    expect(ofDemo).toEqual([
      expect.objectContaining({
        tripId: acmeTrip,
        tripName: '',
        bookingSources: 'DemoSupplier',
        recordLocators: 'DEMOJOIN1',
      }),
    ]);
    expect(readFileSync(join(dataDir, 'may-demo.csv'), 'utf8')).not.toContain('ACMETRIP1');
  });
});

describe('translate: the API’s dry run on this machine', () => {
  it('with --supplier, answers exactly the XML the API’s dry run answers that supplier', async () => {
    const body = {
      booking: carBooking({}, { confirmationNumber: 'DRY-1' }),
      traveler: { email: 'chris.miller@example.com' },
    };
    const answer = await api({ url: server!.endpoints.gateway }, acmeKey).post(
      '/v1/translate/booking?confirmationNumber=DRY-1',
      body,
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const file = join(dataDir, 'dry-run.json');
    writeFileSync(file, JSON.stringify(body));
    const cli = await runCli([
      'translate',
      'booking',
      file,
      '--supplier',
      'acme',
      ...local(),
      '--confirmation',
      'DRY-1',
      '--compact',
    ]);
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout.trim()).toBe(answer.body.xml);
    expect(cli.stdout).toContain('<BookingSource>AcmeCars</BookingSource>');
    expectRefusal(
      await runCli([
        'translate',
        'booking',
        file,
        '--supplier',
        'nobody',
        ...local(),
        '--confirmation',
        'DRY-1',
      ]).then((result) => ({ ...result, stderr: JSON.stringify(JSON.parse(result.stderr)) })),
      /"detail":"no supplier nobody in local data /,
    );
  });
});

describe('suppliers disable', () => {
  it('says by when the keys stop: the authenticator cache’s age, from its answer', async () => {
    await runJson([
      'suppliers',
      'add',
      ...local(),
      '--id',
      'leaving',
      '--booking-source',
      'Leaving',
      '--company',
      COMPANY,
    ]);
    const before = Date.now();
    const result = await runCli(['suppliers', 'disable', 'leaving', ...local()]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^Supplier leaving disabled: its keys stop working within ${DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS / 1000} s from now \\(by .+\\)\\.$`,
        'm',
      ),
    );
    const stopBy = Date.parse(/\(by (.+)\)/.exec(result.stdout)![1]!);
    expect(stopBy).toBeGreaterThanOrEqual(before + DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS);
  });
});

describe('without npm start', () => {
  it('a command that calls the simulator says it is not running and how to start it', async () => {
    await server!.stop();
    server = undefined;
    const notRunning = new RegExp(
      `^concur-gateway: the local Concur simulator is not running \\(it runs inside npm start\\): start it \\(DATA_DIR=${dataDir} npm start\\), then run this again \\(no answer from Concur: ECONNREFUSED\\)$`,
    );
    expectRefusal(await runCli(['companies', 'test', COMPANY, ...local()]), notRunning);
    expectRefusal(await runCli(['reconcile', ...local(), '--company', COMPANY]), notRunning);
    expectRefusal(
      await runCli([
        'trips',
        'export',
        ...local(),
        '--company',
        COMPANY,
        '--from',
        '2027-05-01',
        '--to',
        '2027-05-31',
        '--out',
        join(dataDir, 'offline.ndjson'),
      ]),
      notRunning,
    );
  });
});
