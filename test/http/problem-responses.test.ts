import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { describe, expect, it } from 'vitest';
import { ConcurApiError } from '../../shared/concur-client';
import { GatewayError } from '../../shared/gateway/errors';
import { MappingConflictError } from '../../shared/gateway/ports';
import { problemFor, problemResponse } from '../../shared/http/problem-responses';
import { CompanyNotConfiguredError } from '../../shared/tokens';

const upstream = (kind: ConstructorParameters<typeof ConcurApiError>[0], retryAfterSeconds?: number) =>
  new ConcurApiError(kind, 'Concur said no', {
    status: 503,
    concurMessage: 'try later',
    correlationId: 'corr-1',
    attempts: 4,
    retryAfterSeconds,
  });

describe('problem+json answers', () => {
  it.each([
    [
      new GatewayError('validation', 'bad', [{ path: 'booking.x', message: 'unknown key' }]),
      400,
      'validation',
    ],
    [new GatewayError('forbidden', 'no'), 403, 'forbidden'],
    [new GatewayError('not-found', 'none'), 404, 'not-found'],
    [new GatewayError('stale', 'old'), 409, 'stale'],
    [new GatewayError('busy', 'wait'), 409, 'busy'],
    [new MappingConflictError('version'), 409, 'conflict'],
    [new IdempotencyValidationError('x'), 422, 'idempotency-key-reused'],
    [new IdempotencyAlreadyInProgressError('x'), 409, 'idempotency-in-progress'],
    [new CompanyNotConfiguredError('co-1'), 503, 'company-not-configured'],
    [upstream('rate-limited'), 429, 'concur-rate-limited'],
    [upstream('unavailable', 7), 503, 'concur-unavailable'],
    [upstream('timed-out'), 504, 'concur-timeout'],
    [upstream('outcome-unknown'), 504, 'concur-outcome-unknown'],
    [upstream('rejected'), 502, 'concur-rejected'],
    [upstream('unknown-user'), 422, 'concur-unknown-user'],
    [upstream('malformed-response'), 502, 'concur-malformed-response'],
    [upstream('not-found'), 404, 'concur-not-found'],
  ])('%s → %i %s', (error, status, kind) => {
    const answer = problemFor(error, 'req-1');
    expect(answer.problem).toMatchObject({
      status,
      type: `urn:concur-gateway:problem:${kind}`,
      requestId: 'req-1',
    });
    const response = problemResponse(answer);
    expect(response.statusCode).toBe(status);
    expect(response.headers!['content-type']).toBe('application/problem+json');
  });

  it("carries Concur's status, message, correlation id and attempts, and a Retry-After", () => {
    const answer = problemFor(upstream('unavailable', 7), 'req-2');
    expect(answer.problem.concur).toEqual({
      status: 503,
      message: 'try later',
      correlationId: 'corr-1',
      attempts: 4,
    });
    expect(answer.headers['retry-after']).toBe('7');
    expect(problemFor(upstream('rate-limited'), 'r').headers['retry-after']).toBe('30');
    // Concur's own 503 without a Retry-After: its status-code reference asks to wait 5 minutes.
    expect(problemFor(upstream('unavailable'), 'r').headers['retry-after']).toBe('300');
  });

  it('keeps field paths, and never shows the text of an unexpected error', () => {
    expect(
      problemFor(new GatewayError('validation', 'bad', [{ path: 'a.b', message: 'm' }]), 'r').problem.errors,
    ).toEqual([{ path: 'a.b', message: 'm' }]);
    const internal = problemFor(new Error('secret token abc123 leaked'), 'r').problem;
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal)).not.toContain('abc123');
  });
});
