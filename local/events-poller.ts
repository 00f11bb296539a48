/**
 * What Lambda's SQS event source mapping does, on one machine: workers long-poll the events queue, hand each
 * batch to the processor function's handler as an SQS event, and delete the messages it did not report as
 * failures (one DeleteMessageBatch). A reported failure stays on the queue and comes back when its visibility timeout ends.
 */
import { randomUUID } from 'node:crypto';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface EventPollerOptions {
  client: SQSClient;
  queueUrl: string;
  queueArn: string;
  handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
  /** Concurrent batches, like the event source's maximum concurrency. */
  workers: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

export interface EventPoller {
  stop(): Promise<void>;
}

export function startEventPoller(options: EventPollerOptions): EventPoller {
  let running = true;
  const stopping = new AbortController();
  const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  const toRecord = (message: Message): SQSRecord => ({
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? '1',
      SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp:
        message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: 'us-east-1',
  });

  const context = (): Context =>
    ({
      functionName: 'processor',
      functionVersion: '$LATEST',
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => 60_000,
    }) as Context;

  const worker = async () => {
    while (running) {
      try {
        const { Messages = [] } = await options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            // The longest poll SQS allows, as Lambda's event source mapping polls: an idle worker asks once in
            // 20 s instead of every second; stopping hangs up on the poll instead of waiting it out.
            WaitTimeSeconds: 20,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: stopping.signal },
        );
        if (Messages.length === 0) continue;
        const records = Messages.map(toRecord);
        const { batchItemFailures } = await options.handler({ Records: records }, context());
        const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
        const done = records.filter((record) => !failed.has(record.messageId));
        // One request for the batch, as the event source mapping deletes them.
        if (done.length > 0) {
          await options.client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((record, index) => ({
                Id: String(index),
                ReceiptHandle: record.receiptHandle,
              })),
            }),
          );
        }
      } catch (error) {
        if (!running) return;
        // Like a failed invocation: the batch's messages come back after their visibility timeout.
        options.onError?.(error);
        await pause(100);
      }
    }
  };

  const loops = Array.from({ length: options.workers }, () => worker());
  return {
    stop: async () => {
      running = false;
      stopping.abort();
      await Promise.all(loops);
    },
  };
}
