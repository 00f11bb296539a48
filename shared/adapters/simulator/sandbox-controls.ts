/**
 * A sandbox company's faults at the Concur simulator's admin API: `{base}/_sim/faults?companyId=…`, where the
 * base is the company's Concur base URL (the local simulator under `npm start`; on AWS the company's path at the
 * hosted sandbox, whose requests the given fetch signs). The query scopes every change to that company's own set.
 */
import type { FaultOptions } from '../../../local/simulator/faults';
import { GatewayError } from '../../gateway/errors';
import type { SandboxFaultControls, SandboxFaultRules } from '../../sandbox/faults';

export interface SimulatorSandboxFaultControlsOptions {
  /** The company's Concur base URL, from its connection. */
  baseUrlOf(companyId: string): Promise<string>;
  fetch: typeof fetch;
  /** How long one admin request may take (default 10 s). */
  timeoutMs?: number;
}

export class SimulatorSandboxFaultControls implements SandboxFaultControls {
  constructor(private readonly options: SimulatorSandboxFaultControlsOptions) {}

  async rules(companyId: string): Promise<SandboxFaultRules> {
    return (await this.call(companyId, 'GET')) as SandboxFaultRules;
  }

  async replace(companyId: string, faults: FaultOptions): Promise<SandboxFaultRules> {
    return (await this.call(companyId, 'PUT', faults)) as SandboxFaultRules;
  }

  async clear(companyId: string): Promise<void> {
    await this.call(companyId, 'DELETE');
  }

  private async call(companyId: string, method: string, body?: unknown): Promise<unknown> {
    const base = (await this.options.baseUrlOf(companyId)).replace(/\/+$/, '');
    const url = `${base}/_sim/faults?companyId=${encodeURIComponent(companyId)}`;
    let response: Response;
    let text: string;
    try {
      response = await this.options.fetch(url, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch {
      throw new GatewayError('sandbox-unavailable', 'the sandbox gave no answer; try again');
    }
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
