/**
 * `npm run bench [-- NAME…]`: runs the named benchmarks, or all of them.
 */
import { runColdStartBench } from './coldstart';
import { runDeliveriesBench } from './deliveries';
import { runEventsBench } from './events';
import { runGatewayBench } from './gateway';
import { runSimulatorClientBench } from './simulator-client';
import { runTranslationBench } from './translation';
import useScratchTmpdir from '../test/support/scratch-dir';

const benches: Record<string, () => void | Promise<void>> = {
  translation: runTranslationBench,
  'simulator-client': runSimulatorClientBench,
  gateway: runGatewayBench,
  coldstart: runColdStartBench,
  events: runEventsBench,
  deliveries: runDeliveriesBench,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  console.error(`unknown benchmark "${unknown[0]}"; known: ${Object.keys(benches).join(', ')}`);
  process.exit(1);
}
// The benches' data directories and synthesized stages go to a directory of the run's own, removed at its end.
const removeScratch = useScratchTmpdir();
try {
  for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) await benches[name]!();
} finally {
  removeScratch();
}
