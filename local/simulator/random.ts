/**
 * A small seeded pseudo-random generator, so that a simulator started with the same seed generates the same ids
 * and tokens and takes the same random fault decisions: tests that use randomness stay reproducible.
 */

/** mulberry32: 32 bits of state, fast, and good enough for ids and dice rolls (not for secrets). */
function mulberry32(state: number): { state: number; value: number } {
  const next = (state + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { state: next, value: ((t ^ (t >>> 14)) >>> 0) / 4294967296 };
}

/** FNV-1a over the seed and a label: independent streams, so that drawing ids never shifts fault decisions. */
export function streamSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (const char of label) {
    hash ^= char.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export class SeededRandom {
  /** Where the stream stands: a snapshot of the simulator keeps it, so a restored one goes on drawing. */
  state: number;

  constructor(
    readonly seed: number,
    readonly label = 'root',
  ) {
    this.state = streamSeed(seed, label) >>> 0;
  }

  private next(): number {
    const { state, value } = mulberry32(this.state);
    this.state = state;
    return value;
  }

  /** A number in [0, 1). */
  float(): number {
    return this.next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** `length` characters drawn from `alphabet`. */
  string(length: number, alphabet = ALPHANUMERIC): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[Math.floor(this.next() * alphabet.length)];
    return out;
  }

  upper(length: number): string {
    return this.string(length, UPPER_ALPHANUMERIC);
  }

  digits(length: number): string {
    return this.string(length, '0123456789');
  }
}
