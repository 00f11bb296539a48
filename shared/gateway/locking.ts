import { randomUUID } from 'node:crypto';
import { GatewayError } from './errors';
import type {
  BookingKey,
  BookingLease,
  BookingMapping,
  BookingMappings,
  ChangeActor,
  MappingWrite,
} from './ports';

export interface LockOptions {
  /** How long the lease is held at most if its holder dies; longer than a Lambda invocation. */
  ttlMs: number;
  /** How long to wait for a busy lease before answering 409. */
  waitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { ttlMs: 35_000, waitMs: 20_000 };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A held booking lease: the mapping as it stood, and the one way to store a result (which releases it). */
export interface HeldBooking {
  mapping?: BookingMapping;
  save(write: MappingWrite): Promise<BookingMapping>;
}

/**
 * Runs `work` while holding the booking's lease, so that changes to one booking reach Concur one at a time and in
 * the order they were accepted. The lease lives on the mapping item: taking it reads the mapping, and `save`
 * stores the result and releases it in one write; work that ends without saving releases it. Waits with
 * jittered polling; gives up with a `busy` error. What `work` saves is noted as made by `actor`.
 */
export async function withBookingLease<T>(
  mappings: BookingMappings,
  key: BookingKey,
  work: (held: HeldBooking) => Promise<T>,
  options: LockOptions,
  actor: ChangeActor | undefined,
): Promise<T> {
  const holder = randomUUID();
  const sleep = options.sleep ?? defaultSleep;
  const giveUpAt = Date.now() + options.waitMs;
  let pause = 10;
  let lease: BookingLease | undefined;
  while (!(lease = await mappings.tryLease(key, holder, options.ttlMs))) {
    if (Date.now() >= giveUpAt) {
      throw new GatewayError('busy', 'another change of this booking is in progress; retry shortly');
    }
    await sleep(Math.random() * pause);
    pause = Math.min(pause * 2, 200);
  }
  const taken = lease;
  let released = false;
  const held: HeldBooking = {
    ...(taken.mapping ? { mapping: taken.mapping } : {}),
    save: async (write) => {
      if (released) throw new Error('the booking lease was already released');
      const saved = await mappings.saveAndRelease(
        taken,
        actor ? { ...write, change: { ...write.change, actor } } : write,
      );
      released = true;
      return saved;
    },
  };
  try {
    return await work(held);
  } finally {
    if (!released) await mappings.release(taken);
  }
}
