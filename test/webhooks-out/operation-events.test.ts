/**
 * Operation events: the processor tells the supplier how an operation ended, once per ending, even when the
 * attempt that ended it stopped before telling (the queue message comes back and finds the operation final).
 */
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UseCases } from '../../shared/events/commands';
import { operationView } from '../../shared/events/ingress';
import { DynamoOperations } from '../../shared/events/operations';
import type { OperationRecord } from '../../shared/events/operations';
import { DEFAULT_EVENT_RETRY, EventProcessor } from '../../shared/events/processor';
import { GatewayError } from '../../shared/gateway/errors';
import type { Supplier } from '../../shared/gateway/ports';
import { DynamoWebhookEndpoints, newEndpointId } from '../../shared/webhooks-out/endpoints';
import { DynamoWebhookMessages } from '../../shared/webhooks-out/messages';
import { announceOperation, operationMessageId } from '../../shared/webhooks-out/operation-events';
import { WebhookPublisher } from '../../shared/webhooks-out/publisher';
import type { DeliveryMessage } from '../../shared/webhooks-out/publisher';
import { createTestTables, startTestDynalite } from '../support/dynalite';
import type { TestDynalite } from '../support/dynalite';

let dynamo: TestDynalite;
let tableName: string;

beforeAll(async () => {
  dynamo = await startTestDynalite();
  ({ state: tableName } = await createTestTables(dynamo, 'operation-events'));
});
afterAll(() => dynamo.close());

const supplier = { id: 'acme' } as Supplier;
const ORIGIN = 'https://api.example.com';

describe('operation events', () => {
  it('are told once per ending: a telling cut off is made when the message comes back, never twice', async () => {
    const options = { client: dynamo.client, tableName };
    const operations = new DynamoOperations(options);
    const endpoints = new DynamoWebhookEndpoints(options);
    const messages = new DynamoWebhookMessages(options);
    const endpoint = await endpoints.create({
      id: newEndpointId(),
      supplierId: supplier.id,
      url: 'https://hooks.example.com/',
      eventTypes: [],
    });
    // Another supplier's endpoint hears nothing of it.
    const other = await endpoints.create({
      id: newEndpointId(),
      supplierId: 'other',
      url: 'https://other.example.com/',
      eventTypes: [],
    });
    const queued: DeliveryMessage[] = [];
    const publisher = new WebhookPublisher({
      endpoints,
      messages,
      queue: { send: async (message) => void queued.push(message), retryLater: async () => undefined },
    });
    let cutOff = true;
    const told: OperationRecord[] = [];
    const processor = new EventProcessor({
      operations,
      queue: { send: async () => undefined, retryLater: async () => undefined },
      useCases: {
        // A change the supplier may not make: the operation ends failed.
        bookings: { put: () => Promise.reject(new GatewayError('forbidden', 'not this supplier’s company')) },
      } as unknown as UseCases,
      supplierOf: async (id) => (id === supplier.id ? supplier : undefined),
      eventSources: {},
      retry: DEFAULT_EVENT_RETRY,
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
      announce: async (operation) => {
        told.push(operation);
        if (cutOff) {
          cutOff = false;
          throw new Error('the deliveries queue did not answer');
        }
        await announceOperation(publisher, operation, ORIGIN);
      },
    });
    await operations.create({
      id: 'op_announced',
      supplierId: supplier.id,
      trigger: 'api',
      eventId: 'e1',
      type: 'putBooking',
      status: 'accepted',
      command: { kind: 'putBooking', companyId: 'co-1', confirmationNumber: 'C1', body: {} },
    });
    const record = {
      messageId: 'm1',
      receiptHandle: 'r1',
      body: JSON.stringify({ operationId: 'op_announced' }),
      attributes: { ApproximateReceiveCount: '1' },
    } as unknown as SQSRecord;

    await expect(processor.process(record)).rejects.toThrow(/did not answer/);
    expect((await operations.get('op_announced'))!.status).toBe('failed');
    expect(queued).toEqual([]);

    await processor.process(record);
    await processor.process(record);
    const ended = (await operations.get('op_announced'))!;
    expect(queued).toEqual([
      { supplierId: supplier.id, endpointId: endpoint.id, messageId: operationMessageId(ended) },
    ]);
    const message = await messages.get(endpoint.id, operationMessageId(ended));
    expect(JSON.parse(message!.body)).toEqual({
      type: 'operation.failed',
      timestamp: ended.updatedAt,
      livemode: true,
      data: { operation: operationView(ended, ORIGIN) },
    });
    expect(await messages.get(other.id, operationMessageId(ended))).toBeUndefined();
    expect(told).toHaveLength(3);
  });
});
