import { describe, expect, it } from 'vitest';
import type { Supplier } from '../../shared/gateway/ports';
import { cachedAuthenticator } from '../../shared/suppliers/cached-authenticator';

const supplier: Supplier = { id: 's1', bookingSource: 'Acme', companies: ['co'], profile: 'tmc' };

function fixture() {
  let time = 0;
  const lookups: string[] = [];
  const known = new Map<string, Supplier>([['key-1', supplier]]);
  const authenticate = cachedAuthenticator({
    authenticate: async (key) => {
      lookups.push(key);
      return known.get(key);
    },
    maxAgeMs: 1_000,
    maxEntries: 2,
    clock: { now: () => time },
  });
  return { authenticate, lookups, known, advance: (ms: number) => (time += ms) };
}

describe('cachedAuthenticator', () => {
  it('looks a key up once while its entry is young, and again when it is too old', async () => {
    const { authenticate, lookups, advance } = fixture();
    expect(await authenticate('key-1')).toEqual(supplier);
    advance(999);
    expect(await authenticate('key-1')).toEqual(supplier);
    expect(lookups).toEqual(['key-1']);
    advance(1);
    await authenticate('key-1');
    expect(lookups).toEqual(['key-1', 'key-1']);
  });

  it('never remembers a failed lookup, so a key registered a moment later works at once', async () => {
    const { authenticate, known } = fixture();
    expect(await authenticate('key-2')).toBeUndefined();
    known.set('key-2', { ...supplier, id: 's2' });
    expect(await authenticate('key-2')).toMatchObject({ id: 's2' });
  });

  it('sees a removed supplier once its entry has aged out', async () => {
    const { authenticate, known, advance } = fixture();
    await authenticate('key-1');
    known.delete('key-1');
    advance(1_000);
    expect(await authenticate('key-1')).toBeUndefined();
  });

  it('keeps at most maxEntries keys', async () => {
    const { authenticate, known, lookups } = fixture();
    known.set('key-2', supplier);
    known.set('key-3', supplier);
    await authenticate('key-1');
    await authenticate('key-2');
    await authenticate('key-3');
    await authenticate('key-1');
    expect(lookups).toEqual(['key-1', 'key-2', 'key-3', 'key-1']);
  });
});
