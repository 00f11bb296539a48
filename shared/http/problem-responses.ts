/**
 * Every failure the HTTP API answers, as RFC 9457 problem+json with a stable `type` per kind of problem, the
 * request id, field paths for validation errors, and Concur's status, message and correlation id upstream.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyInconsistentStateError,
  IdempotencyItemNotFoundError,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConcurDocumentError } from '../concur';
import { GatewayError } from '../gateway/errors';
import type { GatewayErrorKind } from '../gateway/errors';
import { MappingConflictError } from '../gateway/ports';
import { PROBLEM_CONTENT_TYPE, problemType } from '../problem';
import type { ProblemDetails } from '../problem';

/** A refusal decided by the HTTP layer itself (authentication, body parsing, unknown routes). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: string,
    readonly title: string,
    detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }
}

/** What the Concur client's errors carry (see shared/concur-client). */
interface UpstreamFailure {
  kind: string;
  status?: number;
  concurMessage?: string;
  correlationId?: string;
  attempts?: number;
  retryAfterSeconds?: number;
}

const isUpstreamFailure = (error: unknown): error is Error & UpstreamFailure =>
  error instanceof Error &&
  error.name === 'ConcurApiError' &&
  typeof (error as { kind?: unknown }).kind === 'string';

const GATEWAY_STATUS: Record<GatewayErrorKind, [number, string]> = {
  validation: [400, 'The request is not valid'],
  forbidden: [403, 'Not allowed'],
  'booking-source-mismatch': [403, 'Not your booking source'],
  'not-found': [404, 'Not found'],
  stale: [409, 'Stale update'],
  conflict: [409, 'Conflict'],
  busy: [409, 'Another change is in progress'],
  'unknown-traveler': [422, 'No such traveler at Concur'],
  'ambiguous-traveler': [422, 'Several travelers match at Concur'],
  'booking-source-not-approved': [422, 'Booking source not approved for the Concur app'],
  'traveler-lookup-unavailable': [422, 'Travelers cannot be looked up at this company'],
  'test-mode-only': [403, 'Test mode only'],
  'sandbox-unavailable': [502, 'The sandbox failed'],
};

/** Concur's failures after the client's retries: what the supplier can do about each. */
const UPSTREAM_STATUS: Record<string, [number, string, string]> = {
  'not-found': [404, 'concur-not-found', 'Concur does not know it'],
  'rate-limited': [429, 'concur-rate-limited', 'Concur asks to slow down'],
  unavailable: [503, 'concur-unavailable', 'Concur is unavailable'],
  'timed-out': [504, 'concur-timeout', 'Concur did not answer in time'],
  'outcome-unknown': [504, 'concur-outcome-unknown', 'Concur did not confirm the outcome'],
  'unknown-user': [422, 'concur-unknown-user', 'Concur does not know the traveler'],
  rejected: [502, 'concur-rejected', 'Concur refused the request'],
  forbidden: [403, 'concur-forbidden', 'Concur refused the gateway access'],
  'auth-expired': [502, 'concur-auth', "Concur refused the company's tokens"],
  'refresh-rejected': [502, 'concur-auth', "Concur refused the company's tokens"],
  'malformed-response': [502, 'concur-malformed-response', 'Concur answered something unusable'],
  'answer-too-large': [502, 'concur-answer-too-large', 'Concur answered more than the gateway reads'],
};

/**
 * When to come back when Concur did not say: Concur's own 503 means maintenance or an outage, and its status-code
 * reference asks to wait 5 minutes; anything else unavailable (no answer, another 5xx, a 429) is worth a try sooner.
 */
export const CONCUR_503_RETRY_AFTER_SECONDS = 300;
const OTHER_RETRY_AFTER_SECONDS = 30;
const defaultRetryAfterSeconds = (error: { kind: string; status?: number }) =>
  error.kind === 'unavailable' && error.status === 503
    ? CONCUR_503_RETRY_AFTER_SECONDS
    : OTHER_RETRY_AFTER_SECONDS;

