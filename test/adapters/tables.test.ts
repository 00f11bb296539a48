import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTables, IDEMPOTENCY_TABLE, STATE_TABLE } from '../../shared/adapters/dynamodb';
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

    const idempotency = await dynamo.client.send(new DescribeTableCommand({ TableName: names.idempotency }));
    expect(idempotency.Table?.KeySchema).toEqual([
      { AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' },
    ]);
  });

  it('names the attributes Powertools idempotency and the TTL settings expect', () => {
    expect(IDEMPOTENCY_TABLE).toEqual({ partitionKey: 'id', ttlAttribute: 'expiration' });
    expect(STATE_TABLE).toEqual({ partitionKey: 'pk', sortKey: 'sk', ttlAttribute: 'expiresAt' });
  });
});
