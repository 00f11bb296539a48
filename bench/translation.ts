/**
 * Translate and parse throughput for a seed-sized booking (seed 003's booking request), beside raw
 * fast-xml-parser building and parsing the same XML.
 */
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { buildConcurXml, parseConcurXml, translateToConcurXml, validateBooking } from '../shared/concur';
import { seedExamples } from '../test/support/seed-examples';
import { measure, report } from './measure';

export function runTranslationBench(): void {
  const example = seedExamples().find((e) => e.id === '003#10')!;
  const document = parseConcurXml(example.xml) as { booking: unknown };
  const xml = buildConcurXml(document);
  const rawParser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });
  const rawTree = rawParser.parse(xml);
  const rawBuilder = new XMLBuilder({ ignoreAttributes: false });

  console.log(`document: seed 003 booking request, ${Buffer.byteLength(xml)} bytes of XML`);
  report('documents per second (median of 5 rounds of 400 ms, one core)', [
    measure('translate (validate + build XML)', () => translateToConcurXml('booking', document)),
    measure('  validate only (zod)', () => validateBooking(document.booking)),
    measure('  build only', () => buildConcurXml(document)),
    measure('parse (hardened, to the JSON form)', () => parseConcurXml(xml)),
    measure('raw fast-xml-parser XMLBuilder.build, same document', () => rawBuilder.build(rawTree)),
    measure('raw fast-xml-parser XMLParser.parse, same XML', () => rawParser.parse(xml)),
  ]);
}
