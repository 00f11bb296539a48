/**
 * `POST /v1/concur/events`: ESS deliveries. The `Concur-Signature` must verify with one of Concur's configured
 * keys over the raw body (else 401, counted: ESS retries a 401, so a key rotation the gateway missed loses
 * nothing for 72 hours); the event is then queued and answered 202 well within ESS's time limit. An event of
 * another topic or type is acknowledged and ignored; a signed body that is no itinerary event is 400 (ESS does not
 * retry it: it could never be applied). Nothing is read from Concur or the tables here: an event the gateway
 * cannot apply yet is applied later from the queue, never refused.
 */
import type { KeyObject } from 'node:crypto';
import type { EventQueue } from '../events/queue';
import { validated } from '../gateway/errors';
import type { HttpAnswer, RouteRequest } from '../http/http-function';
import { parseJsonBody } from '../http/json-body';
import { HttpProblem } from '../http/problem-responses';
import type { CountEvent } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import { CONCUR_SIGNATURE_HEADER, isSignedByConcur } from './ess-signature';
import { changeKindOf, itineraryEventSchema } from './itinerary-event';
import type { ChangeNotice } from './ports';

export interface ConcurEventIntake {
  /** Concur's public keys (CONCUR_ESS_PUBLIC_KEYS). */
  keys: readonly KeyObject[];
  queue: EventQueue<ChangeNotice>;
  count: CountEvent;
}

export async function receiveConcurEvent(
  intake: ConcurEventIntake,
  request: RouteRequest,
): Promise<HttpAnswer> {
  const body = request.rawBody ?? '';
  if (!isSignedByConcur(intake.keys, body, request.headers[CONCUR_SIGNATURE_HEADER])) {
    intake.count(GATEWAY_METRICS.essSignatureFailures);
    throw new HttpProblem(
      401,
      'invalid-signature',
      'Signature not valid',
      'the Concur-Signature header is missing or does not verify with the configured Concur public key',
    );
  }
  const event = validated(itineraryEventSchema, parseJsonBody(body), 'the itinerary event');
  const kind = changeKindOf(event);
  if (!kind) return { status: 200, body: { ignored: event.id } };
  await intake.queue.send({
    eventId: event.id,
    companyId: event.facts.companyId,
    v4TripId: event.facts.id,
    kind,
    ...(event.correlationId ? { correlationId: event.correlationId } : {}),
  });
  intake.count(GATEWAY_METRICS.concurEventsReceived);
  return { status: 202, body: { accepted: event.id } };
}
