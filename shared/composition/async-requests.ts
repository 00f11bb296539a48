/**
 * What a write route needs to answer `Prefer: respond-async`: operation records and the events queue (endpoint
 * from AWS_ENDPOINT_URL_SQS when the local default sets it). Apart from the rest of the events composition, so
 * the supplier functions carry neither the processor nor the webhook checks.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventIngress } from '../events/ingress';
import { DEFAULT_SWEEP_AFTER_MS, DynamoOperations } from '../events/operations';
import { SqsEventQueue } from '../events/queue';
import { respondAsync } from '../events/respond-async';
import { OperationSweeper } from '../events/sweeper';
import type { HttpDependencies } from '../http/http-function';
import { once, requiredEnv } from './container';
import { dynamoDbClient, stateTableName, supplierRouteDependencies } from './dynamodb';
import { gatewayLogger, gatewayMetrics } from './logging';

export const operations = (): DynamoOperations =>
  once(
    'operations',
    () =>
      new DynamoOperations({
        client: dynamoDbClient(),
        tableName: stateTableName(),
        sweepAfterMs: process.env.EVENT_SWEEP_AFTER_SECONDS
          ? Number(process.env.EVENT_SWEEP_AFTER_SECONDS) * 1000
          : DEFAULT_SWEEP_AFTER_MS,
      }),
  );

export const eventsQueue = (): SqsEventQueue =>
  once('queue', () => new SqsEventQueue(new SQSClient({}), requiredEnv('EVENTS_QUEUE_URL')));

/** What queues again the operations left behind (on a schedule, and for a redelivery or a replay of one). */
export const operationSweeper = (): OperationSweeper =>
  once(
    'sweeper',
    () =>
      new OperationSweeper({
        operations: operations(),
        queue: eventsQueue(),
        logger: gatewayLogger(),
        metrics: gatewayMetrics(),
      }),
  );

/** What accepts events: webhooks and `Prefer: respond-async` requests become operations on the queue. */
export const eventIngress = (): EventIngress =>
  once(
    'ingress',
    () => new EventIngress({ operations: operations(), queue: eventsQueue(), sweeper: operationSweeper() }),
  );

/** What write routes that may respond asynchronously need around their use cases. */
export const asyncSupplierRouteDependencies = (): HttpDependencies => ({
  ...supplierRouteDependencies(),
  respondAsync: (operationId, request, supplier) =>
    respondAsync({ ingress: eventIngress() }, operationId, request, supplier),
});
