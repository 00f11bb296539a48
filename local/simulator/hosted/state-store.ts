/**
 * Where a hosted sandbox keeps each company's simulator state between requests: the port its adapters fill (the
 * DynamoDB one in the stack, an in-memory one for tests of the core). One item per company, written only if its
 * version is still the one read, so two requests at once never lose each other's change.
 */
import type { SimulatorSnapshot } from '../snapshot';

export interface VersionedSnapshot {
  snapshot: SimulatorSnapshot;
  /** Goes up by one with every write. */
  version: number;
}

export interface SimulatorStateStore {
  load(companyId: string): Promise<VersionedSnapshot | undefined>;
  /**
   * Writes the company's state if it is still at `expectedVersion` (undefined: no state yet); false when another
   * request wrote first.
   */
  save(companyId: string, snapshot: SimulatorSnapshot, expectedVersion: number | undefined): Promise<boolean>;
}
