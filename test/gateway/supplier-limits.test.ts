/**
 * Each supplier's own rate, through the local gateway over real HTTP: bursts of concurrent requests are
 * admitted up to the supplier's requests a second and refused beyond with 429 problem+json and Retry-After,
 * counted in the state table's windows, with no effect on another supplier.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamodb/document-client';
import { administration } from '../../shared/composition/administration';
import { dynamoDbClient, stateTableName } from '../../shared/composition/dynamodb';
import { supplierDirectory } from '../../shared/composition/dynamodb';
import type { LocalGateway } from '../../local/server/local-gateway';
import { api, COMPANY, startTestGateway } from './support';

const DEFAULT_RATE = 5;
let gateway: LocalGateway & { apiKey: string };
let ownRateKey: string;

beforeAll(async () => {
  gateway = await startTestGateway({ supplierRatePerSecond: DEFAULT_RATE });
  const admin = administration();
  ownRateKey = admin.generateApiKey();
  await admin.registerSupplier(
    { id: 'fast', bookingSource: 'FastCars', companies: [COMPANY], profile: 'tmc', ratePerSecond: 40 },
    ownRateKey,
  );
}, 60_000);
afterAll(async () => {
  await gateway?.close();
});

/** A booking nobody made: the route reads the state table and answers 404, without Concur. */
const path = (n: number) => `/v1/companies/${COMPANY}/bookings/NOPE-${n}`;

/** What the state table counted for a supplier, window by window. */
async function windowsOf(supplierId: string): Promise<number[]> {
  const { Items = [] } = await documentClient(dynamoDbClient()).send(
    new QueryCommand({
      TableName: stateTableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': `SUPPLIER-RATE#${supplierId}` },
    }),
  );
  return Items.map((item) => Number(item.used));
}

describe('per-supplier rate', () => {
  it('admits a burst up to the supplier’s rate a second and answers the rest 429 with Retry-After', async () => {
    const demo = api(gateway, gateway.apiKey);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, n) => demo.get(path(n))));
    const admitted = answers.filter((answer) => answer.status === 404);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(admitted.length + refused.length).toBe(answers.length);
    expect(admitted.length).toBeGreaterThanOrEqual(DEFAULT_RATE);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(answer.body).toMatchObject({ status: 429, title: 'Too many requests' });
      expect(answer.body.type).toMatch(/rate-limited$/);
      expect(answer.body.detail).toContain(`${DEFAULT_RATE} requests a second`);
      expect(answer.body.requestId).toEqual(expect.any(String));
    }
    // Every request admitted was counted, and no second admitted more than the rate, across the functions.
    const windows = await windowsOf('demo-supplier');
    expect(Math.max(...windows)).toBeLessThanOrEqual(DEFAULT_RATE);
    expect(windows.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(admitted.length);
  });

  it('keeps suppliers apart: one at its limit does not slow another, which has its own rate', async () => {
    const demo = api(gateway, gateway.apiKey);
    const fast = api(gateway, ownRateKey);
    const [demoAnswers, fastAnswers] = await Promise.all([
      Promise.all(Array.from({ length: 30 }, (_, n) => demo.get(path(100 + n)))),
      Promise.all(Array.from({ length: 30 }, (_, n) => fast.get(path(200 + n)))),
    ]);
    expect(demoAnswers.some((answer) => answer.status === 429)).toBe(true);
    // 30 requests within its 40 a second, unless the burst straddles a second: then each second holds fewer.
    expect(fastAnswers.map((answer) => answer.status)).toEqual(fastAnswers.map(() => 404));
    expect(Math.max(...(await windowsOf('fast')))).toBeLessThanOrEqual(40);
  });

  it('admits the supplier again in the next second', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await api(gateway, gateway.apiKey).get(path(300))).status).toBe(404);
  });

  it('checks the key before the rate: an unknown key is 401 and counts for nobody', async () => {
    const before = await windowsOf('demo-supplier');
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) => api(gateway, 'cgw_' + 'x'.repeat(40)).get(path(400 + n))),
    );
    expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 401));
    expect(await windowsOf('demo-supplier')).toEqual(before);
  });

  it('takes a changed rate from the supplier’s record', async () => {
    await supplierDirectory().setRate('fast', 2);
    expect((await supplierDirectory().getSupplierRecord('fast'))?.ratePerSecond).toBe(2);
    await supplierDirectory().setRate('fast', undefined);
    expect((await supplierDirectory().getSupplierRecord('fast'))?.ratePerSecond).toBeUndefined();
    await expect(supplierDirectory().setRate('nobody', 3)).rejects.toThrow(/nobody/);
    await expect(supplierDirectory().setRate('fast', 0)).rejects.toThrow();
  });
});
