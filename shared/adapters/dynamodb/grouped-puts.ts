/**
 * Unconditional puts of one table, grouped while a write is in flight (group commit): a put made while the
 * table is idle is a PutItem of its own, at once; puts made meanwhile wait for it and then go together as one
 * BatchWriteItem (up to 25 items). One request at a time costs nothing more, and a container serving many at
 * once (`npm start`, a worker's batch of messages) makes one call for many records instead of one each.
 */
import { BatchWriteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type Item = Record<string, unknown>;

/** DynamoDB's limit of one BatchWriteItem. */
const MAX_BATCH_ITEMS = 25;
/** Tries of the items DynamoDB left unprocessed (it throttled them) before their puts fail. */
const MAX_UNPROCESSED_TRIES = 5;
const UNPROCESSED_BACKOFF_MS = 50;

interface WaitingPut {
  item: Item;
  done: (error?: unknown) => void;
}

export class GroupedPuts {
  private waiting: WaitingPut[] = [];
  private writing = false;

  constructor(
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The item's key attributes: a batch may hold an item once, so a later put of the same key replaces it. */
    private readonly keyOf: (item: Item) => string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves once the item is stored; rejects with the error of the call that was to store it. */
  put(item: Item): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, done: (error) => (error === undefined ? resolve() : reject(error)) });
      if (!this.writing) void this.writeWaiting();
    });
  }

  private async writeWaiting(): Promise<void> {
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, MAX_BATCH_ITEMS);
        try {
          const unstored = await this.write(group.map((put) => put.item));
          for (const put of group)
            put.done(
              unstored.has(this.keyOf(put.item)) ? new UnprocessedItemsError(unstored.size) : undefined,
            );
        } catch (error) {
          for (const put of group) put.done(error);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** Stores the items; answers the keys of those DynamoDB still left unprocessed after its tries. */
  private async write(items: Item[]): Promise<Set<string>> {
    if (items.length === 1) {
      await this.documents.send(new PutCommand({ TableName: this.tableName, Item: items[0] }));
      return new Set();
    }
    const byKey = new Map(items.map((item) => [this.keyOf(item), item]));
    let requests = [...byKey.values()].map((item) => ({ PutRequest: { Item: item } }));
    for (let tries = 1; ; tries++) {
      const { UnprocessedItems } = await this.documents.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } }),
      );
      const left = (UnprocessedItems?.[this.tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item ? [{ PutRequest: { Item: request.PutRequest.Item } }] : [],
      );
      if (left.length === 0) return new Set();
      if (tries === MAX_UNPROCESSED_TRIES)
        return new Set(left.map((request) => this.keyOf(request.PutRequest.Item)));
      requests = left;
      await this.sleep(UNPROCESSED_BACKOFF_MS * 2 ** (tries - 1));
    }
  }
}

/** DynamoDB kept refusing an item of a batch (throttled) through every try. */
export class UnprocessedItemsError extends Error {
  constructor(count: number) {
    super(`DynamoDB left ${count} item(s) of a batch unprocessed through ${MAX_UNPROCESSED_TRIES} tries`);
    this.name = 'UnprocessedItemsError';
  }
}
