import { CreateTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTables, IDEMPOTENCY_TABLE, STATE_TABLE, TRIPS_INDEX } from '../../shared/adapters/dynamodb';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
beforeAll(async () => {
  dynamo = await startTestDynalite();
});
afterAll(() => dynamo.close());

describe('createTables', () => {
  it('creates the state and idempotency tables with their keys, on demand, and tolerates existing ones', async () => {
    const names = await createTestTables(dynamo, 'tables');
    await createTables(dynamo.client, names);

    const state = await dynamo.client.send(new DescribeTableCommand({ TableName: names.state }));
    expect(state.Table?.KeySchema).toEqual([
      { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
    ]);
    expect(state.Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      state.Table?.GlobalSecondaryIndexes?.map((index) => [
        index.IndexName,
        index.KeySchema,
        index.Projection?.ProjectionType,
      ]),
    ).toEqual([
      [
        'trips-by-supplier',
        [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'tripId', KeyType: 'RANGE' },
        ],
        'ALL',
      ],
      [
        'activity-by-supplier',
        [
          { AttributeName: 'activityKey', KeyType: 'HASH' },
          { AttributeName: 'updatedAt', KeyType: 'RANGE' },
        ],
        'ALL',
      ],
      [
        'open-operations',
        [
          { AttributeName: 'sk', KeyType: 'HASH' },
          { AttributeName: 'sweepAt', KeyType: 'RANGE' },
        ],
        'KEYS_ONLY',
      ],
    ]);

    const idempotency = await dynamo.client.send(new DescribeTableCommand({ TableName: names.idempotency }));
    expect(idempotency.Table?.KeySchema).toEqual([
      { AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' },
    ]);
  });

  it('refuses, with the way out (npm start rebuilds it), a state table made before the trips index', async () => {
    const names = { state: 'legacy-state', idempotency: 'legacy-idempotency' };
    await dynamo.client.send(
      new CreateTableCommand({
        TableName: names.state,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await expect(createTables(dynamo.client, names)).rejects.toThrow(
      /legacy-state has no index trips-by-supplier.*Run npm start on its data directory once/,
    );
  });

  it('names the attributes Powertools idempotency and the TTL settings expect', () => {
    expect(TRIPS_INDEX).toEqual({
      name: 'trips-by-supplier',
      partitionKey: 'pk',
      sortKey: 'tripId',
      projection: 'ALL',
    });
    expect(IDEMPOTENCY_TABLE).toEqual({ partitionKey: 'id', ttlAttribute: 'expiration' });
    expect(STATE_TABLE).toEqual({ partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' });
  });
});
