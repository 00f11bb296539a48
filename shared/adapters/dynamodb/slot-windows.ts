/**
 * Fixed windows of slots in the state table (one second by default), shared by every function and worker: a
 * counter per key and window (`pk = {prefix}{key}`, `sk = {epoch second the window starts}`), taken with one
 * conditional `UpdateItem`.
 *
 * A container takes its slots in batches and spends them locally within that window, so a warm container does
 * not pay a DynamoDB write for every slot. Slots a container took but did not use lapse with their window; a
 * window's total never exceeds its limit. The outbound limiter to Concur (seconds and hours) and the per-supplier
 * limit of the API all count this way, under their own prefixes.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../../gateway/ports';
import type { SlotCounter } from '../../supplier-limits';
import { documentClient, isConditionalCheckFailed } from './document-client';

export interface SlotWindowsOptions {
  client: DynamoDBClient;
  tableName: string;
  /** The start of the windows' partition key, e.g. `RATE#`. */
  partitionPrefix: string;
  /** How long a window lasts (1 s by default; 3,600 for hours). */
  windowSeconds?: number;
  clock?: Clock;
}

/** How many slots a window allows, and how many a container takes per write. */
export interface WindowLimit {
  perWindow: number;
  batch: number;
  /**
   * Take no more than this container already took in the window (one at first, or half of what it took the
   * window before, then doubling, up to `batch`): for windows shared by many containers that each serve few
   * requests (one per function and supplier).
   */
  growing?: boolean;
}

/** Slots this container holds for a key: usable only within their window. */
interface HeldSlots {
  /** The window's start, in epoch seconds. */
  window: number;
  remaining: number;
  /** Slots this container took of this window so far. */
  taken: number;
  /** The window was found full: nothing more to take in it. */
  full: boolean;
}

/** A tenth of a window's allowance per write (at least one, at most the allowance). */
export function batchOf(perWindow: number, slotsPerTake?: number): number {
  return Math.min(perWindow, Math.max(1, slotsPerTake ?? Math.floor(perWindow / 10)));
}

export class SlotWindows implements SlotCounter {
  private readonly documents: DynamoDBDocumentClient;
  private readonly clock: Clock;
  private readonly windowSeconds: number;
  private readonly held = new Map<string, HeldSlots>();
  /** One write at a time per key: concurrent callers wait for it rather than each taking a batch. */
  private readonly taking = new Map<string, Promise<void>>();

  constructor(private readonly options: SlotWindowsOptions) {
    this.documents = documentClient(options.client);
    this.clock = options.clock ?? { now: () => Date.now() };
    this.windowSeconds = options.windowSeconds ?? 1;
  }

  /** When the window after the one holding `ms` starts (epoch ms). */
  nextWindowAfter(ms: number): number {
    return (this.windowOf(ms) + this.windowSeconds) * 1000;
  }

  /** Spends one of the current window's slots of `key`; false when the window is full. */
  async trySpend(key: string, limit: WindowLimit): Promise<boolean> {
    for (;;) {
      const window = this.windowOf(this.clock.now());
      const slots = this.held.get(key);
      if (slots?.window === window) {
        if (slots.remaining > 0) {
          slots.remaining--;
          return true;
        }
        if (slots.full) return false;
      }
      const pending = this.taking.get(key);
      if (pending) {
        await pending;
        continue;
      }
      const take = this.take(key, window, limit).finally(() => this.taking.delete(key));
      this.taking.set(
        key,
        take.then(
          () => undefined,
          () => undefined,
        ),
      );
      await take;
    }
  }

  /** The start (epoch seconds) of the window holding `ms`. */
  private windowOf(ms: number): number {
    return Math.floor(ms / 1000 / this.windowSeconds) * this.windowSeconds;
  }

  /**
   * Takes a batch of the window's slots (growing: as many as this container already took in it, one or half the
   * window before's at first, at most a batch), or a single one when that no longer fits, or finds the window full.
   */
  private async take(key: string, window: number, limit: WindowLimit): Promise<void> {
    const before = this.held.get(key);
    const taken = before?.window === window ? before.taken : 0;
    // A container that was busy the window before starts at half of what it took then: at a steady pace it
    // writes about twice a window instead of once per doubling.
    const start = before?.window === window - this.windowSeconds ? Math.floor(before.taken / 2) : 1;
    const wanted = limit.growing ? Math.min(limit.batch, Math.max(1, start, taken)) : limit.batch;
    for (const count of wanted > 1 ? [wanted, 1] : [1]) {
      if (await this.takeSlots(key, window, count, limit.perWindow)) {
        this.held.set(key, { window, remaining: count, taken: taken + count, full: false });
        return;
      }
    }
    this.held.set(key, { window, remaining: 0, taken, full: true });
  }

  private async takeSlots(key: string, window: number, count: number, perWindow: number): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: `${this.options.partitionPrefix}${key}`, sk: String(window) },
          UpdateExpression: 'ADD used :count SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeValues: {
            ':count': count,
            ':room': perWindow - count,
            // A minute after the window ends: nobody reads it then.
            ':expiresAt': window + this.windowSeconds + 60,
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }
}
