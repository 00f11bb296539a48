/**
 * The local SQS stand-in, through the real @aws-sdk/client-sqs (which also checks every message's MD5): the
 * semantics the events processor relies on. Seconds are scaled down (1 s lasts 50 ms) to keep this quick.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalSqs } from '../../local/sqs';
import type { RunningLocalSqs } from '../../local/sqs';

const SCALE = 0.05;
let sqs: RunningLocalSqs;
let client: SQSClient;

beforeAll(async () => {
  sqs = await startLocalSqs({ secondsScale: SCALE });
  client = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(() => sqs?.close());

const sleepSeconds = (seconds: number) =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000 * SCALE));

async function queue(name: string, attributes: Record<string, string> = {}) {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return QueueUrl!;
}

const receive = async (QueueUrl: string, extra: { VisibilityTimeout?: number } = {}) =>
  (
    await client.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ['All'],
        ...extra,
      }),
    )
  ).Messages ?? [];

describe('local SQS', () => {
  it('hides a received message for its visibility timeout, then delivers it again with a higher receive count', async () => {
    const url = await queue('visibility', { VisibilityTimeout: '4' });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"operationId":"op_1"}' }));
    const [first] = await receive(url);
    expect(first).toMatchObject({
      Body: '{"operationId":"op_1"}',
      Attributes: { ApproximateReceiveCount: '1' },
    });
    expect(await receive(url)).toEqual([]);
    await sleepSeconds(5);
    const [second] = await receive(url);
    expect(second!.MessageId).toBe(first!.MessageId);
    expect(second!.Attributes!.ApproximateReceiveCount).toBe('2');
    // The first receive's handle no longer deletes it; the latest one does.
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first!.ReceiptHandle }));
    const attributes = async () =>
      (await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
        .Attributes!;
    expect((await attributes()).ApproximateNumberOfMessagesNotVisible).toBe('1');
    await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: second!.ReceiptHandle }));
    expect(await attributes()).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('delays a message sent with DelaySeconds, and postpones one with ChangeMessageVisibility', async () => {
    const url = await queue('delays');
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 6 }));
    expect(await receive(url)).toEqual([]);
    await sleepSeconds(7);
    const [message] = await receive(url, { VisibilityTimeout: 60 });
    expect(message!.Body).toBe('later');
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: message!.ReceiptHandle,
        VisibilityTimeout: 6,
      }),
    );
    await sleepSeconds(3);
    expect(await receive(url)).toEqual([]);
    await sleepSeconds(5);
    expect((await receive(url))[0]!.Attributes!.ApproximateReceiveCount).toBe('2');
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: url,
          ReceiptHandle: message!.ReceiptHandle,
          VisibilityTimeout: 1,
        }),
      ),
    ).rejects.toThrow(/not in flight/);
  });

  it('moves a message to the dead-letter queue after maxReceiveCount receives', async () => {
    const deadLetters = await queue('dead-letters');
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: deadLetters, AttributeNames: ['QueueArn'] }),
    );
    const url = await queue('redriven', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 3 }),
    });
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
    for (let receiveCount = 1; receiveCount <= 3; receiveCount++) {
      const [message] = await receive(url);
      expect(message!.Attributes!.ApproximateReceiveCount).toBe(String(receiveCount));
      await sleepSeconds(2);
    }
    expect(await receive(url)).toEqual([]);
    const [dead] = await receive(deadLetters);
    expect(dead).toMatchObject({ Body: 'poison', Attributes: { ApproximateReceiveCount: '4' } });
  });

  it('deletes a batch of received messages in one request, skipping a handle received again since', async () => {
    const url = await queue('batch-delete', { VisibilityTimeout: '2' });
    for (let n = 0; n < 4; n++)
      await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${n}` }));
    const first = await receive(url);
    expect(first).toHaveLength(4);
    await sleepSeconds(3);
    // m0 is received again: its first handle is outdated.
    const { Messages: [again] = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1, VisibilityTimeout: 60 }),
    );
    expect(again!.Body).toBe('m0');
    const answer = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: first.map((message, n) => ({ Id: `e${n}`, ReceiptHandle: message.ReceiptHandle })),
      }),
    );
    expect(answer.Successful!.map((entry) => entry.Id)).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(answer.Failed ?? []).toEqual([]);
    const attributes = (
      await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))
    ).Attributes!;
    expect(attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '1',
    });
    await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: 'again', ReceiptHandle: again!.ReceiptHandle }],
      }),
    );
    await sleepSeconds(3);
    expect(await receive(url)).toEqual([]);
    await expect(
      client.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: [] })),
    ).rejects.toMatchObject({ name: 'EmptyBatchRequest' });
    await expect(
      client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: url,
          Entries: [
            { Id: 'same', ReceiptHandle: 'a#b' },
            { Id: 'same', ReceiptHandle: 'c#d' },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: 'BatchEntryIdsNotDistinct' });
  });

  it('ends a long poll whose caller hung up: a message sent afterwards stays visible for the next receive', async () => {
    const url = await queue('hung-up');
    const hangUp = new AbortController();
    const abandoned = client
      .send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 20 }), { abortSignal: hangUp.signal })
      .catch((error: Error) => error.name);
    await new Promise((resolve) => setTimeout(resolve, 100));
    hangUp.abort();
    expect(await abandoned).toBe('AbortError');
    await new Promise((resolve) => setTimeout(resolve, 100));
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'after the hang-up' }));
    expect((await receive(url)).map((message) => message.Body)).toEqual(['after the hang-up']);
  });

  it('answers SQS errors the SDK understands', async () => {
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/missing`, MessageBody: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});

describe('local SQS kept in a folder', () => {
  const clientOf = (endpoint: string) =>
    new SQSClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });

  it('finds every acknowledged message after a restart that never closed the first run, as it was', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cgw-sqs-'));
    // The first run is abandoned, never closed: what a kill leaves.
    const first = await startLocalSqs({ secondsScale: SCALE, dataDir: folder });
    const before = clientOf(first.endpoint);
    const { QueueUrl: dlq } = await before.send(new CreateQueueCommand({ QueueName: 'kept-dlq' }));
    const { Attributes } = await before.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ['QueueArn'] }),
    );
    const { QueueUrl: url } = await before.send(
      new CreateQueueCommand({
        QueueName: 'kept',
        Attributes: {
          VisibilityTimeout: '60',
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 2 }),
        },
      }),
    );
    for (let n = 1; n <= 50; n++)
      await before.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `{"operationId":"op_${n}"}` }));
    await before.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'delayed', DelaySeconds: 900 }));
    // Ten received (in flight), five of them deleted: 45 remain, 5 of them invisible for now (for 3 s: a slow
    // restart on a busy machine must not see them visible again before it counts).
    const { Messages: received = [] } = await before.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }),
    );
    expect(received).toHaveLength(10);
    for (const message of received.slice(0, 5))
      await before.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));

    const second = await startLocalSqs({ secondsScale: SCALE, dataDir: folder });
    const after = clientOf(second.endpoint);
    try {
      const { QueueUrl: again } = await after.send(new CreateQueueCommand({ QueueName: 'kept' }));
      expect(new URL(again!).pathname).toBe(new URL(url!).pathname);
      const counts = async () =>
        (await after.send(new GetQueueAttributesCommand({ QueueUrl: again, AttributeNames: ['All'] })))
          .Attributes!;
      expect(await counts()).toMatchObject({
        ApproximateNumberOfMessages: '40',
        ApproximateNumberOfMessagesNotVisible: '5',
        ApproximateNumberOfMessagesDelayed: '1',
        VisibilityTimeout: '60',
      });
      const bodies = new Set<string>();
      const receiveCounts = new Map<string, string>();
      for (const until = Date.now() + 10_000; bodies.size < 45 && Date.now() < until;) {
        const { Messages = [] } = await after.send(
          new ReceiveMessageCommand({
            QueueUrl: again,
            MaxNumberOfMessages: 10,
            MessageSystemAttributeNames: ['All'],
            VisibilityTimeout: 600,
          }),
        );
        for (const message of Messages) {
          bodies.add(message.Body!);
          receiveCounts.set(message.Body!, message.Attributes!.ApproximateReceiveCount!);
        }
      }
      const deleted = new Set(received.slice(0, 5).map((message) => message.Body));
      const inFlight = received.slice(5).map((message) => message.Body!);
      expect(bodies.size).toBe(45);
      for (let n = 1; n <= 50; n++) {
        const body = `{"operationId":"op_${n}"}`;
        expect(bodies.has(body), body).toBe(!deleted.has(body));
      }
      // The ones in flight at the stop come back after their visibility timeout, received once more.
      for (const body of inFlight) expect(receiveCounts.get(body)).toBe('2');
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('drops a torn last line (a write the process died in), and keeps the rest', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'cgw-sqs-'));
    const first = await startLocalSqs({ dataDir: folder });
    const before = clientOf(first.endpoint);
    const { QueueUrl: url } = await before.send(new CreateQueueCommand({ QueueName: 'torn' }));
    await before.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept' }));
    await first.close();
    const journal = join(folder, 'journal.ndjson');
    expect(readFileSync(journal, 'utf8')).toContain('"kept"');
    appendFileSync(journal, '{"op":"put","queue":"torn","message":{"id":"x","bo');

    const second = await startLocalSqs({ dataDir: folder });
    try {
      const after = clientOf(second.endpoint);
      const { QueueUrl: again } = await after.send(new CreateQueueCommand({ QueueName: 'torn' }));
      const { Messages = [] } = await after.send(
        new ReceiveMessageCommand({ QueueUrl: again, MaxNumberOfMessages: 10 }),
      );
      expect(Messages.map((message) => message.Body)).toEqual(['kept']);
      // The journal was rewritten whole at the start.
      expect(readFileSync(journal, 'utf8')).not.toContain('"id":"x"');
    } finally {
      await second.close();
    }
  });
});
