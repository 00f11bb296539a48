import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRateLimiter, OutboundRateLimitedError } from '../../shared/adapters/dynamodb/rate-window';
import { recordAwsRequests, type AwsRequestRecorder } from '../support/aws-requests';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;
/** Every request that reaches dynalite, as the SDK sends it. */
let dynamoRequests: AwsRequestRecorder<'dynamodb'>;
let now = 1_700_000_000_000;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  ({ state: tableName } = await createTestTables(dynamo, 'ratewindow'));
  dynamoRequests = recordAwsRequests({ dynamodb: dynamo.endpoint });
});
afterAll(async () => {
  dynamoRequests.stop();
  await dynamo.close();
});

/** A container's limiter on the shared table; its sleeps move the shared clock instead of waiting. */
const container = (ratePerMinute: number, slotsPerTake?: number) =>
  new DynamoRateLimiter({
    client: dynamo.client,
    tableName,
    ratePerMinute,
    maxWaitMs: 5_000,
    slotsPerTake,
    clock: { now: () => now },
    sleep: async (ms) => {
      now += ms;
    },
  });

const secondOf = (ms: number) => Math.floor(ms / 1000);

describe('DynamoRateLimiter', () => {
  it('takes its slots in batches: 50 calls of one container cost 10 writes, not 50', async () => {
    now = 1_700_000_000_000;
    const limiter = container(3_000);
    dynamoRequests.clear();
    for (let n = 0; n < 50; n++) await limiter.acquire('https://concur.example');
    expect(dynamoRequests.requests).toHaveLength(10);
    expect(secondOf(now)).toBe(1_700_000_000);
  });

  it('never lets the containers sharing a window exceed its limit, whatever their batches', async () => {
    now = 1_700_000_100_000;
    const containers = [container(3_000), container(3_000, 7), container(3_000, 1)];
    await Promise.all(
      Array.from({ length: 180 }, (_, n) => containers[n % 3]!.acquire('https://shared.example')),
    );
    // The windows as DynamoDB holds them: every slot granted was counted, and no second holds more than 50.
    const { Items = [] } = await dynamo.client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'RATE#https://shared.example' } },
      }),
    );
    const used = Items.map((item) => Number(item.used!.N));
    expect(Math.max(...used)).toBeLessThanOrEqual(50);
    expect(used.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(180);
    expect(used.length).toBeGreaterThanOrEqual(4);
  });

  it('answers OutboundRateLimitedError when no slot comes free within the wait', async () => {
    now = 1_700_000_200_000;
    const limiter = new DynamoRateLimiter({
      client: dynamo.client,
      tableName,
      ratePerMinute: 60,
      maxWaitMs: 500,
      clock: { now: () => now },
      sleep: async (ms) => {
        now += ms;
      },
    });
    await limiter.acquire('https://slow.example');
    await expect(limiter.acquire('https://slow.example')).rejects.toBeInstanceOf(OutboundRateLimitedError);
  });
});
