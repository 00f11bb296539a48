/**
 * The local SQS stand-in, through the real @aws-sdk/client-sqs (which also checks every message's MD5): the
 * semantics the events processor relies on. Seconds are scaled down (1 s lasts 50 ms) to keep this quick.
 */
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
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

  it('answers SQS errors the SDK understands', async () => {
    await expect(
      client.send(
        new SendMessageCommand({ QueueUrl: `${sqs.endpoint}/000000000000/missing`, MessageBody: 'x' }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
  });
});
