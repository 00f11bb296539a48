/**
 * The XML examples of the seed documents (../shared/seeds), cut out of the text where they stand, so that the
 * tests run against Concur's own examples without the project carrying a copy of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const seedsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/seeds');

export interface SeedExample {
  /** `003#5`: seed file prefix and the example's position in it. */
  id: string;
  seed: string;
  root: string;
  /** A request body (it follows a POST line) or a response. */
  role: 'request' | 'response';
  xml: string;
  /** The request line that precedes a request example, e.g. `POST /api/travel/booking/v1.0?tripId=12345678 HTTPS/1.1`. */
  requestLine?: string;
}

const ROOTS = ['Itinerary', 'Booking', 'ItineraryInfoList', 'ConnectResponse', 'Response', 'Car'];

export function seedExamples(): SeedExample[] {
  const examples: SeedExample[] = [];
  for (const file of readdirSync(seedsDir)
    .filter((f) => /^\d{3}_.*\.txt$/.test(f))
    .sort()) {
    const seed = file.slice(0, 3);
    const lines = readFileSync(resolve(seedsDir, file), 'utf8').split('\n');
    let count = 0;
    for (let i = 0; i < lines.length; i++) {
      const trimmed = lines[i]!.trim();
      const root = ROOTS.find((r) => trimmed.startsWith(`<${r}>`) || trimmed.startsWith(`<${r} `));
      if (!root) continue;
      let end = i;
      while (end < lines.length && !lines[end]!.includes(`</${root}>`)) end++;
      const xml = lines
        .slice(i, end + 1)
        .join('\n')
        .trim();
      let requestLine: string | undefined;
      for (let back = i - 1; back >= Math.max(0, i - 12); back--) {
        const line = lines[back]!.trim();
        if (/^POST\s/.test(line)) {
          requestLine = line;
          break;
        }
        if (/^(GET|HTTP\/1\.1)\s/.test(line) || /Response/.test(line)) break;
      }
      examples.push({
        id: `${seed}#${++count}`,
        seed,
        root,
        role: requestLine ? 'request' : 'response',
        xml,
        ...(requestLine ? { requestLine } : {}),
      });
      i = end;
    }
  }
  return examples;
}
