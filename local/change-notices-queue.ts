/** The change notices queue and its dead-letter queue on the local SQS, as the CDK stack makes them. */
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  CHANGE_NOTICES_MAX_RECEIVES,
  CHANGE_NOTICES_VISIBILITY_TIMEOUT_SECONDS,
} from '../shared/change-notices/ports';

export interface LocalChangeNoticesQueues {
  changeNoticesQueueUrl: string;
  changeNoticesQueueArn: string;
  changeNoticesDeadLetterQueueUrl: string;
}

export async function createChangeNoticesQueues(client: SQSClient): Promise<LocalChangeNoticesQueues> {
  const arnOf = async (queueUrl: string) =>
    (await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] })))
      .Attributes!.QueueArn!;
  const { QueueUrl: deadLetterQueueUrl } = await client.send(
    new CreateQueueCommand({ QueueName: 'concur-gateway-change-notices-dlq' }),
  );
  const { QueueUrl: queueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: 'concur-gateway-change-notices',
      Attributes: {
        VisibilityTimeout: String(CHANGE_NOTICES_VISIBILITY_TIMEOUT_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: await arnOf(deadLetterQueueUrl!),
          maxReceiveCount: CHANGE_NOTICES_MAX_RECEIVES,
        }),
      },
    }),
  );
  return {
    changeNoticesQueueUrl: queueUrl!,
    changeNoticesQueueArn: await arnOf(queueUrl!),
    changeNoticesDeadLetterQueueUrl: deadLetterQueueUrl!,
  };
}
