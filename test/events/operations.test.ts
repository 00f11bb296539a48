/**
 * Two workers on one operation (its message came back, or a duplicate delivery queued it twice): the second
 * one's start must never take an operation that is still to be done for a finished one. And a replay that
 * stopped between its writes can be done again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOperations } from '../../shared/events/operations';
import { parkedOperations } from '../../shared/events/parked';
import { OperationSweeper } from '../../shared/events/sweeper';
import type { EventQueue } from '../../shared/events/queue';
import type { OperationRecord } from '../../shared/events/operations';
import { createTestTables, startTestDynalite, type TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  ({ state: tableName } = await createTestTables(dynamo, 'operations'));
});
afterAll(() => dynamo.close());

const problem = {
  type: 'urn:concur-gateway:problem:concur-unavailable',
  title: 'Concur is unavailable',
  status: 503,
};

const quiet = { info: () => undefined, warn: () => undefined };
const sweeperOf = (operations: DynamoOperations, queue: Pick<EventQueue, 'send'>) =>
  new OperationSweeper({ operations, queue, logger: quiet });

const newOperation = (id: string) => ({
  id,
  supplierId: 'demo-supplier',
  trigger: 'webhook' as const,
  eventId: `msg_${id}`,
  type: 'booking.upserted',
  status: 'accepted' as const,
});

describe('DynamoOperations.startAttempt', () => {
  it('leaves a running operation to its worker: busy, not final', async () => {
    const operations = new DynamoOperations({ client: dynamo.client, tableName });
    await operations.create(newOperation('op_running'));
    expect(await operations.startAttempt('op_running', 60_000)).toMatchObject({ status: 'processing' });
    expect(await operations.startAttempt('op_running', 60_000)).toBe('busy');
  });

  it('answers busy when the first worker put the operation back to accepted between the refusal and the read', async () => {
    const first = new DynamoOperations({ client: dynamo.client, tableName });
    await first.create(newOperation('op_race'));
    expect(await first.startAttempt('op_race', 60_000)).toMatchObject({ status: 'processing' });
    // The second worker's conditional start is refused (the first is running); before it reads the operation,
    // the first worker's attempt fails and schedules a retry.
    class RacingOperations extends DynamoOperations {
      override async get(id: string): Promise<OperationRecord | undefined> {
        await first.retryLater(id, problem, new Date(Date.now() + 1_000));
        return super.get(id);
      }
    }
    const second = new RacingOperations({ client: dynamo.client, tableName });
    expect(await second.startAttempt('op_race', 60_000)).toBe('busy');
    expect((await first.get('op_race'))?.status).toBe('accepted');
  });

  it('lets a finished operation go: final', async () => {
    const operations = new DynamoOperations({ client: dynamo.client, tableName });
    await operations.create(newOperation('op_done'));
    await operations.startAttempt('op_done', 60_000);
    await operations.finish('op_done', 'succeeded', { result: { status: 200 } as never });
    expect(await operations.startAttempt('op_done', 60_000)).toBe('final');
  });
});

describe('replaying a parked operation', () => {
  const parked = async (operations: DynamoOperations, id: string) => {
    await operations.create({
      ...newOperation(id),
      command: { kind: 'cancelTrip', companyId: 'demo-company', tripId: 'T1' },
    });
    await operations.startAttempt(id, 60_000);
    await operations.finish(id, 'parked', { problem });
  };

  it('can be done again when the queue refused the message, and then queues it once', async () => {
    const operations = new DynamoOperations({ client: dynamo.client, tableName });
    await parked(operations, 'op_replay_refused');
    const sent: string[] = [];
    let queueUp = false;
    const queue = {
      send: async ({ operationId }: { operationId: string }) => {
        if (!queueUp) throw new Error('queue unavailable');
        sent.push(operationId);
      },
    };
    const operator = parkedOperations({ operations, queue, sweeper: sweeperOf(operations, queue) });

    await expect(operator.replay('op_replay_refused')).rejects.toThrow('queue unavailable');
    expect(await operations.get('op_replay_refused')).toMatchObject({ status: 'accepted' });
    expect((await operations.get('op_replay_refused'))?.queuedAt).toBeUndefined();

    queueUp = true;
    expect(await operator.replay('op_replay_refused')).toEqual({
      operationId: 'op_replay_refused',
      replayed: true,
    });
    expect(sent).toEqual(['op_replay_refused']);
    expect((await operations.get('op_replay_refused'))?.queuedAt).toBeDefined();
    // Queued now: a further replay sends nothing.
    expect(await operator.replay('op_replay_refused')).toEqual({
      operationId: 'op_replay_refused',
      replayed: false,
    });
    expect(sent).toEqual(['op_replay_refused']);
  });

  it('leaves an accepted operation that has its message alone', async () => {
    const operations = new DynamoOperations({ client: dynamo.client, tableName });
    await operations.create({
      ...newOperation('op_queued'),
      command: { kind: 'cancelTrip', companyId: 'demo-company', tripId: 'T1' },
    });
    await operations.markQueued('op_queued');
    const sent: string[] = [];
    const queue: Pick<EventQueue, 'send'> = { send: async ({ operationId }) => void sent.push(operationId) };
    const operator = parkedOperations({ operations, queue, sweeper: sweeperOf(operations, queue) });
    expect(await operator.replay('op_queued')).toMatchObject({ replayed: false });
    expect(sent).toEqual([]);
  });
});

describe('erasing what an operation carried of its traveler', () => {
  const withTraveler = (id: string) => ({
    ...newOperation(id),
    command: {
      kind: 'upsertBooking',
      companyId: 'demo-company',
      confirmationNumber: 'ERASE-1',
      body: { traveler: { loginId: 'zoe.erasable@example.com' } },
    } as never,
  });

  it('removes the command and the result of an ended operation, which then cannot be replayed', async () => {
    const operations = new DynamoOperations({ client: dynamo.client, tableName });
    await operations.create(withTraveler('op_erase_ended'));
    await operations.startAttempt('op_erase_ended', 60_000);
    await operations.finish('op_erase_ended', 'parked', {
      problem,
      result: { status: 200, body: { traveler: { loginId: 'zoe.erasable@example.com' } } },
    });
    expect(await operations.erasePersonalData('op_erase_ended')).toBe(true);
    const erased = await operations.get('op_erase_ended');
    expect(erased).toMatchObject({ id: 'op_erase_ended', status: 'parked', problem });
    expect(JSON.stringify(erased)).not.toContain('zoe.erasable');
    expect(await operations.reopen('op_erase_ended')).toBeUndefined();
  });

  it('leaves an open operation as it is, and answers false for one that does not exist', async () => {
    const operations = new DynamoOperations({ client: dynamo.client, tableName });
    await operations.create(withTraveler('op_erase_open'));
    await operations.startAttempt('op_erase_open', 60_000);
    expect(await operations.erasePersonalData('op_erase_open')).toBe(false);
    expect(JSON.stringify(await operations.get('op_erase_open'))).toContain('zoe.erasable');
    expect(await operations.erasePersonalData('op_never_was')).toBe(false);
    expect(await operations.get('op_never_was')).toBeUndefined();
  });
});
