import { createHash, randomBytes } from 'node:crypto';

/** Prefix of every key this gateway issues, so a leaked key is recognisable (e.g. by secret scanners). */
export const API_KEY_PREFIX = 'cgw_';

/** What every issued key looks like: the prefix and 32 or more URL-safe characters (192 random bits). */
export const API_KEY_FORMAT = /^cgw_[A-Za-z0-9_-]{32,}$/;

/** A new API key: 192 random bits, URL-safe. Shown once to the supplier; only its hash is stored. */
export function generateApiKey(): string {
  for (;;) {
    const key = `${API_KEY_PREFIX}${randomBytes(24).toString('base64url')}`;
    // One in 2^30 would read as a test key (`cgw_test_…`): draw again.
    if (!key.startsWith(`${API_KEY_PREFIX}test_`)) return key;
  }
}

/**
 * SHA-256 hex of the key. A fast unsalted hash is enough: the keys are long random strings, so there is
 * nothing to guess, and the hash must be a lookup key.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
