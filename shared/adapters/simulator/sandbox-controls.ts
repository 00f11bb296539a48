/**
 * A sandbox company at the Concur simulator's admin API, at the company's Concur base URL (the local simulator
 * under `npm start`; on AWS the company's path at the hosted sandbox, whose requests the given fetch signs): its
 * own faults (`/_sim/faults?companyId=…`, the query scoping every change to that company's set), and trips booked
 * elsewhere (`POST /_sim/trips`, naming the company).
 */
import type { FaultOptions } from '../../sandbox/fault-rules';
import { GatewayError } from '../../gateway/errors';
import type { AgencyTrip, AgencyTripRequest, SandboxAgencyTripControls } from '../../sandbox/agency-trips';
import type { SandboxFaultControls, SandboxFaultRules } from '../../sandbox/faults';

export interface SimulatorSandboxControlsOptions {
  /** The company's Concur base URL, from its connection. */
  baseUrlOf(companyId: string): Promise<string>;
  fetch: typeof fetch;
  /** How long one admin request may take (default 10 s). */
  timeoutMs?: number;
}

export class SimulatorSandboxControls implements SandboxFaultControls, SandboxAgencyTripControls {
  constructor(private readonly options: SimulatorSandboxControlsOptions) {}

  async rules(companyId: string): Promise<SandboxFaultRules> {
    return (await this.call(companyId, 'GET', faultsPath(companyId))) as SandboxFaultRules;
  }

  async replace(companyId: string, faults: FaultOptions): Promise<SandboxFaultRules> {
    return (await this.call(companyId, 'PUT', faultsPath(companyId), faults)) as SandboxFaultRules;
  }

  async clear(companyId: string): Promise<void> {
    await this.call(companyId, 'DELETE', faultsPath(companyId));
  }

  async book(companyId: string, trip: AgencyTripRequest): Promise<AgencyTrip> {
    const answer = (await this.call(companyId, 'POST', '/_sim/trips', {
      companyId,
      traveler: trip.traveler.loginId,
      startDateLocal: trip.startDateLocal,
      endDateLocal: trip.endDateLocal,
    })) as { trip?: { ItinLocator?: unknown } };
    const tripId = answer.trip?.ItinLocator;
    if (typeof tripId !== 'string')
      throw new GatewayError('sandbox-unavailable', 'the sandbox answered no trip id');
    return { tripId, startDateLocal: trip.startDateLocal, endDateLocal: trip.endDateLocal };
  }

  private async call(companyId: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const base = (await this.options.baseUrlOf(companyId)).replace(/\/+$/, '');
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(`${base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch {
      throw new GatewayError('sandbox-unavailable', 'the sandbox gave no answer; try again');
    }
    // The simulator names what it does not know (a traveler not in the company) in its own words.
    if (response.status === 404) throw new GatewayError('not-found', `the sandbox: ${errorOf(text)}`);
    if (!response.ok) {
      throw new GatewayError('sandbox-unavailable', `the sandbox answered ${response.status}; try again`);
    }
    try {
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    } catch {
      throw new GatewayError('sandbox-unavailable', 'the sandbox answered something that is not JSON');
    }
  }
}

const faultsPath = (companyId: string) => `/_sim/faults?companyId=${encodeURIComponent(companyId)}`;

function errorOf(text: string): string {
  try {
    const { error } = JSON.parse(text) as { error?: unknown };
    return typeof error === 'string' ? error : 'not found';
  } catch {
    return 'not found';
  }
}
