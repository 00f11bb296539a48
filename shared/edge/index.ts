/**
 * Requests that came through the stage's CloudFront distribution, when AWS WAF stands in front of the HTTP API
 * (`-c waf=true`, infra/api-edge.ts). The distribution adds `x-origin-verify` with a secret value to every
 * request it forwards; a request without that value reached the API's own execute-api URL, around WAF, and is
 * refused before any work. Without WAF a stage has no guard and every request is taken as before.
 *
 * The value is read once and kept: a warm request costs no call. A value that does not match makes the guard
 * read again (at most every 30 s), so a changed value is taken within seconds, and a flood of direct requests
 * costs at most one read in 30 s per container.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The header CloudFront adds to each request it forwards (lower case, as the functions see header names). */
export const ORIGIN_VERIFY_HEADER = 'x-origin-verify';

/** How long a read value is trusted before a mismatch may read it again. */
export const EDGE_SECRET_REREAD_MS = 30_000;

export interface EdgeGuard {
  /** Whether a request whose `x-origin-verify` header is `value` came through the distribution. */
  admits(value: string | undefined): Promise<boolean>;
  /** The URL callers use (`https://<distribution>`): the origin of the API's self links. */
  readonly origin: string;
}

export interface EdgeGuardOptions {
  /** The value the distribution sends, from where the deployment keeps it; undefined when it is missing. */
  readSecret: () => Promise<string | undefined>;
  origin: string;
  now?: () => number;
}

/** A value the deployment should have and has not: a wiring fault, never the caller's. */
export class EdgeSecretMissingError extends Error {
  constructor() {
    super('the origin-verify secret has no value');
    this.name = 'EdgeSecretMissingError';
  }
}

const digest = (value: string) => createHash('sha256').update(value).digest();

export function edgeGuard(options: EdgeGuardOptions): EdgeGuard {
  const now = options.now ?? Date.now;
  let known: { digest: Buffer; readAt: number } | undefined;
  let reading: Promise<Buffer> | undefined;

  const read = (): Promise<Buffer> =>
    (reading ??= options
      .readSecret()
      .then((value) => {
        if (!value) throw new EdgeSecretMissingError();
        known = { digest: digest(value), readAt: now() };
        return known.digest;
      })
      .finally(() => (reading = undefined)));

  // Digests of equal length, compared in constant time: the comparison tells nothing of the value.
  const matches = (value: string, expected: Buffer) => timingSafeEqual(digest(value), expected);

  return {
    origin: options.origin,
    async admits(value) {
      if (!value) return false;
      const expected = known?.digest ?? (await read());
      if (matches(value, expected)) return true;
      if (known && now() - known.readAt < EDGE_SECRET_REREAD_MS) return false;
      return matches(value, await read());
    },
  };
}
