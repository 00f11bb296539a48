/**
 * `npm run bench [-- NAME…]`: runs the named benchmarks, or all of them.
 */
import { runColdStartBench } from './coldstart';
import { runDeliveriesBench } from './deliveries';
import { runEventsBench } from './events';
import { runGatewayBench } from './gateway';
import { runSimulatorClientBench } from './simulator-client';
import { runTranslationBench } from './translation';

const benches: Record<string, () => void | Promise<void>> = {
  translation: runTranslationBench,
  'simulator-client': runSimulatorClientBench,
  gateway: runGatewayBench,
  coldstart: runColdStartBench,
  events: runEventsBench,
  deliveries: runDeliveriesBench,
};

const wanted = process.argv.slice(2);
for (const name of wanted.length > 0 ? wanted : Object.keys(benches)) {
  const bench = benches[name];
  if (!bench) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(benches).join(', ')}`);
    process.exit(1);
  }
  await bench();
}
