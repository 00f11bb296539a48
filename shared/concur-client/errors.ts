/** What can go wrong in a conversation with Concur, after the client's retries. */
export type ConcurErrorKind =
  | 'not-found'
  | 'auth-expired'
  | 'forbidden'
  | 'rejected'
  /** The user the request names (`userid_value`) is none of the company's. */
  | 'unknown-user'
  | 'rate-limited'
  | 'unavailable'
  | 'timed-out'
  | 'malformed-response'
  | 'answer-too-large'
  | 'outcome-unknown'
  | 'refresh-rejected';

export interface ConcurErrorDetails {
  status?: number;
  /** Concur's own message (`<Error><Message>`, or the OAuth error description). */
  concurMessage?: string;
  /** The `concur-correlationid` header of the last answer. */
  correlationId?: string;
  attempts: number;
  /** When Concur said when to come back (Retry-After). */
  retryAfterSeconds?: number;
  cause?: unknown;
}

export class ConcurApiError extends Error {
  readonly status?: number;
  readonly concurMessage?: string;
  readonly correlationId?: string;
  readonly attempts: number;
  readonly retryAfterSeconds?: number;

  constructor(
    readonly kind: ConcurErrorKind,
    message: string,
    details: ConcurErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ConcurApiError';
    this.status = details.status;
    this.concurMessage = details.concurMessage;
    this.correlationId = details.correlationId;
    this.attempts = details.attempts;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }

  /** The same error with other details (e.g. the attempts of the whole call, or a new kind and message). */
  with(changes: Partial<ConcurErrorDetails> & { kind?: ConcurErrorKind; message?: string }): ConcurApiError {
    return new ConcurApiError(changes.kind ?? this.kind, changes.message ?? this.message, {
      status: this.status,
      concurMessage: this.concurMessage,
      correlationId: this.correlationId,
      attempts: this.attempts,
      retryAfterSeconds: this.retryAfterSeconds,
      cause: this.cause,
      ...changes,
    });
  }
}
