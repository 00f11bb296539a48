import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DynamoRateLimiter,
  OutboundRateLimitedError,
  rateLimitedFetch,
  windowLimitsOf,
} from '../../shared/adapters/dynamodb/rate-window';
import type { RateLimits } from '../../shared/adapters/dynamodb/rate-window';
import { DEFAULT_APP_RATE_PER_HOUR, DEFAULT_APP_RATE_PER_MINUTE } from '../../shared/app-limits';
import { OUTBOUND_RATE_LIMITED_CODE } from '../../shared/concur-client/http-attempt';
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

/**
 * A container's limiter on the shared table; its sleeps move the shared clock instead of waiting: to the sleep's
 * end, so that waiters sleeping at once move it as far as the longest of them, as real time would.
 */
const container = (limits: RateLimits | number, slotsPerTake?: number, maxWaitMs = 5_000) =>
  new DynamoRateLimiter({
    client: dynamo.client,
    tableName,
    limitsOf: () => (typeof limits === 'number' ? { perMinute: limits } : limits),
    maxWaitMs,
    slotsPerTake,
    clock: { now: () => now },
    sleep: async (ms) => {
      const end = now + ms;
      await Promise.resolve();
      now = Math.max(now, end);
    },
  });

const secondOf = (ms: number) => Math.floor(ms / 1000);

/** The `used` of each window of a partition, as DynamoDB holds them. */
async function windowsOf(pk: string): Promise<number[]> {
  const { Items = [] } = await dynamo.client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: pk } },
    }),
  );
  return Items.map((item) => Number(item.used!.N));
}

const DEFAULTS = { perMinute: DEFAULT_APP_RATE_PER_MINUTE, perHour: DEFAULT_APP_RATE_PER_HOUR };

describe('windowLimitsOf', () => {
  it('counts the hour only when the seconds could add up past it', () => {
    // 50 a second at most 180,000 an hour: under 200,000, so the seconds alone keep the hour.
    expect(windowLimitsOf(DEFAULTS)).toEqual({ second: { perWindow: 50, batch: 5 } });
    expect(windowLimitsOf({ perMinute: 3_000 })).toEqual({ second: { perWindow: 50, batch: 5 } });
    expect(windowLimitsOf({ perMinute: 3_000, perHour: 180_000 }).hour).toBeUndefined();
    // 66 a second could make 237,600 an hour: the hour is counted, in batches growing to a 400th of it.
    expect(windowLimitsOf({ perMinute: 4_000, perHour: 200_000 })).toEqual({
      second: { perWindow: 66, batch: 6 },
      hour: { perWindow: 200_000, batch: 500, growing: true },
    });
    expect(windowLimitsOf({ perMinute: 600, perHour: 3 }).hour).toEqual({
      perWindow: 3,
      batch: 1,
      growing: true,
    });
  });

  it('allows at least one a second, however small the minute', () => {
    expect(windowLimitsOf({ perMinute: 60 }).second).toEqual({ perWindow: 1, batch: 1 });
    expect(windowLimitsOf({ perMinute: 119 }).second).toEqual({ perWindow: 1, batch: 1 });
  });
});

