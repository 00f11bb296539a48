/**
 * The delivery worker against dynalite, the local Secrets Manager and a receiver over real HTTP, with the clock
 * in the test's hands: an endpoint failing for 5 days is disabled, attempts expire after 30 days, and the
 * per-endpoint rate limit postpones what exceeds it.
 */
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoRateLimiter } from '../../shared/adapters/dynamodb/rate-window';
import { WebhookSecrets } from '../../shared/events/webhooks';
import { DeliveryLaterError, DeliveryWorker, endpointSecretKey } from '../../shared/webhooks-out/delivery';
import { DynamoWebhookEndpoints, newEndpointId } from '../../shared/webhooks-out/endpoints';
import { HttpWebhookSender } from '../../shared/webhooks-out/http-sender';
import { DynamoWebhookMessages } from '../../shared/webhooks-out/messages';
import { WebhookPublisher } from '../../shared/webhooks-out/publisher';
import type { DeliveryMessage } from '../../shared/webhooks-out/publisher';
import { createTestTables, startTestDynalite } from '../support/dynalite';
import type { TestDynalite } from '../support/dynalite';
import { startTestSecretsManager } from '../support/secrets-manager';
import type { TestSecretsManager } from '../support/secrets-manager';
import { startReceiver } from './support';
import type { Receiver } from './support';

const DAY = 24 * 3600 * 1000;
let dynamo: TestDynalite;
let secretsManager: TestSecretsManager;
let receiver: Receiver;
let now: number;
const clock = { now: () => now };

beforeAll(async () => {
  dynamo = await startTestDynalite();
  secretsManager = await startTestSecretsManager();
  receiver = await startReceiver(() => 500);
});
afterAll(async () => {
  await receiver.close();
  await secretsManager.close();
  await dynamo.close();
});

let endpoints: DynamoWebhookEndpoints;
let messages: DynamoWebhookMessages;
let publisher: WebhookPublisher;
let queued: DeliveryMessage[];
let postponed: number[];
let counted: string[];
let worker: (ratePerSecond?: number) => DeliveryWorker;

beforeEach(async () => {
  now = Date.parse('2027-01-01T00:00:00Z');
  receiver.answering = () => 500;
  receiver.received.length = 0;
  const tables = await createTestTables(dynamo, 'deliveries');
  const options = { client: dynamo.client, tableName: tables.state, clock };
  endpoints = new DynamoWebhookEndpoints(options);
  messages = new DynamoWebhookMessages(options);
  queued = [];
  postponed = [];
  counted = [];
  const queue = {
    send: async (message: DeliveryMessage) => void queued.push(message),
    retryLater: async (_handle: string, seconds: number) => void postponed.push(seconds),
  };
  publisher = new WebhookPublisher({ endpoints, messages, queue, clock });
  const secrets = new WebhookSecrets({
    store: secretsManager.store,
    prefix: 'test',
    secretIdOf: (key) => `test/endpoints/${key}`,
    clock,
  });
  worker = (ratePerSecond = 100) =>
    new DeliveryWorker({
      endpoints,
      messages,
      secrets,
      sender: new HttpWebhookSender({ policy: { allowLoopback: true } }),
      queue,
      limiter: new DynamoRateLimiter({
        client: dynamo.client,
        tableName: tables.state,
        limitsOf: () => ({ perMinute: ratePerSecond * 60 }),
        maxWaitMs: 0,
        slotsPerTake: 1,
        clock,
      }),
      retryDelaysSeconds: [1, 1],
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: { count: (name) => void counted.push(name), time: () => undefined },
      clock,
    });
  const endpoint = await endpoints.create({
    id: newEndpointId(),
    supplierId: 'acme',
    url: receiver.url,
    eventTypes: [],
  });
  await secrets.write(endpointSecretKey('acme', endpoint.id), ['whsec_dGVzdC1zZWNyZXQtb2YtYW4tZW5kcG9pbnQ=']);
});

const record = (message: DeliveryMessage): SQSRecord =>
  ({
    messageId: 'sqs-1',
    receiptHandle: 'handle',
    body: JSON.stringify(message),
    attributes: {},
  }) as SQSRecord;

/** Publishes a ping-like event and runs the worker on its queue message once. */
async function publishAndAttempt(delivery: DeliveryWorker) {
  await publisher.publish('acme', { type: 'operation.failed', data: { n: queued.length } });
  const message = queued.at(-1)!;
  await delivery.process(record(message)).catch((error: unknown) => {
    if (!(error instanceof DeliveryLaterError)) throw error;
  });
  return message;
}

describe('an endpoint that keeps failing', () => {
  it('is disabled once its attempts have all failed for 5 days; a success in between starts the count again', async () => {
    const [endpoint] = await endpoints.listOf('acme');
    await publishAndAttempt(worker());
    expect((await endpoints.get('acme', endpoint!.id))!.failingSince).toBe(new Date(now).toISOString());

    now += 3 * DAY;
    receiver.answering = () => 200;
    await publishAndAttempt(worker());
    expect((await endpoints.get('acme', endpoint!.id))!.failingSince).toBeUndefined();

    receiver.answering = () => 503;
    await publishAndAttempt(worker());
    const failingSince = now;
    now = failingSince + 5 * DAY - 60_000;
    await publishAndAttempt(worker());
    expect((await endpoints.get('acme', endpoint!.id))!.status).toBe('enabled');

    now = failingSince + 5 * DAY;
    const last = await publishAndAttempt(worker());
    const disabled = await endpoints.get('acme', endpoint!.id);
    expect(disabled).toMatchObject({ status: 'disabled', disabledBy: 'failing' });
    expect(counted.filter((name) => name === 'WebhookEndpointsDisabled')).toHaveLength(1);
    // Its last message is not retried: it failed, and `recover` can send it once the endpoint is enabled.
    expect((await messages.get(endpoint!.id, last.messageId))!.status).toBe('failed');
    // And nothing new is published to it.
    expect(await publisher.publish('acme', { type: 'operation.failed', data: {} })).toBe(0);
  });
});

describe('attempts and messages', () => {
  it('are kept 30 days: after that they are not read, though the local DynamoDB never deletes them', async () => {
    const [endpoint] = await endpoints.listOf('acme');
    const message = await publishAndAttempt(worker());
    expect((await messages.attemptsOf(endpoint!.id, { limit: 10 })).attempts).toHaveLength(1);
    now += 30 * DAY + 1000;
    expect((await messages.attemptsOf(endpoint!.id, { limit: 10 })).attempts).toEqual([]);
    expect(await messages.get(endpoint!.id, message.messageId)).toBeUndefined();
  });
});

describe('the per-endpoint rate limit', () => {
  it('sends at most its rate in a second and postpones the rest, without counting them as attempts', async () => {
    const [endpoint] = await endpoints.listOf('acme');
    receiver.answering = () => 200;
    const delivery = worker(2);
    for (let n = 0; n < 5; n++) await publisher.publish('acme', { type: 'operation.succeeded', data: { n } });
    const results = await Promise.allSettled(queued.map((message) => delivery.process(record(message))));
    expect(receiver.received).toHaveLength(2);
    expect(results.filter((result) => result.status === 'rejected')).toHaveLength(3);
    expect(postponed).toHaveLength(3);
    for (const message of queued) {
      const stored = await messages.get(endpoint!.id, message.messageId);
      expect(stored!.attempts).toBe(stored!.status === 'succeeded' ? 1 : 0);
    }
  });
});
