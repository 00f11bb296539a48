/** The deliveries queue and its dead-letter queue on the local SQS, as the CDK stack makes them. */
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  DELIVERIES_MAX_RECEIVES,
  DELIVERIES_VISIBILITY_TIMEOUT_SECONDS,
} from '../shared/webhooks-out/delivery';

export interface LocalDeliveriesQueues {
  deliveriesQueueUrl: string;
  deliveriesQueueArn: string;
  deliveriesDeadLetterQueueUrl: string;
}

export async function createDeliveriesQueues(client: SQSClient): Promise<LocalDeliveriesQueues> {
  const arnOf = async (queueUrl: string) =>
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
  const { QueueUrl: deliveriesDeadLetterQueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: 'concur-gateway-deliveries-dlq' }),
  );
  const { QueueUrl: deliveriesQueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: 'concur-gateway-deliveries',
      Attributes: {
        VisibilityTimeout: String(DELIVERIES_VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(deliveriesDeadLetterQueueUrl!),
          maxReceiveCount: DELIVERIES_MAX_RECEIVES,
        }),
      },
    }),
  );
  return {
    deliveriesQueueUrl: deliveriesQueueUrl!,
    deliveriesQueueArn: await arnOf(deliveriesQueueUrl!),
    deliveriesDeadLetterQueueUrl: deliveriesDeadLetterQueueUrl!,
  };
}
