/**
 * Concur's own XML examples, as test fixtures: the Itinerary v1.1 documentation's request and response bodies
 * (test/fixtures/concur-xml/seeds, listed in examples.json with the request line a request follows) and the
 * TMC guide's trip (test/fixtures/concur-xml/docs).
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/concur-xml');

export interface SeedExample {
  /** `003#5`: the document's number and the example's position in it. */
  id: string;
  seed: string;
  root: string;
  /** A request body (it follows a POST line) or a response. */
  role: 'request' | 'response';
  xml: string;
  /** The request line that precedes a request example, e.g. `POST /api/travel/booking/v1.0?tripId=12345678 HTTPS/1.1`. */
  requestLine?: string;
}

interface ManifestEntry {
  id: string;
  file: string;
  requestLine?: string;
}

const readFixture = (path: string): string => readFileSync(resolve(fixturesDir, path), 'utf8').trim();

/** The name of the document element, after any XML declaration. */
const rootOf = (xml: string): string => {
  const match = /<([A-Za-z][\w.-]*)[\s>/]/.exec(xml.replace(/^<\?xml[^?]*\?>/, ''));
  if (!match) throw new Error('fixture without a document element');
  return match[1]!;
};

let cached: SeedExample[] | undefined;

export function seedExamples(): SeedExample[] {
  cached ??= (JSON.parse(readFixture('seeds/examples.json')) as ManifestEntry[]).map((entry) => {
    const xml = readFixture(`seeds/${entry.file}`);
    return {
      id: entry.id,
      seed: entry.id.slice(0, 3),
      root: rootOf(xml),
      role: entry.requestLine ? 'request' : 'response',
      xml,
      ...(entry.requestLine ? { requestLine: entry.requestLine } : {}),
    };
  });
  return cached.map((example) => ({ ...example }));
}

/** The TMC guide's trip create: the request body a TMC posts and the trip Concur answers. */
export const tmcGuideTrip = {
  request: (): string => readFixture('docs/tmc-guide-trip-create.request.xml'),
  response: (): string => readFixture('docs/tmc-guide-trip-create.response.xml'),
};
