/**
 * The simulator's state as plain data: what a hosted sandbox keeps between requests (one per company) and starts
 * a simulator from again. Request log, ESS subscriptions and users are not in it: they belong to one process.
 */
import type { FaultSetsSnapshot } from './faults';
import type { IdsSnapshot } from './ids';
import type { StoredTrip } from './stored-trip';
import type { TokensSnapshot } from './tokens';

export const SNAPSHOT_FORMAT = 1;

export interface SimulatorSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  trips: StoredTrip[];
  ids: IdsSnapshot;
  tokens: TokensSnapshot;
  faults: FaultSetsSnapshot;
}
