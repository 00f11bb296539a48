/**
 * An operation that ended (a partner event, a `Prefer: respond-async` request) told to its supplier:
 * `operation.succeeded`, `operation.parked` or `operation.failed`, whose `data` is the operation as
 * `GET /v1/operations/{id}` shows it. A `skipped` operation (an update older than what Concur already has) is
 * not told: the newer state it lost to was. The message id comes from the operation and the moment it ended,
 * so telling the same ending twice (a redelivered queue message) sends nothing twice, and a replayed operation
 * that ends again is a new message.
 */
import { operationView } from '../events/ingress';
import type { OperationRecord } from '../events/operations';
import type { SupplierEventType } from './event-types';
import { messageIdOf } from './message-ids';
import type { SupplierEventPublisher } from './publisher';

const EVENT_OF_STATUS: Partial<Record<OperationRecord['status'], SupplierEventType>> = {
  succeeded: 'operation.succeeded',
  parked: 'operation.parked',
  failed: 'operation.failed',
};

export const operationMessageId = (operation: OperationRecord) =>
  messageIdOf(operation.id, operation.status, operation.updatedAt);

/** Tells the operation's supplier how it ended; `origin` is the API's base URL, for the operation's href. */
export async function announceOperation(
  publisher: SupplierEventPublisher,
  operation: OperationRecord,
  origin: string,
): Promise<void> {
  const type = EVENT_OF_STATUS[operation.status];
  if (!type) return;
  await publisher.publish(
    operation.supplierId,
    { type, data: { operation: operationView(operation, origin) } },
    { messageId: operationMessageId(operation), occurredAt: new Date(operation.updatedAt) },
  );
}

/** Forgets the bodies of the operation's delivered announcements, at each endpoint its supplier has. */
export async function forgetOperationAnnouncements(
  endpoints: { listOf(supplierId: string): Promise<{ id: string }[]> },
  messages: { forgetDelivered(endpointId: string, id: string): Promise<void> },
  operation: OperationRecord,
): Promise<void> {
  const messageId = operationMessageId(operation);
  for (const endpoint of await endpoints.listOf(operation.supplierId))
    await messages.forgetDelivered(endpoint.id, messageId);
}
