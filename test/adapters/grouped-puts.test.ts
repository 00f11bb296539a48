/**
 * Grouped puts on dynalite: one put alone is one PutItem; puts made while one is in flight are stored together in
 * as few BatchWriteItem calls as their number allows, every one of them, a repeated key once with its last item;
 * and a batch DynamoDB keeps refusing fails only the puts it held.
 */
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamodb/document-client';
import { GroupedPuts, UnprocessedItemsError } from '../../shared/adapters/dynamodb/grouped-puts';
import { recordAwsRequests } from '../support/aws-requests';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  tableName = (await createTestTables(dynamo, 'grouped')).state;
});
afterAll(() => dynamo.close());

const keyOf = (item: Record<string, unknown>) => `${String(item.pk)}\n${String(item.sk)}`;
const item = (n: number, value = `v${n}`) => ({ pk: `GROUPED#${n % 7}`, sk: `N#${n}`, value });

async function stored(n: number): Promise<unknown> {
  const { Item } = await documentClient(dynamo.client).send(
    new GetCommand({
      TableName: tableName,
      Key: { pk: `GROUPED#${n % 7}`, sk: `N#${n}` },
      ConsistentRead: true,
    }),
  );
  return Item?.value;
}

describe('grouped puts', () => {
  it('store a put made alone with one PutItem', async () => {
    const recorder = recordAwsRequests({ dynamodb: dynamo.endpoint });
    try {
      await new GroupedPuts(documentClient(dynamo.client), tableName, keyOf).put(item(1000));
      expect(recorder.requests.map((request) => request.target)).toEqual(['DynamoDB_20120810.PutItem']);
    } finally {
      recorder.stop();
    }
    expect(await stored(1000)).toBe('v1000');
  });

  it('store 60 puts made at once, every one, in one PutItem and batches of at most 25', async () => {
    const puts = new GroupedPuts(documentClient(dynamo.client), tableName, keyOf);
    const recorder = recordAwsRequests({ dynamodb: dynamo.endpoint });
    try {
      await Promise.all(Array.from({ length: 60 }, (_, n) => puts.put(item(n))));
      // The first goes alone; the 59 that came while it was in flight need three batches (25, 25, 9).
      expect(recorder.requests.map((request) => request.target)).toEqual([
        'DynamoDB_20120810.PutItem',
        'DynamoDB_20120810.BatchWriteItem',
        'DynamoDB_20120810.BatchWriteItem',
        'DynamoDB_20120810.BatchWriteItem',
      ]);
    } finally {
      recorder.stop();
    }
    for (let n = 0; n < 60; n++) expect(await stored(n)).toBe(`v${n}`);
  });

  it('store a key put twice in one batch once, with its last item', async () => {
    const puts = new GroupedPuts(documentClient(dynamo.client), tableName, keyOf);
    await Promise.all([puts.put(item(200)), puts.put(item(201, 'first')), puts.put(item(201, 'last'))]);
    expect(await stored(201)).toBe('last');
  });

  it('fail only the puts of a batch DynamoDB kept unprocessed, after its tries', async () => {
    const documents = documentClient(dynamo.client);
    const refused = `GROUPED#${300 % 7}\nN#300`;
    // DynamoDB throttles by leaving items unprocessed: this client leaves item 300 so on every try.
    const throttling = Object.create(documents) as typeof documents;
    throttling.send = (async (command: unknown) => {
      if (!(command instanceof BatchWriteCommand)) return documents.send(command as never);
      const requests = command.input.RequestItems![tableName]!;
      const rest = requests.filter((request) => keyOf(request.PutRequest!.Item!) !== refused);
      if (rest.length > 0)
        await documents.send(new BatchWriteCommand({ RequestItems: { [tableName]: rest } }));
      const left = requests.filter((request) => keyOf(request.PutRequest!.Item!) === refused);
      return { UnprocessedItems: { [tableName]: left } };
    }) as typeof documents.send;
    const sleeps: number[] = [];
    const puts = new GroupedPuts(throttling, tableName, keyOf, async (ms) => void sleeps.push(ms));
    const results = await Promise.allSettled([puts.put(item(299)), puts.put(item(300)), puts.put(item(301))]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(UnprocessedItemsError);
    expect(sleeps).toEqual([50, 100, 200, 400]);
    expect(await stored(301)).toBe('v301');
    expect(await stored(300)).toBeUndefined();
  });
});