describe('DynamoRateLimiter', () => {
  it('takes its slots in batches: 50 calls of one container cost 10 writes, not 50', async () => {
    now = 1_700_000_000_000;
    const limiter = container(3_000);
    dynamoRequests.clear();
    for (let n = 0; n < 50; n++) await limiter.acquire('app-batches');
    expect(dynamoRequests.requests).toHaveLength(10);
    expect(secondOf(now)).toBe(1_700_000_000);
  });

  it('never lets the containers sharing a window exceed its limit, whatever their batches', async () => {
    now = 1_700_000_100_000;
    const containers = [container(3_000), container(3_000, 7), container(3_000, 1)];
    await Promise.all(Array.from({ length: 180 }, (_, n) => containers[n % 3]!.acquire('app-shared')));
    // Every slot granted was counted, and no second holds more than 50.
    const used = await windowsOf('RATE#app-shared');
    expect(Math.max(...used)).toBeLessThanOrEqual(50);
    expect(used.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(180);
    expect(used.length).toBeGreaterThanOrEqual(4);
  });

  it('counts each key on its own: a full key does not hold back another', async () => {
    now = 1_700_000_150_000;
    const limiter = container(60, undefined, 500);
    await limiter.acquire('app-one');
    await expect(limiter.acquire('app-one')).rejects.toBeInstanceOf(OutboundRateLimitedError);
    await limiter.acquire('app-two');
  });

  it('answers OutboundRateLimitedError when no slot comes free within the wait', async () => {
    now = 1_700_000_200_000;
    const limiter = container(60, undefined, 500);
    await limiter.acquire('app-slow');
    await expect(limiter.acquire('app-slow')).rejects.toBeInstanceOf(OutboundRateLimitedError);
  });

  it('costs no write of an hour while the seconds keep the hour (the defaults)', async () => {
    now = 1_700_000_300_000;
    const limiter = container(DEFAULTS);
    dynamoRequests.clear();
    for (let n = 0; n < 50; n++) await limiter.acquire('app-defaults');
    expect(dynamoRequests.requests).toHaveLength(10);
    expect(dynamoRequests.requests.filter((request) => request.body.includes('RATE-HOUR#'))).toEqual([]);
  });

  it('holds the containers to the hour’s limit, refuses at once when it is used up, and opens with the next hour', async () => {
    // The start of a clock hour, so that 6 seconds at 200 a second stay within it.
    now = Date.UTC(2027, 0, 1, 9) + 5_000;
    const limits = { perMinute: 12_000, perHour: 1_200 };
    const containers = [container(limits), container(limits, 7), container(limits)];
    dynamoRequests.clear();
    let granted = 0;
    let refused = 0;
    for (let n = 0; n < 1_300; n++) {
      try {
        await containers[n % 3]!.acquire('app-hourly');
        granted += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(OutboundRateLimitedError);
        refused += 1;
      }
    }
    const hours = await windowsOf('RATE-HOUR#app-hourly');
    expect(hours).toHaveLength(1);
    expect(hours[0]).toBeLessThanOrEqual(1_200);
    // What the containers took and did not spend lapses with the hour: at most a batch (3) each.
    expect(granted).toBeLessThanOrEqual(1_200);
    expect(granted).toBeGreaterThanOrEqual(1_200 - 3 * 3);
    expect(refused).toBe(1_300 - granted);
    // The hour's slots were taken in batches: fewer writes than calls.
    const hourWrites = dynamoRequests.requests.filter((request) => request.body.includes('RATE-HOUR#'));
    expect(hourWrites.length).toBeLessThan(granted / 2);

    // Used up: refused without waiting the rest of the hour, or any second.
    const before = now;
    await expect(containers[0]!.acquire('app-hourly')).rejects.toBeInstanceOf(OutboundRateLimitedError);
    expect(now).toBe(before);
    // A wait that reaches into the next hour is taken.
    now = Date.UTC(2027, 0, 1, 10) - 500;
    await containers[1]!.acquire('app-hourly');
    expect(now).toBeGreaterThanOrEqual(Date.UTC(2027, 0, 1, 10));
    expect(await windowsOf('RATE-HOUR#app-hourly')).toHaveLength(2);
  });
});

describe('rateLimitedFetch', () => {
  it('holds a request back as never sent when its limit cannot be counted', async () => {
    let sent = 0;
    const limited = rateLimitedFetch(
      {
        acquire: () => Promise.reject(new Error('ProvisionedThroughputExceededException')),
      },
      'app-x',
      async () => {
        sent += 1;
        return new Response('');
      },
    );
    const error = await limited('https://concur.example/api').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundRateLimitedError);
    expect(error).toMatchObject({
      code: OUTBOUND_RATE_LIMITED_CODE,
      message: expect.stringContaining('app-x'),
    });
    expect(sent).toBe(0);
  });
});
