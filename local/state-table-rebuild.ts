/**
 * A data directory made by an earlier version holds a state table without the indexes added since, and dynalite
 * cannot add an index to a table. So the table is made anew with every index and its items are written back:
 * first saved to a file in the data directory (written and synced before the table is dropped), so a start
 * interrupted at any point finds them there and finishes the rebuild instead of losing them. Items an earlier
 * version wrote differently are written back as this one writes them (`upgraded`).
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import {
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ResourceNotFoundException,
  paginateScan,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { STATE_TABLE_INDEXES, createTables, type TableNames } from '../shared/adapters/dynamodb/tables';

type Item = Record<string, AttributeValue>;

/** Rebuilds the state table when it lacks an index (or a rebuild was interrupted); answers how many items moved. */
export async function rebuildOldStateTable(
  client: DynamoDBClient,
  names: TableNames,
  savedItemsFile: string,
): Promise<number | undefined> {
  let items: Item[];
  if (existsSync(savedItemsFile)) {
    items = JSON.parse(readFileSync(savedItemsFile, 'utf8')) as Item[];
  } else {
    const missing = await missingIndexes(client, names.state);
    if (missing === undefined || missing.length === 0) return undefined;
    items = [];
    for await (const page of paginateScan({ client }, { TableName: names.state, ConsistentRead: true })) {
      items.push(...(page.Items ?? []));
    }
    saveDurably(savedItemsFile, JSON.stringify(items));
  }
  try {
    await client.send(new DeleteTableCommand({ TableName: names.state }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await untilGone(client, names.state);
  await createTables(client, names);
  for (const item of items.map(upgraded)) {
    if (item) await client.send(new PutItemCommand({ TableName: names.state, Item: item }));
  }
  rmSync(savedItemsFile);
  return items.length;
}

/**
 * An item as this version keeps it, or undefined for one it no longer keeps. Open operations are in the
 * open-operations index by their `sweepAt` (shared/events/operations.ts): the `OPEN` items that listed them
 * before go, an operation ended just after it was marked queued loses the `sweepAt` that version left on it, and
 * one left open by a version before `sweepAt` gets one at its last change, so the first sweep queues it again
 * (its message was in a queue that did not outlive its process).
 */
function upgraded(item: Item): Item | undefined {
  if (item.pk?.S === 'OPEN') return undefined;
  if (item.sk?.S !== 'OPERATION' || !item.pk?.S?.startsWith('OPERATION#')) return item;
  const open = item.status?.S === 'accepted' || item.status?.S === 'processing';
  if (!open) {
    const { sweepAt: _ended, ...rest } = item;
    return rest;
  }
  if (item.sweepAt === undefined && item.updatedAt?.S) return { ...item, sweepAt: { S: item.updatedAt.S } };
  return item;
}

/**
 * Waits until the deleted table is gone: DeleteTable answers while the table is still DELETING (dynalite drops
 * it a moment later, as DynamoDB does), and a CreateTable meanwhile would find it in use and then lose it.
 */
async function untilGone(client: DynamoDBClient, tableName: string): Promise<void> {
  for (const giveUpAt = Date.now() + 30_000; Date.now() < giveUpAt;) {
    try {
      await client.send(new DescribeTableCommand({ TableName: tableName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the state table ${tableName} was deleted for its rebuild but did not go away in 30 s`);
}

/** The indexes the table lacks; undefined when there is no table yet. */
async function missingIndexes(client: DynamoDBClient, tableName: string): Promise<string[] | undefined> {
  try {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const present = new Set((Table?.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
    return STATE_TABLE_INDEXES.filter((index) => !present.has(index.name)).map((index) => index.name);
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return undefined;
    throw error;
  }
}

/** Writes `text` to `file` whole or not at all: a new file, synced, then renamed over it. */
function saveDurably(file: string, text: string): void {
  const temporary = `${file}.new`;
  const fd = openSync(temporary, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
}
