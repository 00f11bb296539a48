/**
 * The outbound webhooks side of the composition: the suppliers' endpoints and their secrets, messages and
 * attempts, the deliveries queue (DELIVERIES_QUEUE_URL), the publisher every part of the gateway tells suppliers
 * through, and the delivery worker. WEBHOOK_ALLOW_LOOPBACK (set by the local default only) lets endpoints be
 * http://127.0.0.1 and http://localhost; WEBHOOK_RETRY_SCHEDULE replaces the retries' delays.
 */
import { liveSupplierIdOf } from '../sandbox';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoRateLimiter } from '../adapters/dynamodb/rate-window';
import { SqsEventQueue } from '../events/queue';
import type { OperationRecord } from '../events/operations';
import { WebhookSecrets } from '../events/webhooks';
import { DEFAULT_SECRET_PREFIX } from '../tokens/company-credentials';
import { DEFAULT_ENDPOINT_RATE_PER_SECOND, DeliveryWorker } from '../webhooks-out/delivery';
import { DynamoWebhookEndpoints, ENDPOINT_ID_PATTERN } from '../webhooks-out/endpoints';
import type { WebhookEndpointServices } from '../webhooks-out/http-routes';
import { HttpWebhookSender } from '../webhooks-out/http-sender';
import { DynamoWebhookMessages } from '../webhooks-out/messages';
import { announceOperation } from '../webhooks-out/operation-events';
import { WebhookPublisher } from '../webhooks-out/publisher';
import type { DeliveryMessage } from '../webhooks-out/publisher';
import { retryDelaysFromEnv } from '../webhooks-out/retry-schedule';
import { STRICT_URL_POLICY } from '../webhooks-out/url-rules';
import type { UrlPolicy } from '../webhooks-out/url-rules';
import { SUPPLIER_ID_PATTERN } from '../events/webhooks';
import { secretStore } from './concur';
import { once, requiredEnv } from './container';
import { dynamoDbClient, stateTableName } from './dynamodb';
import { gatewayLogger, gatewayMetrics } from './logging';

export const webhookUrlPolicy = (): UrlPolicy =>
  process.env.WEBHOOK_ALLOW_LOOPBACK === 'true' ? { allowLoopback: true } : STRICT_URL_POLICY;

export const webhookEndpoints = (): DynamoWebhookEndpoints =>
  once(
    'webhookEndpoints',
    () => new DynamoWebhookEndpoints({ client: dynamoDbClient(), tableName: stateTableName() }),
  );

export const webhookMessages = (): DynamoWebhookMessages =>
  once(
    'webhookMessages',
    () => new DynamoWebhookMessages({ client: dynamoDbClient(), tableName: stateTableName() }),
  );

/**
 * Each endpoint's signing secrets: `{prefix}/suppliers/{supplierId}/endpoints/{endpointId}`, where a test key's
 * endpoints are its sandbox principal's (`{supplierId}/test`, a name no live supplier can take).
 */
export const endpointSecrets = (): WebhookSecrets =>
  once('endpointSecrets', () => {
    const prefix = process.env.SECRET_PREFIX || DEFAULT_SECRET_PREFIX;
    return new WebhookSecrets({
      store: secretStore(),
      prefix,
      secretIdOf: (key) => {
        const at = key.lastIndexOf('/');
        const supplierId = key.slice(0, Math.max(0, at));
        const endpointId = key.slice(at + 1);
        return SUPPLIER_ID_PATTERN.test(liveSupplierIdOf(supplierId) ?? supplierId) &&
          ENDPOINT_ID_PATTERN.test(endpointId)
          ? `${prefix}/suppliers/${supplierId}/endpoints/${endpointId}`
          : undefined;
      },
    });
  });

export const deliveriesQueue = (): SqsEventQueue<DeliveryMessage> =>
  once('deliveriesQueue', () => new SqsEventQueue(new SQSClient({}), requiredEnv('DELIVERIES_QUEUE_URL')));

export const webhookPublisher = (): WebhookPublisher =>
  once(
    'webhookPublisher',
    () =>
      new WebhookPublisher({
        endpoints: webhookEndpoints(),
        messages: webhookMessages(),
        queue: deliveriesQueue(),
      }),
  );

/** Tells an operation's supplier how it ended; API_BASE_URL is the origin of the operation's href. */
export const operationAnnouncer = (): ((operation: OperationRecord) => Promise<void>) => (operation) =>
  announceOperation(webhookPublisher(), operation, requiredEnv('API_BASE_URL'));

export const webhookEndpointServices = (): WebhookEndpointServices => ({
  endpoints: webhookEndpoints(),
  messages: webhookMessages(),
  secrets: endpointSecrets(),
  publisher: webhookPublisher(),
  urlPolicy: webhookUrlPolicy(),
});

export const deliveryWorker = (): DeliveryWorker =>
  once(
    'deliveryWorker',
    () =>
      new DeliveryWorker({
        endpoints: webhookEndpoints(),
        messages: webhookMessages(),
        secrets: endpointSecrets(),
        sender: new HttpWebhookSender({ policy: webhookUrlPolicy() }),
        queue: deliveriesQueue(),
        limiter: new DynamoRateLimiter({
          client: dynamoDbClient(),
          tableName: stateTableName(),
          limitsOf: () => ({
            perMinute: 60 * Number(process.env.WEBHOOK_RATE_PER_SECOND ?? DEFAULT_ENDPOINT_RATE_PER_SECOND),
          }),
          // A short wait within the batch; beyond it the message is postponed a second.
          maxWaitMs: 2_000,
        }),
        retryDelaysSeconds: retryDelaysFromEnv(process.env.WEBHOOK_RETRY_SCHEDULE),
        logger: gatewayLogger(),
        metrics: gatewayMetrics(),
      }),
  );
