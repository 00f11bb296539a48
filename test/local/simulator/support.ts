/**
 * Test helpers for the simulator suites: a simulator on a manual clock, calls over real HTTP (global fetch),
 * Concur's answers read back with the document toolkit, and the seeds' own request examples.
 */
import { afterEach } from 'vitest';
import { buildConcurXml, parseConcurAnswer, UNKNOWN_ELEMENTS_KEY } from '../../../shared/concur';
import type { Booking, Itinerary, ItineraryInfo } from '../../../shared/concur';
import { createManualClock, startSimulator } from '../../../local/simulator';
import type { ManualClock, Simulator, SimulatorOptions } from '../../../local/simulator';
import { seedExamples } from '../../support/seed-examples';
import type { SeedExample } from '../../support/seed-examples';

export const TRIP_PATH = '/api/travel/trip/v1.1';
export const BOOKING_PATH = '/api/travel/booking/v1.1';

export interface TestSimulator {
  sim: Simulator;
  clock: ManualClock;
}

const running: Simulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

/** A simulator whose clock stands at 2013-12-01 (ten days before the seeds' trips), closed after each test. */
export async function startTestSimulator(options: SimulatorOptions = {}): Promise<TestSimulator> {
  const clock = createManualClock('2013-12-01T10:00:00Z');
  const sim = await startSimulator({ clock, ...options });
  running.push(sim);
  return { sim, clock };
}

export interface CallOptions {
  method?: string;
  body?: string;
  /** An access token; `null` sends no Authorization header. Default: the default company's token. */
  token?: string | null;
  scheme?: 'Bearer' | 'OAuth';
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body read by the document toolkit, when it is a Concur document. */
  document: Record<string, unknown>;
}

/** Calls the simulator at a path (or an absolute URL, e.g. a NextPageURL). */
export async function call(
  sim: Simulator,
  pathOrUrl: string,
  options: CallOptions = {},
): Promise<CallResult> {
  const token = options.token === undefined ? sim.accessTokenFor() : options.token;
  const response = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.url}${pathOrUrl}`, {
    method: options.method ?? (options.body !== undefined ? 'POST' : 'GET'),
    headers: {
      ...(token !== null ? { Authorization: `${options.scheme ?? 'Bearer'} ${token}` } : {}),
      ...(options.body !== undefined ? { 'Content-Type': 'application/xml' } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let document: Record<string, unknown> = {};
  if (text.startsWith('<?xml')) document = withoutUnknownElements(parseConcurAnswer(text).document);
  return { status: response.status, headers: response.headers, text, document };
}

/**
 * Answers are read as the gateway reads them (leniently), and the elements Concur adds beyond its XSD are then
 * dropped: the tests of those extras look at them in `text`; the others compare what they are about.
 */
function withoutUnknownElements<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withoutUnknownElements) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== UNKNOWN_ELEMENTS_KEY)
      .map(([key, item]) => [key, withoutUnknownElements(item)]),
  ) as T;
}

export const itineraryOf = (result: CallResult): Itinerary => result.document.itinerary as Itinerary;
export const bookingOf = (result: CallResult): Booking => result.document.booking as Booking;
export const errorMessageOf = (result: CallResult): string =>
  String((result.document.error as { message?: string } | undefined)?.message ?? '');

/** The trip list, plain or paged. */
export function tripInfosOf(result: CallResult): ItineraryInfo[] {
  if (result.document.itineraryInfoList) return result.document.itineraryInfoList as ItineraryInfo[];
  const connect = result.document.connectResponse as { data?: { itineraryInfoList?: ItineraryInfo[] } };
  return connect.data?.itineraryInfoList ?? [];
}

let examples: SeedExample[] | undefined;

/** A seed example by id, e.g. `002#1`. */
export function seed(id: string): SeedExample {
  examples ??= seedExamples();
  const example = examples.find((e) => e.id === id);
  if (!example) throw new Error(`no seed example ${id}`);
  return example;
}

/** The path and query of a seed request line, e.g. `POST /api/travel/booking/v1.0?tripId=12345678 HTTPS/1.1`. */
export function seedRequestPath(example: SeedExample): string {
  const target = example.requestLine!.split(/\s+/)[1]!;
  return target.replace(/^https?:\/\/[^/]+/, '');
}

export const tripIdOf = (itinerary: Itinerary): string => itinerary.itinLocator!;

export const encodeTripId = (tripId: string): string => encodeURIComponent(tripId);

/** A trip request built with the toolkit: one car booking per span, by the given source. */
export function tripXml(
  name: string,
  spans: readonly (readonly [start: string, end: string])[],
  extra: Partial<Itinerary> = {},
  bookingSource = 'TravelBookings.com',
): string {
  return buildConcurXml({
    itinerary: {
      tripName: name,
      ...extra,
      bookings: spans.map(([start, end], index) =>
        carBooking(`${name.replace(/\W/g, '').slice(0, 20)}${index}`, start, end, bookingSource),
      ),
    },
  });
}

export function carBooking(
  recordLocator: string,
  start: string,
  end: string,
  bookingSource = 'TravelBookings.com',
): Booking {
  return {
    recordLocator,
    bookingSource,
    passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
    segments: [
      {
        kind: 'car',
        vendor: 'ZE',
        confirmationNumber: `C-${recordLocator}`,
        startDateLocal: start,
        endDateLocal: end,
        startCityCode: 'SEA',
        endCityCode: 'SEA',
        dailyRate: 44,
        totalRate: 132,
        currency: 'USD',
        charges: [{ kind: 'fixed', description: 'Dropoff Fee', currency: 'USD', amount: 12 }],
      },
    ],
  };
}

export const bookingXml = (booking: Booking): string => buildConcurXml({ booking });

/** Waits (without a deadline of its own: the test's timeout is the deadline) until `condition` holds. */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 2));
}
