/**
 * Rotating a supplier's webhook signing secrets: the new one first, the old ones valid until the grace ends,
 * and an expired one refused even by a verifier that cached it. Real SDK client, local Secrets Manager.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { isAuthentic, WebhookSecrets } from '../../shared/events/webhooks';
import { startTestSecretsManager } from '../support/secrets-manager';
import type { TestSecretsManager } from '../support/secrets-manager';

let secretsManager: TestSecretsManager;
// The secrets' clock; signatures are made at the real time, which the verifier checks within 5 minutes.
let now = Date.now();
const clock = { now: () => now };
const HOUR = 3_600_000;

beforeAll(async () => {
  secretsManager = await startTestSecretsManager();
});
afterAll(() => secretsManager?.close());

const secretsFor = () =>
  new WebhookSecrets({ store: secretsManager.store, prefix: 'test', clock, maxAgeMs: 10 * HOUR });

function signedBy(secret: string) {
  const body = JSON.stringify({ type: 'booking.upserted' });
  const signedAt = new Date();
  const headers = {
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(Math.floor(signedAt.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign('msg_1', signedAt, body),
  };
  return { body, headers };
}

describe('WebhookSecrets.rotate', () => {
  it('keeps the old secret verifying until the grace ends, even for a verifier that cached it', async () => {
    const operator = secretsFor();
    const verifier = secretsFor();
    const first = await operator.rotate('acme', HOUR);
    expect(first.retiring).toEqual([]);
    const second = await operator.rotate('acme', 2 * HOUR);
    expect(second.retiring).toEqual([{ validUntil: new Date(now + 2 * HOUR).toISOString() }]);
    const stored = JSON.parse((await secretsManager.store.getSecretString('test/suppliers/acme/webhook'))!);
    expect(stored).toEqual({
      secrets: [second.secret, { secret: first.secret, validUntil: new Date(now + 2 * HOUR).toISOString() }],
    });

    expect(await verifier.secretsOf('acme')).toEqual([second.secret, first.secret]);
    const old = signedBy(first.secret);
    expect(isAuthentic(await verifier.secretsOf('acme'), old.body, old.headers)).toBe(true);

    now += 2 * HOUR + 1;
    // The verifier's cache is still fresh (10 h), yet the old secret's own end is honoured.
    expect(await verifier.secretsOf('acme')).toEqual([second.secret]);
    const late = signedBy(first.secret);
    expect(isAuthentic(await verifier.secretsOf('acme'), late.body, late.headers)).toBe(false);
    const current = signedBy(second.secret);
    expect(isAuthentic(await verifier.secretsOf('acme'), current.body, current.headers)).toBe(true);
  });

  it('never lengthens a retiring secret, drops expired ones, and ends all others with a grace of 0', async () => {
    const operator = secretsFor();
    const first = await operator.rotate('beta', 0);
    const second = await operator.rotate('beta', HOUR);
    const third = await operator.rotate('beta', 5 * HOUR);
    // The first was already retiring sooner than the new grace: it keeps its own end.
    expect(third.retiring).toEqual([
      { validUntil: new Date(now + 5 * HOUR).toISOString() },
      { validUntil: new Date(now + HOUR).toISOString() },
    ]);
    now += HOUR + 1;
    const fourth = await operator.rotate('beta', 5 * HOUR);
    // The first one's end passed: it is gone; the second keeps its end, the third gets the new grace.
    expect(fourth.retiring).toEqual([
      { validUntil: new Date(now + 5 * HOUR).toISOString() },
      { validUntil: new Date(now - 1 + 4 * HOUR).toISOString() },
    ]);
    expect(await operator.secretsOf('beta')).toEqual([fourth.secret, third.secret, second.secret]);
    expect(await operator.secretsOf('beta')).not.toContain(first.secret);

    const fifth = await operator.rotate('beta', 0);
    expect(fifth.retiring).toEqual([]);
    expect(await secretsFor().secretsOf('beta')).toEqual([fifth.secret]);
  });

  it('still reads secrets stored as plain strings (onboarding, earlier rotations by hand)', async () => {
    const operator = secretsFor();
    const plain = `whsec_${Buffer.from('a-plain-secret-of-a-supplier!').toString('base64')}`;
    await operator.write('gamma', [plain]);
    const rotated = await operator.rotate('gamma', HOUR);
    expect(await secretsFor().secretsOf('gamma')).toEqual([rotated.secret, plain]);
  });
});
