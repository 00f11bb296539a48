/**
 * `trips export` and `reconcile` spawned through the bin against `npm start`: the gateway's own records in its
 * dynalite, the details and the drift at its simulator.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoBookingMappings } from '../../shared/adapters/dynamodb';
import { ConcurClient } from '../../shared/concur-client';
import { tripIdOf } from '../../shared/gateway/bookings';
import { LOCAL_TABLES } from '../../local/data-dir';
import { api, bookingPath, carBooking, COMPANY, TRAVELER } from '../gateway/support';
import { tripWithCar } from '../concur-client/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });

let server: LocalStart;
let dataDir: string;
let apiKey: string;
const local = () => ['--local', dataDir];

beforeAll(async () => {
  dataDir = freshDataDir();
  server = await startNpmStart(dataDir);
  ({ apiKey } = await runJson<{ apiKey: string }>([
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

const simulatorTokens = async () =>
  (
    (await (await fetch(`${server.endpoints.simulator}/_sim/tokens`)).json()) as {
      companies: { id: string; accessToken: string }[];
    }
  ).companies.find((company) => company.id === COMPANY)!;

const simulatorRequests = async () =>
  (
    (await (await fetch(`${server.endpoints.simulator}/_sim/requests`)).json()) as {
      requests: { route?: string; query: Record<string, string | undefined> }[];
    }
  ).requests;

describe('reconcile', () => {
  it('reports nothing while Concur agrees, then a booking deleted and one cancelled at the simulator', async () => {
    const gateway = api({ url: server.endpoints.gateway }, apiKey);
    for (const number of ['REC-1', 'REC-2', 'REC-3']) {
      const answer = await gateway.put(bookingPath(number), {
        booking: carBooking({}, { confirmationNumber: number }),
        traveler: { loginId: TRAVELER },
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    }
    const clean = await runCli(['reconcile', ...local(), '--company', COMPANY, '--json']);
    expect(clean.status, clean.stderr).toBe(0);
    expect(JSON.parse(clean.stdout.trim())).toEqual({
      summary: { companyId: COMPANY, checked: 3, drifted: 0, byKind: {} },
    });

    const mapping = async (number: string) =>
      (
        await runJson<{ bookings: { recordLocator: string; tripId: string }[] }>([
          'bookings',
          'find',
          ...local(),
          '--company',
          COMPANY,
          '--confirmation',
          number,
        ])
      ).bookings[0]!;
    const deleted = await mapping('REC-1');
    const removal = await fetch(`${server.endpoints.simulator}/_sim/state/delete-booking`, {
      method: 'POST',
      body: JSON.stringify({
        companyId: COMPANY,
        bookingSource: 'AcmeCars',
        recordLocator: deleted.recordLocator,
      }),
    });
    expect(removal.status).toBe(204);
    const cancel = await fetch(
      `${server.endpoints.simulator}/api/travel/booking/v1.1/cancel?bookingSource=AcmeCars&confirmationNumber=REC-2&userid_type=login_id&userid_value=${encodeURIComponent(TRAVELER)}`,
      { method: 'POST', headers: { authorization: `Bearer ${(await simulatorTokens()).accessToken}` } },
    );
    expect(cancel.status).toBe(200);

    const requestsBefore = await simulatorRequests();
    const drifted = await runCli(['reconcile', ...local(), '--company', COMPANY, '--json']);
    expect(drifted.status, drifted.stderr).toBe(2);
    // Looking for the deleted booking elsewhere lists the traveler's trips one calendar month at a time.
    const lists = (await simulatorRequests())
      .slice(requestsBefore.length)
      .filter((request) => request.route === 'tripList');
    expect(lists.length).toBeGreaterThan(0);
    for (const { query } of lists) {
      expect(query.userid_value).toBe(TRAVELER);
      expect(query.startDate).toMatch(/^\d{4}-\d{2}-01$/);
      expect(query.endDate!.slice(0, 7)).toBe(query.startDate!.slice(0, 7));
    }
    const lines = drifted.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(
      lines
        .slice(0, -1)
        .sort((a, b) => String(a.confirmationNumber).localeCompare(String(b.confirmationNumber))),
    ).toEqual([
      {
        kind: 'booking-gone',
        supplierId: 'acme',
        bookingSource: 'AcmeCars',
        confirmationNumber: 'REC-1',
        recordLocator: deleted.recordLocator,
        tripId: deleted.tripId,
      },
      expect.objectContaining({ kind: 'booking-cancelled', confirmationNumber: 'REC-2' }),
    ]);
    expect(lines.at(-1)).toEqual({
      summary: {
        companyId: COMPANY,
        checked: 3,
        drifted: 2,
        byKind: { 'booking-gone': 1, 'booking-cancelled': 1 },
      },
    });
  });
});

describe('trips export', () => {
  it('writes one line per known trip in the dates (500), resumes after an interruption, and writes CSV', async () => {
    // 500 trips at the simulator, recorded as created by the supplier, as the trips route records them.
    const { accessToken } = await simulatorTokens();
    const client = new ConcurClient({});
    const dynamodb = new DynamoDBClient({
      endpoint: server.endpoints.dynamodb,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const mappings = new DynamoBookingMappings({ client: dynamodb, tableName: LOCAL_TABLES.state });
    const context = { baseUrl: server.endpoints.simulator!, accessToken, loginId: TRAVELER, deadline: 0 };
    const created: string[] = [];
    for (let start = 0; start < 500; start += 25) {
      await Promise.all(
        Array.from({ length: 25 }, async (_, i) => {
          const trip = await client.createTrip(
            { ...context, deadline: Date.now() + 60_000 },
            tripWithCar(`Export ${start + i}`, [1 + ((start + i) % 20), 3 + ((start + i) % 20)]),
          );
          const tripId = tripIdOf(trip.value)!;
          created.push(tripId);
          await mappings.recordTrip({
            companyId: COMPANY,
            bookingSource: 'AcmeCars',
            tripId,
            travelerLoginId: TRAVELER,
          });
        }),
      );
    }
    dynamodb.destroy();

    const out = join(dataDir, 'march.ndjson');
    const args = [
      'trips',
      'export',
      ...local(),
      '--company',
      COMPANY,
      '--from',
      '2027-03-01',
      '--to',
      '2027-03-20',
    ];
    const first = await runJson<{ written: number; known: number }>([...args, '--out', out]);
    // The 500 trips, and the trip of the reconcile test's bookings (21 to 23 March) outside the dates.
    expect(first).toMatchObject({ known: 501, written: 500, outsideDates: 1 });
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(500);
    const exported = lines.map(
      (line) => JSON.parse(line) as { tripId: string; startDateLocal: string; bookingSources: string[] },
    );
    expect(new Set(exported.map((trip) => trip.tripId))).toEqual(new Set(created));
    for (const trip of exported) expect(trip.startDateLocal.startsWith('2027-03')).toBe(true);

    // Interrupted after 200 trips, in the middle of the 201st line: the next run finishes the rest only.
    writeFileSync(out, `${lines.slice(0, 200).join('\n')}\n${lines[200]!.slice(0, 40)}`);
    const resumed = await runJson<{ written: number; alreadyExported: number }>([...args, '--out', out]);
    expect(resumed).toMatchObject({ written: 300, alreadyExported: 200 });
    const after = readFileSync(out, 'utf8').trim().split('\n');
    expect(after).toHaveLength(500);
    expect(new Set(after.map((line) => (JSON.parse(line) as { tripId: string }).tripId)).size).toBe(500);

    const csv = join(dataDir, 'march.csv');
    await runJson([...args, '--out', csv, '--format', 'csv', '--supplier', 'acme']);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe(
      'tripId,travelerLoginId,tripName,startDateLocal,endDateLocal,bookingSources,recordLocators',
    );
    expect(rows).toHaveLength(501);
  });
});
