/**
 * Test mode, as Stripe and Duffel have it: beside its live keys a supplier has test keys (`cgw_test_…`), and a
 * request made with one acts as the supplier's sandbox principal. That principal is a supplier of its own to
 * every use case: its own id (so its operations, idempotency keys and webhook endpoints are apart from the live
 * ones), one company, `sandbox-{supplierId}`, reached through the sandbox app, whose connection names the Concur
 * simulator. Nothing else in the gateway knows test mode: a test key can only ever reach the sandbox company, and
 * the sandbox company only the simulator, so no test request reaches a real Concur and no live key reads a
 * sandbox booking.
 */
import { randomBytes } from 'node:crypto';
import type { Supplier } from '../gateway/ports';
import { API_KEY_PREFIX } from '../suppliers/api-keys';

export type KeyMode = 'live' | 'test';

/** Prefix of every test key: people and secret scanners tell them from live keys at a glance. */
export const TEST_API_KEY_PREFIX = `${API_KEY_PREFIX}test_`;

/** The Concur app of every sandbox company: the simulator's client, never a real app's credentials. */
export const SANDBOX_APP_ID = 'sandbox';

/** Live company ids never start so: a sandbox company is always one of these. */
export const SANDBOX_COMPANY_PREFIX = 'sandbox-';

/** What separates a supplier id from its sandbox principal's: live supplier ids never hold it. */
const SANDBOX_PRINCIPAL_SUFFIX = '/test';

export const sandboxCompanyId = (supplierId: string): string => `${SANDBOX_COMPANY_PREFIX}${supplierId}`;

export const modeOfKey = (apiKey: string): KeyMode =>
  apiKey.startsWith(TEST_API_KEY_PREFIX) ? 'test' : 'live';

/** A new test key: 192 random bits, URL-safe, after `cgw_test_`. */
export function generateTestApiKey(): string {
  return `${TEST_API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
}

/** Whether a live supplier may take this id (the sandbox principals' ids are reserved). */
export const isReservedSupplierId = (supplierId: string): boolean => supplierId.includes('/');

export const isSandboxCompany = (companyId: string): boolean => companyId.startsWith(SANDBOX_COMPANY_PREFIX);

/** Who a test key of the supplier acts as. */
export function sandboxPrincipal(supplier: Supplier): Supplier {
  return {
    id: `${supplier.id}${SANDBOX_PRINCIPAL_SUFFIX}`,
    bookingSource: supplier.bookingSource,
    companies: [sandboxCompanyId(supplier.id)],
    profile: supplier.profile,
    concurApp: SANDBOX_APP_ID,
    livemode: false,
  };
}

/** The live supplier whose sandbox principal this id is; undefined for any other id. */
export function liveSupplierIdOf(principalId: string): string | undefined {
  return principalId.endsWith(SANDBOX_PRINCIPAL_SUFFIX)
    ? principalId.slice(0, -SANDBOX_PRINCIPAL_SUFFIX.length)
    : undefined;
}

/** Stripe's `livemode`: false for a test key's requests. */
export const isLivemode = (supplier: Pick<Supplier, 'livemode'>): boolean => supplier.livemode !== false;
