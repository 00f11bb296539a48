/**
 * Helpers for the Concur client suites: the simulator as upstream (one per test file), a client whose waits
 * are recorded instead of slept and whose logs are captured, contexts, documents, and a scripted node:http
 * stub for answers the simulator does not give.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Booking, Itinerary } from '../../shared/concur';
import { ConcurClient } from '../../shared/concur-client';
import type { ConcurCallContext, ConcurClientOptions } from '../../shared/concur-client';
import { startSimulator } from '../../local/simulator';
import type { Simulator } from '../../local/simulator';

export const TRAVELER = 'cm@example.com';

/** Starts a simulator for the file; faults are cleared after each test. */
export function useSimulator(): () => Simulator {
  let simulator: Simulator | undefined;
  beforeAll(async () => {
    simulator = await startSimulator({ port: 0 });
  });
  afterEach(() => simulator?.faults.clear());
  afterAll(() => simulator?.close());
  return () => simulator!;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn';
  message: string;
  fields: Record<string, unknown>;
}

/** A client whose waits are recorded and resolve at once, with random() = 0.5 and its logs captured. */
export function recordingClient(options: ConcurClientOptions = {}) {
  const waits: number[] = [];
  const logs: LogLine[] = [];
  const client = new ConcurClient({
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    logger: {
      debug: (message, fields) => logs.push({ level: 'debug', message, fields }),
      info: (message, fields) => logs.push({ level: 'info', message, fields }),
      warn: (message, fields) => logs.push({ level: 'warn', message, fields }),
    },
    ...options,
  });
  return { client, waits, logs };
}

export function contextFor(sim: Simulator, overrides: Partial<ConcurCallContext> = {}): ConcurCallContext {
  return {
    baseUrl: sim.url,
    accessToken: sim.tokens.accessTokenFor(),
    loginId: TRAVELER,
    deadline: Date.now() + 20_000,
    ...overrides,
  };
}

let counter = 0;
/** A unique suffix, so documents of different tests never collide in the shared simulator. */
export const unique = (prefix: string) => `${prefix}-${++counter}-${process.pid}`;

const day = (d: number) => String(d).padStart(2, '0');

export function carBooking(
  recordLocator: string,
  days: [number, number],
  bookingSource = 'ContractTests',
): Booking {
  return {
    bookingSource,
    recordLocator,
    passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
    segments: [
      {
        kind: 'car',
        vendor: 'ZE',
        confirmationNumber: `CF${recordLocator}`.slice(0, 32),
        startDateLocal: `2027-03-${day(days[0])}T10:00:00`,
        endDateLocal: `2027-03-${day(days[1])}T18:00:00`,
        startCityCode: 'SEA',
        endCityCode: 'SEA',
      },
    ],
  };
}

export function tripWithCar(tripName: string, days: [number, number]): Itinerary {
  return {
    tripName,
    startDateLocal: `2027-03-${day(days[0])}T10:00:00`,
    endDateLocal: `2027-03-${day(days[1])}T18:00:00`,
    bookings: [carBooking(unique('TR'), days)],
  };
}

/** The window of every test trip (March 2027), outside the list's default window of today ± months. */
export const MARCH_2027 = { startDate: '2027-03-01', endDate: '2027-03-31' };

export interface StubRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface ScriptedAnswer {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

/**
 * A node:http server answering from a script, one entry per request (the last one repeats); a function entry
 * may do anything with the raw response (e.g. destroy the socket).
 */
export async function startStub(
  script: (ScriptedAnswer | ((response: ServerResponse) => void))[],
): Promise<{ url: string; requests: StubRequest[]; close(): Promise<void> }> {
  const requests: StubRequest[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const step = script[Math.min(requests.length - 1, script.length - 1)]!;
      if (typeof step === 'function') return step(response);
      response.writeHead(step.status, {
        'content-type': 'application/xml',
        'concur-correlationid': `stub-${requests.length}`,
        ...step.headers,
      });
      response.end(step.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const errorBody = (message: string) =>
  `<Error><Message>${message}</Message><Server-Time>2026-11-23T10:00:00</Server-Time><Id>X</Id></Error>`;

export const ITINERARY_XML =
  '<Itinerary xmlns="http://www.concursolutions.com/api/travel/trip/2010/06"><ItinLocator>T1</ItinLocator><TripName>Stubbed</TripName></Itinerary>';
