import { randomUUID } from 'node:crypto';
import { GatewayError } from './errors';
import type { Locks } from './ports';

export interface LockOptions {
  /** How long the lock is held at most if its holder dies; longer than a Lambda invocation. */
  ttlMs: number;
  /** How long to wait for a busy lock before answering 409. */
  waitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { ttlMs: 35_000, waitMs: 20_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` while holding the named lock, so that changes to one booking reach Concur one at a time and in
 * the order they were accepted. Waits with jittered polling; gives up with a `busy` error.
 */
export async function withLock<T>(
  locks: Locks,
  name: string,
  work: () => Promise<T>,
  options: LockOptions,
): Promise<T> {
  const holder = randomUUID();
  const sleep = options.sleep ?? defaultSleep;
  const giveUpAt = Date.now() + options.waitMs;
  let pause = 10;
  while (!(await locks.tryAcquire(name, holder, options.ttlMs))) {
    if (Date.now() >= giveUpAt) {
      throw new GatewayError('busy', 'another change of this resource is in progress; retry shortly');
    }
    await sleep(Math.random() * pause);
    pause = Math.min(pause * 2, 200);
  }
  try {
    return await work();
  } finally {
    await locks.release(name, holder);
  }
}
