/**
 * `Prefer: respond-async` on a write route: the request is checked as the synchronous route would check it, then
 * recorded and queued as an operation, and answered 202. Apart from the webhook route, so that the supplier
 * functions carry neither the event envelope's schemas nor the webhook signature check.
 */
import { randomUUID } from 'node:crypto';
import { travelerReferenceOf } from '../gateway/api-contract';
import { parseCancelRequest } from '../gateway/bookings';
import { GatewayError } from '../gateway/errors';
import type { Supplier } from '../gateway/ports';
import type { HttpAnswer, RouteRequest } from '../http/http-function';
import { HttpProblem } from '../http/problem-responses';
import { EVENT_MAX_BODY_BYTES } from '../http/route-definition';
import { validateCommand } from './commands';
import type { Command } from './envelope';
import type { EventIngress } from './ingress';
import type { OperationRecord } from './operations';

const tooLarge = () =>
  new HttpProblem(
    413,
    'too-large',
    'Body too large',
    `a request answered asynchronously may have at most ${EVENT_MAX_BODY_BYTES} bytes`,
  );

/** The 202 of an accepted operation: where to ask for its outcome. */
export function acceptedAnswer(
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

/** The command a write route runs, from its path and body. */
function commandOfRoute(operationId: string, request: RouteRequest): Command {
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
      const { traveler, dateModifiedUtc } = parseCancelRequest(body);
      return {
        kind: 'cancelBooking',
        companyId: p.companyId!,
        confirmationNumber: p.confirmationNumber!,
        ...(traveler ? { traveler: travelerReferenceOf(traveler) } : {}),
        ...(dateModifiedUtc ? { dateModifiedUtc } : {}),
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
  events: { ingress: EventIngress },
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
  return acceptedAnswer(operation, request.origin, { 'preference-applied': 'respond-async' });
}
