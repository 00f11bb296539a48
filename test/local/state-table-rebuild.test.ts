/**
 * A state table made before an index existed is rebuilt with every index and keeps its items, also when the
 * rebuild was interrupted after the table was dropped (the items saved in the data directory finish it).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIVITY_INDEX, STATE_TABLE_INDEXES, TRIPS_INDEX } from '../../shared/adapters/dynamodb/tables';
import { rebuildOldStateTable } from '../../local/state-table-rebuild';
import { startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
beforeAll(async () => {
  dynamo = await startTestDynalite();
});
afterAll(() => dynamo?.close());

/** A state table as the version before the activity index made it: the trips index alone. */
async function oldTable(items: number) {
  const suffix = randomUUID().slice(0, 8);
  const names = { state: `old-state-${suffix}`, idempotency: `old-idem-${suffix}` };
  await dynamo.client.send(
    new CreateTableCommand({
      TableName: names.state,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: TRIPS_INDEX.sortKey, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: TRIPS_INDEX.name,
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: TRIPS_INDEX.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  for (let index = 0; index < items; index += 1) {
    await dynamo.client.send(
      new PutItemCommand({
        TableName: names.state,
        Item: {
          pk: { S: 'COMPANY#c#SOURCE#s' },
          sk: { S: `BOOKING#${index}` },
          tripId: { S: 'T1' },
          version: { N: String(index) },
          ...(index % 2 === 0
            ? {
                activityKey: { S: 'BOOKINGS#s' },
                updatedAt: { S: `2027-01-01T00:00:${String(index).padStart(2, '0')}Z` },
              }
            : {}),
        },
      }),
    );
  }
  return names;
}

const itemsOf = async (tableName: string) =>
  ((await dynamo.client.send(new ScanCommand({ TableName: tableName }))).Items ?? []).sort((a, b) =>
    a.sk!.S!.localeCompare(b.sk!.S!),
  );

describe('an old state table', () => {
  it('is rebuilt with every index, keeping each item, and the saved items are removed', async () => {
    const names = await oldTable(30);
    const before = await itemsOf(names.state);
    const saved = join(mkdtempSync(join(tmpdir(), 'rebuild-')), 'state-table-rebuild.json');

    expect(await rebuildOldStateTable(dynamo.client, names, saved)).toBe(30);

    const { Table } = await dynamo.client.send(new DescribeTableCommand({ TableName: names.state }));
    expect(Table!.GlobalSecondaryIndexes!.map((index) => index.IndexName).sort()).toEqual(
      STATE_TABLE_INDEXES.map((index) => index.name).sort(),
    );
    expect(await itemsOf(names.state)).toEqual(before);
    // The items that carried the new index's keys are found through it.
    const { Items } = await dynamo.client.send(
      new QueryCommand({
        TableName: names.state,
        IndexName: ACTIVITY_INDEX.name,
        KeyConditionExpression: 'activityKey = :key',
        ExpressionAttributeValues: { ':key': { S: 'BOOKINGS#s' } },
      }),
    );
    expect(Items).toHaveLength(15);
    expect(existsSync(saved)).toBe(false);
    // A table with every index is left alone.
    expect(await rebuildOldStateTable(dynamo.client, names, saved)).toBeUndefined();
  });

  it('finishes a rebuild interrupted after the table was dropped, from the items saved before', async () => {
    const names = await oldTable(12);
    const before = await itemsOf(names.state);
    const saved = join(mkdtempSync(join(tmpdir(), 'rebuild-')), 'state-table-rebuild.json');
    // What the first part of a rebuild leaves when the process dies right after dropping the table.
    writeFileSync(saved, JSON.stringify(before));
    await dynamo.client.send(new DeleteTableCommand({ TableName: names.state }));

    expect(await rebuildOldStateTable(dynamo.client, names, saved)).toBe(12);
    expect(await itemsOf(names.state)).toEqual(before);
    expect(existsSync(saved)).toBe(false);
  });
});
