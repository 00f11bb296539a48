import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The itinerary of Concur's TMC itinerary guide: real Concur XML, with elements the public XSD lacks. */
export const tmcGuideItinerary = readFileSync(
  resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/answers/tmc-guide-itinerary.xml'),
  'utf8',
);
