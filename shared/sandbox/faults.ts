/**
 * Rehearsing failures in test mode: a test key sets the faults of its own sandbox company at the Concur
 * simulator (a 503 storm, a lost answer, slow answers), reads them and clears them. They strike only the calls
 * made for that company, so no other supplier's sandbox and no live company sees them; a live key is refused
 * before anything is asked. The rules are the simulator's own (its schemas validate them here, so a mistake is
 * a 400 naming the field, never a surprise at the simulator).
 */
import type { FaultOptions } from './fault-rules';
import { faultOptionsSchema } from './fault-rules';
import * as z from '../zod';
import { withMeta } from '../zod';
import { GatewayError, validated } from '../gateway/errors';
import type { Supplier } from '../gateway/ports';
import { isLivemode, liveSupplierIdOf, sandboxCompanyId } from './index';

export type SandboxFaultRules = Required<FaultOptions>;

/** The body of `PUT /v1/sandbox/faults`: the simulator's own rules, each list optional. */
export const sandboxFaultRulesSchema = withMeta(faultOptionsSchema, {
  id: 'SandboxFaultRules',
  description:
    'Faults of your sandbox company at the Concur simulator. `latency`: a fixed (`ms`) or random (`minMs`…`maxMs`) delay per simulator route, or for every route (`*`). `errorRates`: the share (`rate`, 0 to 1) of a route’s calls answered with `status`. `next`: the next `times` calls of a route fail with `action` (`status`, `hang`, `destroy`: no answer, `malformed-xml`, `hostile-xml`, `oversized`, `answer`); with `commit: true` the call takes effect first (a lost answer). Routes: `token`, `tripList`, `tripGet`, `tripCreate`, `tripUpdate`, `tripCancel`, `bookingPost`, `bookingCancel`, `identitySearch`, `tripGetV4`.',
});

/** What the fault routes answer: the sandbox company and its faults in force. */
export const sandboxFaultsSchema = z
  .strictObject({ companyId: z.string(), faults: sandboxFaultRulesSchema })
  .apply(withMeta, { id: 'SandboxFaults' });

/** The simulator's faults of one sandbox company: what the adapter at the simulator's admin API does. */
export interface SandboxFaultControls {
  rules(companyId: string): Promise<SandboxFaultRules>;
  /** Replaces every fault of the company with those given; answers those in force. */
  replace(companyId: string, faults: FaultOptions): Promise<SandboxFaultRules>;
  clear(companyId: string): Promise<void>;
}

export interface SandboxFaultsView {
  companyId: string;
  faults: SandboxFaultRules;
}

export class SandboxFaults {
  constructor(private readonly controls: SandboxFaultControls) {}

  async get(supplier: Supplier): Promise<SandboxFaultsView> {
    const companyId = ownSandboxCompany(supplier);
    return { companyId, faults: await this.controls.rules(companyId) };
  }

  async replace(supplier: Supplier, body: unknown): Promise<SandboxFaultsView> {
    const companyId = ownSandboxCompany(supplier);
    const faults = validated(sandboxFaultRulesSchema, body, 'the faults');
    return { companyId, faults: await this.controls.replace(companyId, faults) };
  }

  async clear(supplier: Supplier): Promise<void> {
    await this.controls.clear(ownSandboxCompany(supplier));
  }
}

/** The sandbox company of a test key's principal; a live key is refused. */
export function ownSandboxCompany(supplier: Supplier): string {
  const liveSupplierId = liveSupplierIdOf(supplier.id);
  if (isLivemode(supplier) || liveSupplierId === undefined) {
    throw new GatewayError(
      'test-mode-only',
      'the sandbox is rehearsed in test mode only: send this request with a test key (cgw_test_…)',
    );
  }
  return sandboxCompanyId(liveSupplierId);
}
