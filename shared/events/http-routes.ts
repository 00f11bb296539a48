/**
 * The HTTP side of partner events: the signed webhook route and `GET /v1/operations/{operationId}`. A webhook
 * is checked as the synchronous route would check its command before it is accepted, so a 202 means the
 * operation is recorded and queued.
 */
import { GatewayError } from '../gateway/errors';
import type { Supplier } from '../gateway/ports';
import type { HttpAnswer, RouteRequest } from '../http/http-function';
import { HttpProblem } from '../http/problem-responses';
import { parseJsonBody } from '../http/json-body';
import { validateCommand } from './commands';
import type { EventIngress } from './ingress';
import type { DynamoOperations } from './operations';
import type { WebhookSecrets } from './webhooks';
import { commandOf, parseEnvelope } from './envelope';
import { operationView } from './ingress';
import { isAuthentic, SUPPLIER_ID_PATTERN } from './webhooks';
import { acceptedAnswer } from './respond-async';

const MAX_EVENT_ID_LENGTH = 256;
const OPERATION_ID_PATTERN = /^op_[0-9a-f]{26}$/;

const unauthenticated = () =>
  new HttpProblem(
    401,
    'invalid-signature',
    'Signature not valid',
    'the webhook-signature does not match a current secret of this endpoint, or webhook-timestamp is more than 5 minutes away',
  );

/** What accepts partner events and answers for their operations (the events HTTP function). */
export interface EventIntake {
  ingress: EventIngress;
  operations: DynamoOperations;
  webhookSecrets: WebhookSecrets;
  supplierOf(supplierId: string): Promise<Supplier | undefined>;
}

export async function receiveWebhook(events: EventIntake, request: RouteRequest): Promise<HttpAnswer> {
  const supplierId = request.pathParameters.supplierId ?? '';
  const body = request.rawBody ?? '';
  if (!SUPPLIER_ID_PATTERN.test(supplierId)) throw unauthenticated();
  const secrets = await events.webhookSecrets.secretsOf(supplierId);
  if (!isAuthentic(secrets, body, request.headers)) throw unauthenticated();
  const supplier = await events.supplierOf(supplierId);
  if (!supplier) throw unauthenticated();
  const eventId = request.headers['webhook-id']!;
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    throw new GatewayError('validation', 'the webhook-id is too long', [
      { path: 'webhook-id', message: `at most ${MAX_EVENT_ID_LENGTH} characters` },
    ]);
  }
  const envelope = parseEnvelope(parseJsonBody(body));
  const command = commandOf(envelope);
  validateCommand(supplier, command, 'data.');
  const { operation, outcome } = await events.ingress.accept({
    supplierId,
    trigger: 'webhook',
    eventId,
    type: envelope.type,
    command,
  });
  if (outcome === 'reused') {
    throw new HttpProblem(
      409,
      'webhook-id-reused',
      'webhook-id already used for another event',
      `the webhook-id was first delivered with other content (operation ${operation.id}); a new event needs a new webhook-id, a redelivery the same body`,
    );
  }
  return acceptedAnswer(operation, request.origin);
}

export async function getOperation(
  events: Pick<EventIntake, 'operations'>,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const id = request.pathParameters.operationId ?? '';
  const record = OPERATION_ID_PATTERN.test(id) ? await events.operations.get(id) : undefined;
  // Another supplier's operation is as absent as one that never existed.
  if (!record || record.supplierId !== request.supplier!.id)
    throw new GatewayError('not-found', `no operation ${id.slice(0, 64)}`);
  return { status: 200, body: { operation: operationView(record, request.origin) } };
}
