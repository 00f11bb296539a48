/**
 * A state table made before an index existed is rebuilt with every index and keeps its items, also when the
 * rebuild was interrupted after the table was dropped (the items saved in the data directory finish it). The
 * operations earlier versions left open are found by the sweeper afterwards, whichever version wrote them.
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
import {
  ACTIVITY_INDEX,
  STATE_TABLE_INDEXES,
  TRIPS_INDEX,
  untilActive,
} from '../../shared/adapters/dynamodb/tables';
import { DynamoOperations } from '../../shared/events/operations';
import { OperationSweeper } from '../../shared/events/sweeper';
import { startDynalite } from '../../local/dynalite';
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
  await untilActive(dynamo.client, names.state);
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

  it('waits for the dropped table to be gone before making the new one, as DynamoDB drops a table a while after answering', async () => {
    // A table that stays DELETING 300 ms, as a busy machine (or DynamoDB itself) makes the drop lag behind.
    const lagging = await startDynalite({ deleteTableMs: 300 });
    const usual = dynamo;
    dynamo = lagging;
    try {
      const names = await oldTable(10);
      const before = await itemsOf(names.state);
      const saved = join(mkdtempSync(join(tmpdir(), 'rebuild-')), 'state-table-rebuild.json');
      expect(await rebuildOldStateTable(dynamo.client, names, saved)).toBe(10);
      expect(await itemsOf(names.state)).toEqual(before);
    } finally {
      dynamo = usual;
      await lagging.close();
    }
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

  it('leaves every open operation, whichever version wrote it, to the sweeper, and nothing else', async () => {
    const names = await oldTable(0);
    const operation = (id: string, fields: Record<string, string>) =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: names.state,
          Item: {
            pk: { S: `OPERATION#${id}` },
            sk: { S: 'OPERATION' },
            id: { S: id },
            supplierId: { S: 'demo-supplier' },
            command: { M: { kind: { S: 'cancelTrip' }, companyId: { S: 'c' }, tripId: { S: 'T1' } } },
            ...Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, { S: value }])),
          },
        }),
      );
    const openItem = (id: string) =>
      dynamo.client.send(
        new PutItemCommand({
          TableName: names.state,
          Item: { pk: { S: 'OPEN' }, sk: { S: id }, indexedAt: { S: '2027-01-01T00:00:00.000Z' } },
        }),
      );
    // Before sweepAt and the OPEN items: accepted, its message in a queue that died with its process.
    await operation('op_before_sweeps', { status: 'accepted', updatedAt: '2027-01-01T00:00:00.000Z' });
    // With an OPEN item and sweepAt: processing, overdue at the time it says.
    await operation('op_with_open_item', {
      status: 'processing',
      updatedAt: '2027-01-02T00:00:00.000Z',
      sweepAt: '2027-01-02T00:20:00.000Z',
    });
    await openItem('op_with_open_item');
    // Ended just before its sender marked it queued, which left a sweepAt on it; and its OPEN item, orphaned.
    await operation('op_ended', {
      status: 'succeeded',
      updatedAt: '2027-01-01T00:00:00.000Z',
      sweepAt: '2027-01-01T00:15:00.000Z',
    });
    await openItem('op_ended');
    const saved = join(mkdtempSync(join(tmpdir(), 'rebuild-')), 'state-table-rebuild.json');

    expect(await rebuildOldStateTable(dynamo.client, names, saved)).toBe(5);

    expect((await itemsOf(names.state)).map((item) => item.pk!.S).sort()).toEqual([
      'OPERATION#op_before_sweeps',
      'OPERATION#op_ended',
      'OPERATION#op_with_open_item',
    ]);
    const clock = { now: () => Date.parse('2027-01-02T00:10:00Z') };
    const operations = new DynamoOperations({ client: dynamo.client, tableName: names.state, clock });
    expect(await operations.get('op_ended')).not.toHaveProperty('sweepAt');
    const overdue = async () => {
      const ids: string[] = [];
      for await (const page of operations.listOverdue()) ids.push(...page);
      return ids;
    };
    expect(await overdue()).toEqual(['op_before_sweeps']);
    const sent: string[] = [];
    const sweeper = new OperationSweeper({
      operations,
      queue: { send: async ({ operationId }) => void sent.push(operationId) },
      logger: { info: () => undefined, warn: () => undefined },
    });
    expect(await sweeper.sweep()).toEqual({ requeued: ['op_before_sweeps'] });
    // Queued again at 00:10, the first is not overdue again before 00:25.
    clock.now = () => Date.parse('2027-01-02T00:22:00Z');
    expect(await overdue()).toEqual(['op_with_open_item']);
    expect(await sweeper.sweep()).toEqual({ requeued: ['op_with_open_item'] });
    expect(sent).toEqual(['op_before_sweeps', 'op_with_open_item']);
  });
});