/** Errors of shared/tokens that mean the credentials are missing or unusable. */
const NOT_CONFIGURED = new Set([
  'CompanyNotConfiguredError',
  'AppNotConfiguredError',
  'MalformedSecretError',
]);

export interface ProblemAnswer {
  problem: ProblemDetails;
  headers: Record<string, string>;
}

export function problemFor(error: unknown, requestId: string): ProblemAnswer {
  const answer = (
    status: number,
    kind: string,
    title: string,
    detail: string,
    extra: Partial<ProblemDetails> = {},
  ) => ({
    problem: { type: problemType(kind), title, status, detail, requestId, ...extra },
    headers: {} as Record<string, string>,
  });
  if (error instanceof HttpProblem) {
    return { ...answer(error.status, error.kind, error.title, error.message), headers: error.headers };
  }
  if (error instanceof GatewayError) {
    const [status, title] = GATEWAY_STATUS[error.kind];
    const extra = error.problems.length > 0 ? { errors: [...error.problems] } : {};
    return answer(status, error.kind, title, error.message, extra);
  }
  if (error instanceof MappingConflictError) {
    // A concurrent change got in first (a lease outlived): the request can simply be retried.
    return answer(
      409,
      'conflict',
      GATEWAY_STATUS.conflict[1],
      'the booking changed while this request ran; retry it',
    );
  }
  if (error instanceof ConcurDocumentError) {
    return answer(400, error.kind, 'The document is not valid', error.message, {
      errors: [...error.problems],
    });
  }
  if (error instanceof IdempotencyValidationError) {
    return answer(
      422,
      'idempotency-key-reused',
      'Idempotency-Key reused',
      'this Idempotency-Key was used with another request body',
    );
  }
  // The key's record changed between the write that found it taken and the read of it: the request that held
  // it has just finished or failed. The same as in progress: a retry a moment later gets its answer or runs.
  if (
    error instanceof IdempotencyAlreadyInProgressError ||
    error instanceof IdempotencyItemNotFoundError ||
    error instanceof IdempotencyInconsistentStateError
  ) {
    const result = answer(
      409,
      'idempotency-in-progress',
      'Request in progress',
      'a request with this Idempotency-Key is still in progress',
    );
    return { ...result, headers: { 'retry-after': '1' } };
  }
  if (error instanceof IdempotencyPersistenceLayerError) {
    const result = answer(
      503,
      'idempotency-store-unavailable',
      'Idempotency-Key store unavailable',
      'the key could not be checked or recorded; send the request again with the same key',
    );
    return { ...result, headers: { 'retry-after': '1' } };
  }
  if (error instanceof Error && NOT_CONFIGURED.has(error.name)) {
    // The company (or the app) has no usable Concur credentials: an operator must onboard it; the message names no secret value.
    return answer(503, 'company-not-configured', 'The company is not set up for Concur', error.message);
  }
  if (error instanceof Error && error.name === 'CompanyAuthRefusedError') {
    // Remembered in the company's secret: answered at once, without Concur, until an operator reconnects it.
    return answer(503, 'concur-auth', 'The company must be connected to Concur again', error.message);
  }
  if (error instanceof Error && error.name === 'TokenRefreshTimeoutError') {
    const result = answer(503, 'token-refresh-busy', 'Concur tokens are being refreshed', error.message);
    return { ...result, headers: { 'retry-after': '5' } };
  }
  if (isUpstreamFailure(error)) {
    const [status, kind, title] = UPSTREAM_STATUS[error.kind] ?? [502, 'concur-error', 'Concur failed'];
    const result = answer(status, kind, title, error.message, {
      concur: {
        status: error.status,
        message: error.concurMessage,
        correlationId: error.correlationId,
        attempts: error.attempts,
      },
    });
    if (status === 503 || status === 429)
      result.headers['retry-after'] = String(error.retryAfterSeconds ?? defaultRetryAfterSeconds(error));
    return result;
  }
  return answer(
    500,
    'internal',
    'Internal error',
    'the gateway failed; the request id identifies it in the logs',
  );
}

export function problemResponse(answer: ProblemAnswer): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: answer.problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...answer.headers },
    body: JSON.stringify(answer.problem),
  };
}
