/**
 * The HTTP side of events: the signed webhook route, `GET /v1/operations/{operationId}`, and the answer of a
 * write route under `Prefer: respond-async`. Each checks what the synchronous route would check before it
 * accepts anything, so a 202 means the operation is recorded and queued.
 */
import { randomUUID } from 'node:crypto';
import { travelerReferenceOf } from '../gateway/api-contract';
import { parseCancelRequest } from '../gateway/bookings';
import { GatewayError } from '../gateway/errors';
import type { Supplier } from '../gateway/ports';
import type { HttpAnswer, RouteRequest } from '../http/http-function';
import { HttpProblem } from '../http/problem-responses';
import { EVENT_MAX_BODY_BYTES } from '../http/routes';
import { validateCommand } from './commands';
import type { EventIngress } from './ingress';
import type { DynamoOperations } from './operations';
import type { WebhookSecrets } from './webhooks';
import { commandOf, parseEnvelope } from './envelope';
import type { Command } from './envelope';
import { operationView } from './ingress';
import type { OperationRecord } from './operations';
import { isAuthentic, SUPPLIER_ID_PATTERN } from './webhooks';

const MAX_EVENT_ID_LENGTH = 256;
const OPERATION_ID_PATTERN = /^op_[0-9a-f]{26}$/;

const unauthenticated = () =>
  new HttpProblem(
    401,
    'invalid-signature',
    'Signature not valid',
    'the webhook-signature does not match a current secret of this endpoint, or webhook-timestamp is more than 5 minutes away',
  );

const tooLarge = () =>
  new HttpProblem(
    413,
    'too-large',
    'Body too large',
    `a request answered asynchronously may have at most ${EVENT_MAX_BODY_BYTES} bytes`,
  );

function accepted(
  operation: OperationRecord,
  origin: string,
  headers: Record<string, string> = {},
): HttpAnswer {
  const href = `${origin}/v1/operations/${operation.id}`;
  return {
    status: 202,
    headers: { location: href, ...headers },
    body: { operation: { id: operation.id, status: operation.status, href } },
  };
}

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
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch (error) {
    throw new HttpProblem(400, 'invalid-json', 'The body is not JSON', (error as Error).message);
  }
  const envelope = parseEnvelope(payload);
  const command = commandOf(envelope);
  validateCommand(supplier, command, 'data.');
  const { operation } = await events.ingress.accept({
    supplierId,
    trigger: 'webhook',
    eventId,
    type: envelope.type,
    command,
  });
  return accepted(operation, request.origin);
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

/** The command a write route runs, from its path and body. */
export function commandOfRoute(operationId: string, request: RouteRequest): Command {
  const p = request.pathParameters;
  const body = request.body;
  const object = (typeof body === 'object' && body !== null && !Array.isArray(body) ? body : undefined) as
    Record<string, unknown> | undefined;
  const requireObject = () => {
    if (!object)
      throw new GatewayError('validation', 'the body must be a JSON object', [
        { path: '', message: 'expected an object' },
      ]);
    return object;
  };
  switch (operationId) {
    case 'putBooking':
      return {
        kind: 'putBooking',
        companyId: p.companyId!,
        confirmationNumber: p.confirmationNumber!,
        body: requireObject(),
      };
    case 'cancelBooking': {
      const traveler = parseCancelRequest(body).traveler;
      return {
        kind: 'cancelBooking',
        companyId: p.companyId!,
        confirmationNumber: p.confirmationNumber!,
        ...(traveler ? { traveler: travelerReferenceOf(traveler) } : {}),
      };
    }
    case 'createTrip':
      return { kind: 'createTrip', companyId: p.companyId!, body: requireObject() };
    case 'updateTrip':
      return { kind: 'updateTrip', companyId: p.companyId!, tripId: p.tripId!, body: requireObject() };
    case 'cancelTrip':
      return { kind: 'cancelTrip', companyId: p.companyId!, tripId: p.tripId! };
    default:
      throw new Error(`${operationId} cannot respond asynchronously`);
  }
}

/** `Prefer: respond-async` on a write route: validated now, applied from the queue, 202 with the operation. */
export async function respondAsync(
  events: Pick<EventIntake, 'ingress'>,
  operationId: string,
  request: RouteRequest,
  supplier: Supplier,
): Promise<HttpAnswer> {
  // The operation record keeps the request in one DynamoDB item: a trip's 1 MiB does not fit.
  if (request.rawBody !== undefined && Buffer.byteLength(request.rawBody) > EVENT_MAX_BODY_BYTES)
    throw tooLarge();
  const command = commandOfRoute(operationId, request);
  validateCommand(supplier, command);
  const { operation } = await events.ingress.accept({
    supplierId: supplier.id,
    trigger: 'api',
    eventId: randomUUID(),
    type: operationId,
    command,
  });
  return accepted(operation, request.origin, { 'preference-applied': 'respond-async' });
}
