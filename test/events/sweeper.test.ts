/**
 * The sweeper against dynalite, on a clock the test moves: operations left `accepted` without a message and
 * `processing` past their attempt are queued again once overdue, and only then; ended ones leave the index; the
 * operator's replay takes a stuck operation too. Two sweepers at once queue each operation once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOperations } from '../../shared/events/operations';
import { parkedOperations } from '../../shared/events/parked';
import type { EventQueue } from '../../shared/events/queue';
import { OperationSweeper } from '../../shared/events/sweeper';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;

beforeAll(async () => {
  dynamo = await startTestDynalite();
});
afterAll(() => dynamo.close());

const SWEEP_AFTER_MS = 15 * 60_000;
const ATTEMPT_MS = 120_000;
const quiet = { info: () => undefined, warn: () => undefined };

/** Operations, a recording queue and a sweeper on one clock, in a table of their own. */
async function setUp() {
  const { state } = await createTestTables(dynamo, 'sweeper');
  const clock = { at: Date.parse('2027-01-10T10:00:00Z'), now: () => clock.at };
  const operations = new DynamoOperations({
    client: dynamo.client,
    tableName: state,
    clock,
    sweepAfterMs: SWEEP_AFTER_MS,
  });
  const sent: string[] = [];
  const queue: Pick<EventQueue, 'send'> = { send: async ({ operationId }) => void sent.push(operationId) };
  const counted: string[] = [];
  const metrics = { count: (name: string) => void counted.push(name), time: () => undefined };
  const sweeper = new OperationSweeper({ operations, queue, logger: quiet, metrics });
  const create = (id: string) =>
    operations.create({
      id,
      supplierId: 'demo-supplier',
      trigger: 'webhook',
      eventId: `msg_${id}`,
      type: 'trip.cancelled',
      command: { kind: 'cancelTrip', companyId: 'demo-company', tripId: 'T1' },
      status: 'accepted',
    });
  return { clock, operations, sent, counted, sweeper, queue, create };
}

