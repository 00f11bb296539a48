/**
 * `suppliers webhook-secret` and `events list|show|replay` through the bin, against `npm start` as a child
 * process (its webhook route, local queue, processor and simulator), then against its data once it stopped.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api, carBooking, COMPANY, TRAVELER } from '../gateway/support';
import { awaitOperation, bookingEvent, postWebhook } from '../events/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

let server: LocalStart;
let dataDir: string;
const local = () => ['--local', dataDir];
const gateway = () => ({ url: server.endpoints.gateway });

beforeAll(async () => {
  dataDir = freshDataDir();
  server = await startNpmStart(dataDir);
}, 90_000);
afterAll(async () => {
  await server?.stop();
});

const upsert = (confirmationNumber: string) =>
  bookingEvent(confirmationNumber, {
    companyId: COMPANY,
    booking: carBooking({}, { confirmationNumber }),
    traveler: { loginId: TRAVELER },
  });

async function addSupplier(id: string): Promise<string> {
  const { apiKey } = await runJson<{ apiKey: string }>([
    'suppliers',
    'add',
    ...local(),
    '--id',
    id,
    '--booking-source',
    `${id}Source`,
    '--company',
    COMPANY,
  ]);
  return apiKey;
}

interface Rotation {
  supplierId: string;
  webhookSecret: string;
  oldSecrets: { validUntil: string }[];
}

const rotate = (id: string, ...grace: string[]) =>
  runJson<Rotation>(['suppliers', 'webhook-secret', id, ...local(), ...grace]);

/** The simulator refuses the next `times` booking posts (a Concur refusal: the event is parked). */
async function refuseNextBookingPosts(times: number): Promise<void> {
  const answer = await fetch(`${server.endpoints.simulator}/_sim/faults/next`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ route: 'bookingPost', times, action: { kind: 'status', status: 400 } }),
  });
  expect(answer.status).toBeLessThan(300);
}

/** Posts a signed event and waits until its operation is final; answers the operation. */
async function deliver(supplierId: string, apiKey: string, secret: string, confirmationNumber: string) {
  const answer = await postWebhook(gateway(), supplierId, upsert(confirmationNumber), { secrets: [secret] });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  const done = await awaitOperation(gateway(), apiKey, answer.body.operation.href, 60_000);
  return done.body.operation as { id: string; status: string; href: string };
}

