/**
 * Remembers who an API key belongs to for a bounded time, so a warm container does not read two DynamoDB items
 * on every request. Only successful lookups are kept (a new key works at once); a changed or removed supplier is
 * seen again after at most `maxAgeMs`.
 */
import type { Clock, Supplier } from '../gateway/ports';
import { hashApiKey } from './api-keys';

export interface CachedAuthenticatorOptions {
  authenticate(apiKey: string): Promise<Supplier | undefined>;
  maxAgeMs?: number;
  /** Bounds the memory a flood of distinct valid keys could take. */
  maxEntries?: number;
  clock?: Clock;
}

export const DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS = 60_000;

export function cachedAuthenticator(
  options: CachedAuthenticatorOptions,
): (apiKey: string) => Promise<Supplier | undefined> {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS;
  const maxEntries = options.maxEntries ?? 1_000;
  const now = () => (options.clock ?? Date).now();
  // Keyed by the key's hash: the cache holds no API key in clear either.
  const cache = new Map<string, { supplier: Supplier; until: number }>();
  return async (apiKey) => {
    const hash = hashApiKey(apiKey);
    const cached = cache.get(hash);
    if (cached && cached.until > now()) return cached.supplier;
    cache.delete(hash);
    const supplier = await options.authenticate(apiKey);
    if (supplier) {
      if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
      cache.set(hash, { supplier, until: now() + maxAgeMs });
    }
    return supplier;
  };
}
