/**
 * Trips by the supplier's own key: a `trip.upserted` without a trip id names its trip by `tripKey` (the
 * supplier's reference, e.g. its own trip number). The first upsert of a key creates the trip at Concur and maps
 * the key to it; every later one, whatever its event id, replaces that trip. Each key's changes run one at a
 * time under the lease on its item, so upserts of one key that arrive together create one trip.
 */
import { randomUUID } from 'node:crypto';
import { assertCompanyAllowed } from './access';
import { GatewayError } from './errors';
import type { LockOptions } from './locking';
import type { Supplier, TripKey, TripKeys } from './ports';
import { parseTripRequest } from './trips';
import type { TripOutcome, TripService } from './trips';

export interface TripKeyDependencies {
  trips: TripService;
  keys: TripKeys;
  lockOptions: LockOptions;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class TripKeyService {
  constructor(private readonly deps: TripKeyDependencies) {}

  /** Creates the key's trip (`created`) or replaces the one it maps to. */
  async upsert(
    supplier: Supplier,
    companyId: string,
    tripKey: string,
    body: unknown,
  ): Promise<TripOutcome & { created: boolean }> {
    assertCompanyAllowed(supplier, companyId);
    // Refused before the lease: a body that cannot be applied holds up no other change of the key.
    parseTripRequest(supplier, structuredClone(body));
    const key: TripKey = { companyId, bookingSource: supplier.bookingSource, tripKey };
    const { keys, trips } = this.deps;
    const holder = randomUUID();
    const held = await this.lease(key, holder);
    let saved = false;
    try {
      if (held.tripId)
        return { ...(await trips.update(supplier, companyId, held.tripId, body)), created: false };
      const outcome = await trips.create(supplier, companyId, body);
      await keys.saveAndRelease(key, holder, outcome.tripId);
      saved = true;
      return { ...outcome, created: true };
    } finally {
      if (!saved) await keys.release(key, holder);
    }
  }

  private async lease(key: TripKey, holder: string): Promise<{ tripId?: string }> {
    const { keys, lockOptions } = this.deps;
    const sleep = lockOptions.sleep ?? defaultSleep;
    const giveUpAt = Date.now() + lockOptions.waitMs;
    let pause = 10;
    for (;;) {
      const held = await keys.tryLease(key, holder, lockOptions.ttlMs);
      if (held) return held;
      if (Date.now() >= giveUpAt)
        throw new GatewayError('busy', 'another change of this trip key is in progress; retry shortly');
      await sleep(Math.random() * pause);
      pause = Math.min(pause * 2, 200);
    }
  }
}
