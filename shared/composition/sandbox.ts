/**
 * Test keys' rehearsals at their sandbox company: its faults and trips booked elsewhere, at the simulator its
 * connection names, asked with the fetch of every Concur call (signed for the hosted sandbox on AWS).
 */
import { SimulatorSandboxControls } from '../adapters/simulator/sandbox-controls';
import { SANDBOX_APP_ID } from '../sandbox';
import { SandboxAgencyTrips } from '../sandbox/agency-trips';
import { SandboxFaults } from '../sandbox/faults';
import { companyCredentials, outboundFetch } from './concur';
import { once } from './container';

const sandboxControls = (): SimulatorSandboxControls =>
  once(
    'sandboxControls',
    () =>
      new SimulatorSandboxControls({
        baseUrlOf: async (companyId) =>
          (await companyCredentials().readConnection({ appId: SANDBOX_APP_ID, companyId })).baseUrl,
        fetch: outboundFetch(),
      }),
  );

export const sandboxFaults = (): SandboxFaults =>
  once('sandboxFaults', () => new SandboxFaults(sandboxControls()));

export const sandboxAgencyTrips = (): SandboxAgencyTrips =>
  once('sandboxAgencyTrips', () => new SandboxAgencyTrips(sandboxControls()));
