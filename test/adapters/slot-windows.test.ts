/**
 * The per-second slot windows the supplier limit counts in: what a container writes to take its slots, and that
 * a second's window never admits more than its limit however the container takes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlotWindows } from '../../shared/adapters/dynamodb/slot-windows';
import { recordAwsRequests } from '../support/aws-requests';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;
let now = Date.parse('2026-03-01T10:00:00Z');
const clock = { now: () => now };

beforeAll(async () => {
  dynamo = await startTestDynalite();
  tableName = (await createTestTables(dynamo, 'slots')).state;
});
afterAll(() => dynamo.close());

const windows = () =>
  new SlotWindows({ client: dynamo.client, tableName, partitionPrefix: 'TEST-RATE#', clock });

/** Spends `perSecond` slots in each of `seconds` seconds, one request after another; answers the writes made. */
async function steadyPace(slots: SlotWindows, key: string, perSecond: number, seconds: number) {
  const recorder = recordAwsRequests({ dynamodb: dynamo.endpoint });
  const admitted: number[] = [];
  const writesPerSecond: number[] = [];
  try {
    for (let second = 0; second < seconds; second++) {
      const before = recorder.requests.length;
      const secondStart = Math.floor(now / 1000) * 1000;
      let admittedThisSecond = 0;
      for (let request = 0; request < perSecond; request++) {
        if (await slots.trySpend(key, { perWindow: 100, batch: 25, growing: true })) admittedThisSecond++;
        now += Math.floor(1000 / perSecond);
      }
      now = secondStart + 1000;
      admitted.push(admittedThisSecond);
      writesPerSecond.push(recorder.requests.length - before);
    }
  } finally {
    recorder.stop();
  }
  return { admitted, writesPerSecond };
}

describe('slot windows, growing', () => {
  it('starts a busy container at half of what it took the second before: two writes a second at a steady pace', async () => {
    const { admitted, writesPerSecond } = await steadyPace(windows(), 'steady', 40, 5);
    expect(admitted).toEqual([40, 40, 40, 40, 40]);
    // The first second grows from one: 1, 1, 2, 4, 8, 16, then 8 more = 7 writes. Each later second starts at
    // half the 40 taken the second before (capped at the batch of 25): 20, then 20 more.
    expect(writesPerSecond[0]).toBe(7);
    expect(writesPerSecond.slice(1)).toEqual([2, 2, 2, 2]);
  });

  it('starts again from one after an idle second, and never admits more than the window allows', async () => {
    const slots = windows();
    await steadyPace(slots, 'idle', 40, 1);
    now += 1000; // a second without requests
    const { writesPerSecond } = await steadyPace(slots, 'idle', 3, 1);
    expect(writesPerSecond).toEqual([3]); // one slot, one more, then two (growing from one again)

    const crowded = await steadyPace(windows(), 'crowded', 150, 2);
    expect(crowded.admitted).toEqual([100, 100]);
  });
});
