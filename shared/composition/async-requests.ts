/**
 * What a write route needs to answer `Prefer: respond-async`: operation records and the events queue (endpoint
 * from AWS_ENDPOINT_URL_SQS when the local default sets it). Apart from the rest of the events composition, so
 * the supplier functions carry neither the processor nor the webhook checks.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { EventIngress } from '../events/ingress';
import { DynamoOperations } from '../events/operations';
import { SqsEventQueue } from '../events/queue';
import { respondAsync } from '../events/respond-async';
import type { HttpDependencies } from '../http/http-function';
import { once, requiredEnv } from './container';
import { dynamoDbClient, stateTableName, supplierRouteDependencies } from './dynamodb';

export const operations = (): DynamoOperations =>
  once('operations', () => new DynamoOperations({ client: dynamoDbClient(), tableName: stateTableName() }));

export const eventsQueue = (): SqsEventQueue =>
  once('queue', () => new SqsEventQueue(new SQSClient({}), requiredEnv('EVENTS_QUEUE_URL')));

/** What accepts events: webhooks and `Prefer: respond-async` requests become operations on the queue. */
export const eventIngress = (): EventIngress =>
  once('ingress', () => new EventIngress({ operations: operations(), queue: eventsQueue() }));

/** What write routes that may respond asynchronously need around their use cases. */
export const asyncSupplierRouteDependencies = (): HttpDependencies => ({
  ...supplierRouteDependencies(),
  respondAsync: (operationId, request, supplier) =>
    respondAsync({ ingress: eventIngress() }, operationId, request, supplier),
});
