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

const profileOption = (fallback: string) =>
  new Option(
    '--profile <profile>',
    `validation rules: tmc (seed 003) or triplink (TripLink suppliers); ${fallback}`,
  ).choices(VALIDATION_PROFILES);
const compactOption = () => new Option('--compact', 'one line instead of indented output');

const translate = program
  .command('translate')
  .description(
    'the API’s dry runs on this machine: the body of the booking PUT or the trip create (FILE or stdin) in, the Concur XML that write would post out; exit 1 with problem+json on stderr when refused',
  );
const translateOptions = (command: Command) =>
  command
    .option('--booking-source <name>', 'the Concur BookingSource of the supplier whose write it is')
    .option(
      '--supplier <id>',
      'a registered supplier (with --local or --stage): its booking source and profile',
    )
    .addOption(profileOption('by default the supplier’s own, else tmc'))
    .addOption(compactOption());
translateOptions(
  translate
    .command('booking')
    .argument('[file]', 'the booking PUT’s body: {"booking": {...}, "traveler": {...}, "tripId"?, ...}')
    .requiredOption('--confirmation <number>', 'the confirmation number the PUT names in its path'),
).action((file, _options, command: Command) => translateCommand('booking', file, command.optsWithGlobals()));
translateOptions(
  translate
    .command('trip')
    .argument('[file]', 'the trip create’s body: {"itinerary": {...}, "traveler": {...}}'),
).action((file, _options, command: Command) => translateCommand('trip', file, command.optsWithGlobals()));

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
