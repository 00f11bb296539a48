/**
 * Each supplier's own share of the API: a bucket of `ratePerSecond` requests (the supplier's own, or the stage's
 * default) refilled every second, counted for all functions together, so one caller cannot use the whole
 * stage's throttle. A request beyond it is refused before any work, with the seconds until the next refill.
 */
import type { Supplier } from '../gateway/ports';

/** Requests a second a supplier without a rate of its own may send (`SUPPLIER_RATE_PER_SECOND` on a stage). */
export const DEFAULT_SUPPLIER_RATE_PER_SECOND = 20;
/** The partition key prefix of the suppliers' rate windows in the state table. */
export const SUPPLIER_RATE_PARTITION_PREFIX = 'SUPPLIER-RATE#';

/** A second's slots of a key, counted across containers (shared/adapters/dynamodb/slot-windows.ts). */
export interface SlotCounter {
  /** Spends one of this second's slots; false when the second has none left. */
  trySpend(key: string, limit: { perWindow: number; batch: number; growing?: boolean }): Promise<boolean>;
}

export class SupplierRateLimitedError extends Error {
  constructor(
    readonly supplierId: string,
    readonly ratePerSecond: number,
    readonly retryAfterSeconds: number,
  ) {
    super(
      `supplier ${supplierId} may send ${ratePerSecond} requests a second; try again in ${retryAfterSeconds} s`,
    );
    this.name = 'SupplierRateLimitedError';
  }
}

export interface SupplierLimit {
  /** Resolves when the supplier may make one more request now; throws SupplierRateLimitedError otherwise. */
  admit(supplier: Supplier): Promise<void>;
}

export function supplierLimit(counter: SlotCounter, defaultPerSecond: number): SupplierLimit {
  return {
    async admit(supplier) {
      const perSecond = supplier.ratePerSecond ?? defaultPerSecond;
      // At most a quarter of the second's requests per write, growing from one (a container takes what it already
      // used in the second): a busy container writes a few times a second for a supplier at its full rate, and
      // the supplier's other functions, each serving a request now and then, do not hold slots they never use.
      const batch = Math.max(1, Math.floor(perSecond / 4));
      if (!(await counter.trySpend(supplier.id, { perWindow: perSecond, batch, growing: true })))
        throw new SupplierRateLimitedError(supplier.id, perSecond, 1);
    },
  };
}