describe('suppliers webhook-secret', () => {
  it('prints a new secret; the old one keeps verifying during the grace', async () => {
    await addSupplier('hooks');
    const first = await rotate('hooks');
    expect(first.webhookSecret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    expect(first.oldSecrets).toEqual([]);
    const second = await rotate('hooks', '--grace', '1h');
    expect(second.webhookSecret).not.toBe(first.webhookSecret);
    expect(second.oldSecrets).toHaveLength(1);
    const graceLeft = Date.parse(second.oldSecrets[0]!.validUntil) - Date.now();
    expect(graceLeft).toBeGreaterThan(59 * 60_000);
    expect(graceLeft).toBeLessThanOrEqual(60 * 60_000);

    // Neither secret was used by this gateway yet, so no warm verifier remembers an older set.
    for (const secret of [second.webhookSecret, first.webhookSecret]) {
      const answer = await postWebhook(gateway(), 'hooks', upsert('HOOK-1'), { secrets: [secret] });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    }
    const human = await runCli(['suppliers', 'webhook-secret', 'hooks', ...local()]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/shown only this once:\nwhsec_/);
    expect(human.stdout).toMatch(/Its 2 other secret\(s\) keep verifying until/);
  });

  it('after --grace 0 only the new secret verifies', async () => {
    await addSupplier('hooks0');
    const first = await rotate('hooks0');
    const second = await rotate('hooks0', '--grace', '0');
    expect(second.oldSecrets).toEqual([]);
    const old = await postWebhook(gateway(), 'hooks0', upsert('HOOK0-1'), { secrets: [first.webhookSecret] });
    expect(old.status).toBe(401);
    const fresh = await postWebhook(gateway(), 'hooks0', upsert('HOOK0-2'), {
      secrets: [second.webhookSecret],
    });
    expect(fresh.status, JSON.stringify(fresh.body)).toBe(202);
  });

  it('refuses an unknown supplier and a duration it cannot read', async () => {
    const unknown = await runCli(['suppliers', 'webhook-secret', 'nobody', ...local()]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no supplier nobody');
    const badGrace = await runCli(['suppliers', 'webhook-secret', 'hooks', ...local(), '--grace', 'soon']);
    expect(badGrace.status).toBe(1);
    expect(badGrace.stderr).toContain('is not a duration');
  });
});

interface Listed {
  operations: { id: string; status: string; supplierId: string; problem?: string; createdAt: string }[];
  nextCursor?: string;
}

describe('events', () => {
  let apiKey: string;
  let secret: string;
  let refused: { id: string; href: string }[];
  let applied: { id: string; href: string };

  beforeAll(async () => {
    apiKey = await addSupplier('evts');
    secret = (await rotate('evts')).webhookSecret;
    await refuseNextBookingPosts(2);
    refused = [];
    for (const confirmationNumber of ['EV-1', 'EV-2']) {
      const operation = await deliver('evts', apiKey, secret, confirmationNumber);
      expect(operation.status).toBe('parked');
      refused.push(operation);
    }
    applied = await deliver('evts', apiKey, secret, 'EV-3');
    expect(applied).toMatchObject({ status: 'succeeded' });
  });

  it('lists the parked operations, oldest first, and shows one with its problem and event', async () => {
    const parked = await runJson<Listed>(['events', 'list', '--parked', ...local()]);
    expect(parked.operations.map((o) => o.id)).toEqual(refused.map((o) => o.id));
    expect(parked.operations[0]).toMatchObject({ status: 'parked', supplierId: 'evts' });
    expect(parked.operations[0]!.problem).toEqual(expect.any(String));

    const human = await runCli(['events', 'list', '--parked', ...local()]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`${refused[0]!.id}\\s+parked\\s+evts\\s+webhook\\s+booking.upserted`),
    );

    const shown = await runJson<{ operation: Record<string, unknown> }>([
      'events',
      'show',
      refused[0]!.id,
      ...local(),
    ]);
    expect(shown.operation).toMatchObject({
      id: refused[0]!.id,
      status: 'parked',
      supplierId: 'evts',
      problem: expect.objectContaining({ title: expect.any(String) }),
      command: expect.objectContaining({}),
    });
    expect(JSON.stringify(shown.operation.command)).toContain('EV-1');
    const text = await runCli(['events', 'show', refused[0]!.id, ...local()]);
    expect(text.stdout).toMatch(/parked after 1 attempt/);
    expect(text.stdout).toContain('Problem:');

    const missing = await runCli(['events', 'show', 'op_nothing', ...local()]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('no operation op_nothing');
  });

  it('lists recent operations newest first, by supplier and status, in pages', async () => {
    const all = await runJson<Listed>(['events', 'list', ...local(), '--supplier', 'evts']);
    expect(all.operations.map((o) => o.id)).toEqual([applied.id, refused[1]!.id, refused[0]!.id]);
    expect(all.nextCursor).toBeUndefined();

    const everyone = await runJson<Listed>(['events', 'list', ...local()]);
    expect(new Set(everyone.operations.map((o) => o.supplierId))).toEqual(
      new Set(['hooks', 'hooks0', 'evts']),
    );
    const created = everyone.operations.map((o) => o.createdAt);
    expect(created).toEqual([...created].sort().reverse());

    const parkedOnly = await runJson<Listed>(['events', 'list', ...local(), '--status', 'parked']);
    expect(parkedOnly.operations.map((o) => o.id).sort()).toEqual(refused.map((o) => o.id).sort());

    const first = await runJson<Listed>(['events', 'list', ...local(), '--supplier', 'evts', '--limit', '2']);
    expect(first.operations.map((o) => o.id)).toEqual([applied.id, refused[1]!.id]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const next = await runJson<Listed>([
      'events',
      'list',
      ...local(),
      '--supplier',
      'evts',
      '--limit',
      '2',
      '--cursor',
      first.nextCursor!,
    ]);
    expect(next.operations.map((o) => o.id)).toEqual([refused[0]!.id]);
    expect(next.nextCursor).toBeUndefined();

    const none = await runJson<Listed>(['events', 'list', ...local(), '--since', '0']);
    expect(none.operations).toEqual([]);
  });

  it('replays by id and all parked ones; both then succeed, and nothing else is replayed', async () => {
    const one = await runJson<{ replayed: string[]; notReplayable: string[] }>([
      'events',
      'replay',
      refused[0]!.id,
      ...local(),
    ]);
    expect(one).toEqual({ replayed: [refused[0]!.id], notReplayable: [] });
    const rest = await runJson<{ replayed: string[] }>(['events', 'replay', '--all-parked', ...local()]);
    expect(rest.replayed).toEqual([refused[1]!.id]);
    for (const operation of refused) {
      const done = await awaitOperation(gateway(), apiKey, operation.href, 60_000);
      expect(done.body.operation).toMatchObject({ id: operation.id, status: 'succeeded', attempts: 2 });
    }
    const booking = await api(gateway(), apiKey).get(`/v1/companies/${COMPANY}/bookings/EV-1`);
    expect(booking.status).toBe(200);

    const finished = await runCli(['events', 'replay', applied.id, ...local(), '--json']);
    expect(finished.status).toBe(1);
    expect(JSON.parse(finished.stdout)).toEqual({ replayed: [], notReplayable: [applied.id] });
    const neither = await runCli(['events', 'replay', ...local()]);
    expect(neither.status).toBe(1);
    expect(neither.stderr).toContain('give the operation ids to replay, or --all-parked');
  });

  it('lists and shows without npm start; replaying then says the queue needs it and changes nothing', async () => {
    await refuseNextBookingPosts(1);
    const parked = await deliver('evts', apiKey, secret, 'EV-4');
    expect(parked.status).toBe('parked');
    await server.stop();

    const listed = await runJson<Listed>(['events', 'list', '--parked', ...local()]);
    expect(listed.operations.map((o) => o.id)).toEqual([parked.id]);
    const replay = await runCli(['events', 'replay', '--all-parked', ...local()]);
    expect(replay.status).toBe(1);
    expect(replay.stderr).toMatch(/the events queue of .* lives in its running npm start, and none runs/);
    const still = await runJson<Listed>(['events', 'list', '--parked', ...local()]);
    expect(still.operations.map((o) => o.id)).toEqual([parked.id]);
  });
});
