/**
 * `concur-gateway`: the gateway's command line (bin/concur-gateway.mjs runs this file).
 */
import { Command, Option } from 'commander';
import { VALIDATION_PROFILES } from '../shared/concur';
import { registerSimulatorCommand } from '../local/simulator/command';
import { parseCommand, translateCommand } from './documents';
import { registerAppCommands } from './operator/apps';
import { registerBookingCommands } from './operator/bookings';
import { registerCompanyCommands } from './operator/companies';
import { registerEventCommands } from './operator/events';
import { registerReconcileCommand } from './operator/reconcile';
import { addTargetOptions, operatorCommand } from './operator/run';
import { registerSupplierCommands } from './operator/suppliers';
import { registerTripCommands } from './operator/trips';

const program = new Command('concur-gateway')
  .description(
    'SAP Concur Itinerary v1.1 gateway: translate bookings and trips, parse Concur XML, run the simulator, and operate a deployed stage or the npm start data',
  )
  .showHelpAfterError();
addTargetOptions(program);

const profileOption = () =>
  new Option('--profile <profile>', 'validation rules: tmc (seed 003) or triplink (TripLink suppliers)')
    .choices(VALIDATION_PROFILES)
    .default('tmc');
const compactOption = () => new Option('--compact', 'one line instead of indented output');

const translate = program
  .command('translate')
  .description(
    'JSON form in (FILE or stdin), Concur XML out; exit 1 with problem+json on stderr when invalid',
  );
translate
  .command('booking')
  .argument('[file]', 'a booking in the JSON form: {"booking": {...}}')
  .addOption(profileOption())
  .addOption(compactOption())
  .action((file, options) => translateCommand('booking', file, options));
translate
  .command('trip')
  .argument('[file]', 'a trip in the JSON form: {"itinerary": {...}}')
  .addOption(profileOption())
  .addOption(compactOption())
  .action((file, options) => translateCommand('trip', file, options));

program
  .command('parse')
  .description(
    'Concur XML in (FILE or stdin), the JSON form out; exit 1 with problem+json on stderr when unusable',
  )
  .argument('[file]', 'a Concur XML document')
  .addOption(compactOption())
  .action((file, options) => parseCommand(file, options));

registerSimulatorCommand(program);
registerSupplierCommands(program, operatorCommand);
registerAppCommands(program, operatorCommand);
registerCompanyCommands(program, operatorCommand);
registerBookingCommands(program, operatorCommand);
registerTripCommands(program, operatorCommand);
registerReconcileCommand(program, operatorCommand);
registerEventCommands(program, operatorCommand);

await program.parseAsync();
