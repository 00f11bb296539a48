/**
 * Test keys' fault rehearsals: the sandbox company's faults at the simulator its connection names, asked with
 * the fetch of every Concur call (signed for the hosted sandbox on AWS).
 */
import { SimulatorSandboxFaultControls } from '../adapters/simulator/sandbox-fault-controls';
import { SANDBOX_APP_ID } from '../sandbox';
import { SandboxFaults } from '../sandbox/faults';
import { companyCredentials, outboundFetch } from './concur';
import { once } from './container';

export const sandboxFaults = (): SandboxFaults =>
  once(
    'sandboxFaults',
    () =>
      new SandboxFaults(
        new SimulatorSandboxFaultControls({
          baseUrlOf: async (companyId) =>
            (await companyCredentials().readConnection({ appId: SANDBOX_APP_ID, companyId })).baseUrl,
          fetch: outboundFetch(),
        }),
      ),
  );
