/**
 * What the simulator sends back, before it touches a socket: a status, a body and its content type. Concur's
 * XML bodies are written by the document toolkit, so they come out in XSD order.
 */
import { buildConcurXml } from '../../../shared/concur';
import type { ConcurDocument } from '../../../shared/concur';
import { concurDateTime } from '../time';

export interface HttpAnswer {
  status: number;
  contentType: 'application/xml' | 'application/json';
  body: string;
  headers?: Record<string, string>;
}

export function xmlAnswer(document: ConcurDocument, status = 200): HttpAnswer {
  return { status, contentType: 'application/xml', body: buildConcurXml(document) };
}

export function jsonAnswer(value: unknown, status = 200): HttpAnswer {
  return { status, contentType: 'application/json', body: JSON.stringify(value) };
}

/** Concur's error body: `<Error><Message/><Server-Time/><Id/></Error>`; the Id is the correlation id. */
export function errorAnswer(status: number, message: string, now: Date, correlationId: string): HttpAnswer {
  return xmlAnswer({ error: { message, 'server-Time': concurDateTime(now), id: correlationId } }, status);
}

/** Booking cancel of an unknown booking (seeds 000, 001, 003): 404 and `<Status>NotFound</Status>`. */
export function notFoundStatusAnswer(): HttpAnswer {
  return xmlAnswer({ status: 'NotFound' }, 404);
}
