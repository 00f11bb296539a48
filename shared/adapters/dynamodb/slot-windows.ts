/**
 * One-second windows of slots in the state table, shared by every function and worker: a counter per key and
 * second (`pk = {prefix}{key}`, `sk = {epoch second}`), taken with one conditional `UpdateItem`.
 *
 * A container takes its slots in batches and spends them locally within that second, so a warm container does
 * not pay a DynamoDB write for every slot. Slots a container took but did not use lapse with their second; a
 * window's total never exceeds its limit. The outbound limiter to Concur and the per-supplier limit of the API
 * both count this way, under their own prefixes.
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
  clock?: Clock;
}

/** How many slots a second allows, and how many a container takes per write. */
export interface WindowLimit {
  perSecond: number;
  batch: number;
  /**
   * Take no more than this container already took in the second (one at first, then doubling, up to `batch`):
   * for windows shared by many containers that each serve few requests (one per function and supplier).
   */
  growing?: boolean;
}

/** Slots this container holds for a key: usable only within their second. */
interface HeldSlots {
  second: number;
  remaining: number;
  /** Slots this container took of this second so far. */
  taken: number;
  /** The window was found full: nothing more to take in this second. */
  full: boolean;
}

/** A tenth of a second's allowance per write (at least one, at most the allowance). */
export function batchOf(perSecond: number, slotsPerTake?: number): number {
  return Math.min(perSecond, Math.max(1, slotsPerTake ?? Math.floor(perSecond / 10)));
}

export class SlotWindows implements SlotCounter {
  private readonly documents: DynamoDBDocumentClient;
  private readonly clock: Clock;
  private readonly held = new Map<string, HeldSlots>();
  /** One write at a time per key: concurrent callers wait for it rather than each taking a batch. */
  private readonly taking = new Map<string, Promise<void>>();

  constructor(private readonly options: SlotWindowsOptions) {
    this.documents = documentClient(options.client);
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** Spends one of this second's slots of `key`; false when the second's window is full. */
  async trySpend(key: string, limit: WindowLimit): Promise<boolean> {
    for (;;) {
      const second = Math.floor(this.clock.now() / 1000);
      const slots = this.held.get(key);
      if (slots?.second === second) {
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
      const take = this.take(key, second, limit).finally(() => this.taking.delete(key));
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

  /**
   * Takes a batch of the second's slots (growing: as many as this container already took in it, one at first,
   * at most a batch), or a single one when that no longer fits, or finds the window full.
   */
  private async take(key: string, second: number, limit: WindowLimit): Promise<void> {
    const before = this.held.get(key);
    const taken = before?.second === second ? before.taken : 0;
    const wanted = limit.growing ? Math.min(limit.batch, Math.max(1, taken)) : limit.batch;
    for (const count of wanted > 1 ? [wanted, 1] : [1]) {
      if (await this.takeSlots(key, second, count, limit.perSecond)) {
        this.held.set(key, { second, remaining: count, taken: taken + count, full: false });
        return;
      }
    }
    this.held.set(key, { second, remaining: 0, taken, full: true });
  }

  private async takeSlots(key: string, second: number, count: number, perSecond: number): Promise<boolean> {
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { pk: `${this.options.partitionPrefix}${key}`, sk: String(second) },
          UpdateExpression: 'ADD used :count SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(used) OR used <= :room',
          ExpressionAttributeValues: {
            ':count': count,
            ':room': perSecond - count,
            ':expiresAt': second + 60,
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
