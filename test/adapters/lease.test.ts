import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoLocks } from '../../shared/adapters/dynamodb';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let now = 1_700_000_000_000;
let locks: DynamoLocks;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  const { state } = await createTestTables(dynamo, 'lease');
  locks = new DynamoLocks({ client: dynamo.client, tableName: state, clock: { now: () => now } });
});
afterAll(() => dynamo.close());

describe('DynamoLocks', () => {
  it('grants a free lease, refuses it to others while held, and grants it again after release', async () => {
    expect(await locks.tryAcquire('booking-1', 'holder-a', 30_000)).toBe(true);
    expect(await locks.tryAcquire('booking-1', 'holder-b', 30_000)).toBe(false);
    expect(await locks.tryAcquire('booking-2', 'holder-b', 30_000)).toBe(true);
    await locks.release('booking-1', 'holder-a');
    expect(await locks.tryAcquire('booking-1', 'holder-b', 30_000)).toBe(true);
  });

  it('does not let a non-holder release the lease', async () => {
    expect(await locks.tryAcquire('booking-3', 'holder-a', 30_000)).toBe(true);
    await locks.release('booking-3', 'holder-b');
    expect(await locks.tryAcquire('booking-3', 'holder-b', 30_000)).toBe(false);
  });

  it('hands over an expired lease, and the old holder’s late release leaves the new lease alone', async () => {
    expect(await locks.tryAcquire('booking-4', 'holder-a', 10_000)).toBe(true);
    now += 10_000;
    expect(await locks.tryAcquire('booking-4', 'holder-b', 10_000)).toBe(false);
    now += 1;
    expect(await locks.tryAcquire('booking-4', 'holder-b', 10_000)).toBe(true);
    await locks.release('booking-4', 'holder-a');
    expect(await locks.tryAcquire('booking-4', 'holder-c', 10_000)).toBe(false);
  });

  it('gives a contended lease to exactly one of 20 concurrent acquirers', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => locks.tryAcquire('contended', `holder-${index}`, 30_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