describe('the operations sweeper', () => {
  it('queues an operation left accepted without a message once it is overdue, and counts it', async () => {
    const { clock, operations, sent, counted, sweeper, create } = await setUp();
    // Recorded, never sent: the sender died between the two writes, or the queue refused the message.
    await create('op_never_sent');
    // Sent and recorded as queued, and the message lost with the queue.
    await create('op_message_lost');
    await operations.markQueued('op_message_lost');
    expect(await sweeper.sweep()).toEqual({ requeued: [] });

    clock.at += SWEEP_AFTER_MS - 1_000;
    expect((await sweeper.sweep()).requeued).toEqual([]);
    clock.at += 2_000;
    const { requeued } = await sweeper.sweep();
    expect(requeued.sort()).toEqual(['op_message_lost', 'op_never_sent']);
    expect(sent.sort()).toEqual(['op_message_lost', 'op_never_sent']);
    expect(counted).toEqual(['EventsRequeued', 'EventsRequeued']);
    const record = await operations.get('op_never_sent');
    expect(record).toMatchObject({ status: 'accepted' });
    expect(record?.queuedAt).toBeDefined();
    // Queued again just now: due again only after another while.
    expect((await sweeper.sweep()).requeued).toEqual([]);
    expect(sent).toHaveLength(2);
  });

  it('queues an operation processing past its attempt (its worker died), back to accepted', async () => {
    const { clock, operations, sent, sweeper, create } = await setUp();
    await create('op_worker_died');
    await operations.markQueued('op_worker_died');
    expect(await operations.startAttempt('op_worker_died', ATTEMPT_MS)).toMatchObject({
      status: 'processing',
    });
    clock.at += ATTEMPT_MS + SWEEP_AFTER_MS - 1_000;
    expect((await sweeper.sweep()).requeued).toEqual([]);
    clock.at += 2_000;
    expect((await sweeper.sweep()).requeued).toEqual(['op_worker_died']);
    expect(sent).toEqual(['op_worker_died']);
    expect(await operations.get('op_worker_died')).toMatchObject({ status: 'accepted', attempts: 1 });
    // The next attempt starts from accepted at once, without waiting for the dead one's lease.
    expect(await operations.startAttempt('op_worker_died', ATTEMPT_MS)).toMatchObject({ attempts: 2 });
  });

  it('leaves an operation waiting for its retry alone until long after that retry was due', async () => {
    const { clock, operations, sent, sweeper, create } = await setUp();
    await create('op_retrying');
    await operations.markQueued('op_retrying');
    await operations.startAttempt('op_retrying', ATTEMPT_MS);
    const problem = { type: 'urn:concur-gateway:problem:concur-unavailable', title: 'x', status: 503 };
    await operations.retryLater('op_retrying', problem, new Date(clock.at + 900_000));
    clock.at += 900_000 + SWEEP_AFTER_MS - 1_000;
    expect((await sweeper.sweep()).requeued).toEqual([]);
    clock.at += 2_000;
    expect((await sweeper.sweep()).requeued).toEqual(['op_retrying']);
    expect(sent).toEqual(['op_retrying']);
  });

  it('never touches an ended operation: it leaves the open-operations index with its last write', async () => {
    const { clock, operations, sent, sweeper, create } = await setUp();
    await create('op_done');
    await operations.startAttempt('op_done', ATTEMPT_MS);
    expect(
      await operations.finish('op_done', 'succeeded', { result: { status: 200, body: {} } }),
    ).toMatchObject({
      id: 'op_done',
      status: 'succeeded',
    });
    await create('op_parked');
    await operations.finish('op_parked', 'parked', {});
    // Its message was quick: the operation ended before its sender recorded it as queued.
    await create('op_quick');
    await operations.startAttempt('op_quick', ATTEMPT_MS);
    await operations.finish('op_quick', 'succeeded', { result: { status: 200, body: {} } });
    await operations.markQueued('op_quick');
    expect(await operations.get('op_quick')).toMatchObject({
      status: 'succeeded',
      queuedAt: expect.any(String),
    });
    await create('op_open');
    clock.at += SWEEP_AFTER_MS * 4;
    const overdue: string[] = [];
    for await (const ids of operations.listOverdue()) overdue.push(...ids);
    expect(overdue).toEqual(['op_open']);
    for (const id of ['op_done', 'op_parked', 'op_quick'])
      expect((await operations.get(id))?.sweepAt, id).toBeUndefined();
    expect(await sweeper.sweep()).toEqual({ requeued: ['op_open'] });
    expect(sent).toEqual(['op_open']);
    expect(await operations.get('op_done')).toMatchObject({ status: 'succeeded' });
  });

  it('reads the overdue ones a page at a time, oldest first', async () => {
    const { clock, operations, sweeper, create, sent } = await setUp();
    const ids = Array.from({ length: 7 }, (_, n) => `op_paged_${n}`);
    for (const id of ids) {
      await create(id);
      clock.at += 1_000;
    }
    await operations.startAttempt('op_paged_3', ATTEMPT_MS);
    clock.at += ATTEMPT_MS + SWEEP_AFTER_MS;
    const pages: string[][] = [];
    for await (const page of operations.listOverdue({ pageSize: 2 })) pages.push(page);
    // The one processing is overdue only after its attempt's time.
    expect(pages.flat()).toEqual([...ids.filter((id) => id !== 'op_paged_3'), 'op_paged_3']);
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    expect((await sweeper.sweep()).requeued.sort()).toEqual([...ids].sort());
    expect(sent.sort()).toEqual([...ids].sort());
  });

  it('queues a stuck operation once, however many sweepers and redeliveries race for it', async () => {
    const { clock, operations, sent, sweeper, create } = await setUp();
    await create('op_raced');
    await operations.markQueued('op_raced');
    clock.at += SWEEP_AFTER_MS + 1_000;
    const outcomes = await Promise.all([
      ...Array.from({ length: 4 }, () => sweeper.sweep().then((r) => r.requeued.length)),
      ...Array.from({ length: 4 }, () => sweeper.requeueIfStuck('op_raced').then(Number)),
    ]);
    expect(outcomes.reduce((a, b) => a + b, 0)).toBe(1);
    expect(sent).toEqual(['op_raced']);
  });

  it('lets the operator replay a stuck operation, and refuses one that is still in hand', async () => {
    const { clock, operations, sent, sweeper, queue, create } = await setUp();
    const operator = parkedOperations({ operations, queue, sweeper });
    await create('op_in_hand');
    await operations.markQueued('op_in_hand');
    expect(await operator.replay('op_in_hand')).toEqual({ operationId: 'op_in_hand', replayed: false });
    clock.at += SWEEP_AFTER_MS + 1_000;
    expect(await operator.replay('op_in_hand')).toEqual({ operationId: 'op_in_hand', replayed: true });
    expect(sent).toEqual(['op_in_hand']);
  });
});
