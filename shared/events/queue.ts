/**
 * The gateway's queues (events, webhook deliveries): SQS on AWS, the local stand-in (local/sqs.ts) on one machine,
 * through the same client. `M` is the JSON body of the queue's messages.
 */
import { ChangeMessageVisibilityCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** The body of a message the gateway itself queues: the operation record holds the rest. */
export interface OperationMessage {
  operationId: string;
}

export interface EventQueue<M = OperationMessage> {
  send(message: M): Promise<void>;
  /** Keeps a received message invisible for `seconds`: its next receive is then. */
  retryLater(receiptHandle: string, seconds: number): Promise<void>;
}

export class SqsEventQueue<M = OperationMessage> implements EventQueue<M> {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: M): Promise<void> {
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    );
  }

  async retryLater(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
