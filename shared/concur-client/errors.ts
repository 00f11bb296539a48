/** What can go wrong in a conversation with Concur, after the client's retries. */
export type ConcurErrorKind =
  | 'not-found'
  | 'auth-expired'
  | 'forbidden'
  | 'rejected'
  | 'rate-limited'
  | 'unavailable'
  | 'timed-out'
  | 'malformed-response'
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
    super(message);
    this.name = 'ConcurApiError';
    this.status = details.status;
    this.concurMessage = details.concurMessage;
    this.correlationId = details.correlationId;
    this.attempts = details.attempts;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}
