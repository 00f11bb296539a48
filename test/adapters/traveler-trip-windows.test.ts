import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoTravelerTripWindows } from '../../shared/adapters/dynamodb';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let windows: DynamoTravelerTripWindows;
let now = Date.parse('2031-03-01T10:00:00Z');

beforeAll(async () => {
  dynamo = await startTestDynalite();
  const tableName = (await createTestTables(dynamo, 'windows')).state;
  windows = new DynamoTravelerTripWindows({ client: dynamo.client, tableName, clock: { now: () => now } });
});
afterAll(() => dynamo.close());

describe('DynamoTravelerTripWindows', () => {
  it('keeps a traveler’s month for 10 minutes, per company, traveler and month, checked on read', async () => {
    const trips = [
      { tripId: 'T1', tripName: 'Seattle', tripStartDateLocal: '2031-03-02T08:00:00', tripStatus: 0 },
    ];
    await windows.put('company-a', 'cm@example.com', '2031-03', trips);
    expect(await windows.get('company-a', 'cm@example.com', '2031-03')).toEqual(trips);
    expect(await windows.get('company-a', 'cm@example.com', '2031-04')).toBeUndefined();
    expect(await windows.get('company-a', 'other@example.com', '2031-03')).toBeUndefined();
    expect(await windows.get('company-b', 'cm@example.com', '2031-03')).toBeUndefined();
    now += 10 * 60 * 1000 - 1;
    expect(await windows.get('company-a', 'cm@example.com', '2031-03')).toEqual(trips);
    // dynalite never deletes expired items: the read itself must tell a stale answer.
    now += 1;
    expect(await windows.get('company-a', 'cm@example.com', '2031-03')).toBeUndefined();
    await windows.put('company-a', 'cm@example.com', '2031-03', []);
    expect(await windows.get('company-a', 'cm@example.com', '2031-03')).toEqual([]);
  });
});
