/**
 * One Concur operation over HTTP, retried by policy: per-attempt timeouts inside the caller's deadline,
 * backoff with full jitter or Retry-After, typed errors, and no blind repeat of a request Concur may already
 * have carried out (see README.md in this folder).
 */
import { randomUUID } from 'node:crypto';
import { ConcurApiError } from './errors';
import type { ConcurErrorKind } from './errors';
import { sendAttempt } from './http-attempt';
import type { AttemptAnswer, AttemptFailure } from './http-attempt';
import { backoffDelay, retryAfterMs, transientKindOf } from './retry-policy';
import type { RetryPolicy } from './retry-policy';

/** Who is calling and until when; one per operation. */
export interface ConcurCallContext {
  /** The company's Concur base URL (its geolocation), e.g. https://us2.api.concursolutions.com. */
  baseUrl: string;
  accessToken: string;
  /** `Bearer` (Concur's current docs) unless the company is set to the seeds' `OAuth`. */
  authScheme?: 'Bearer' | 'OAuth';
  /** Act for this traveler (userid_type=login_id&userid_value=…). */
  loginId?: string;
  /** Epoch ms after which no attempt starts and no wait ends. Give this, a signal, or both. */
  deadline?: number;
  /** The caller giving up; ends the call as `timed-out` (or `outcome-unknown` for a create in flight). */
  signal?: AbortSignal;
}

export interface ClientLogger {
  debug(message: string, fields: Record<string, unknown>): void;
  info?(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface TransportOptions {
  fetch: typeof fetch;
  sleep: Sleep;
  random: () => number;
  now: () => number;
  perAttemptTimeoutMs: number;
  /** Answers longer than this are read only this far (`truncated`). */
  maxAnswerBytes: number;
  retry: RetryPolicy;
  logger?: ClientLogger;
}

export interface ExchangeRequest<Found = never> {
  method: 'GET' | 'POST';
  /** Path below the base URL, already encoded. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: string;
  contentType?: string;
  /** The answer's media type; default `application/xml`. */
  accept?: string;
  /**
   * `false` for requests Concur would carry out twice if sent twice (a trip create). After an attempt of
   * unknown outcome such a request is sent again only when `reconcile` says Concur does not have it.
   */
  safeToRepeat: boolean;
  /**
   * Looks for what an attempt of unknown outcome (started at `attemptStartedAt`) may have done: what it
   * finds is the answer; `undefined` means Concur surely has nothing, so sending again is safe. Throwing means
   * nobody can tell, and the call ends as `outcome-unknown`.
   */
  reconcile?: (attemptStartedAt: number) => Promise<Found | undefined>;
  /** A 404 after an attempt of unknown outcome means that attempt did the work (cancels). */
  notFoundAfterUnknownIsDone?: boolean;
}

export interface ExchangeResponse {
  status: number;
  text: string;
  /** Longer than the gateway reads: `text` holds only its beginning. */
  truncated?: boolean;
  correlationId?: string;
  attempts: number;
  /** The request was answered 404 after an earlier attempt of unknown outcome: that attempt had done it. */
  doneEarlier?: boolean;
}

export interface ReconciledExchange<Found> {
  reconciled: Found;
  attempts: number;
}

/** Why an attempt failed, as the error the call ends with if no later attempt does better. */
interface AttemptError {
  error: ConcurApiError;
  retryable: boolean;
  /** The request may have been carried out although no success came back. */
  outcomeUnknown: boolean;
  waitMs?: number;
}

/**
 * A 403 about the token itself (Concur's status codes: "the OAuth token has expired or been revoked", an
 * Authorization header that "fails validation"), which a refresh cures; any other 403 is a refusal that it does not
 * ("the partner application … has not been allowed access to the requested company", a product or scope missing,
 * another source's booking).
 */
const TOKEN_TROUBLE =
  /expired|revoked|invalid[\s_-]*(access[\s_-]*)?token|token[^.]*(invalid|not valid)|fails validation/i;

/**
 * A 400 about the user the request names (`userid_value`): the login is none of the company's users. Concur's docs
 * give no wording; this reads a message that says a user or login does not exist, is unknown or is invalid.
 */
const UNKNOWN_USER =
  /\b(user|login)\b[^.]{0,60}\b(does not exist|doesn't exist|not found|unknown|not valid)\b|\b(invalid|unknown) (user|login|userid_value)\b/i;

/**
 * Concur's message from an error body: `<Error><Message>`, an OAuth JSON error, a SCIM error's `detail`
 * (Identity v4.1), or the text itself.
 */
export function concurMessageOf(text: string): string | undefined {
  const fromXml = /<Message>([\s\S]*?)<\/Message>/.exec(text)?.[1];
  if (fromXml !== undefined) return fromXml.trim() || undefined;
  try {
    const json = JSON.parse(text) as {
      error_description?: unknown;
      error?: unknown;
      message?: unknown;
      detail?: unknown;
    };
    const message = json.error_description ?? json.message ?? json.detail ?? json.error;
    if (typeof message === 'string') return message;
  } catch {
    // not JSON: the text itself, below
  }
  return text.trim().slice(0, 300) || undefined;
}

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  exchange(context: ConcurCallContext, request: ExchangeRequest): Promise<ExchangeResponse>;
  exchange<Found>(
    context: ConcurCallContext,
    request: ExchangeRequest<Found>,
  ): Promise<ExchangeResponse | ReconciledExchange<Found>>;
  async exchange<Found>(
    context: ConcurCallContext,
    request: ExchangeRequest<Found>,
  ): Promise<ExchangeResponse | ReconciledExchange<Found>> {
    const { now, retry, perAttemptTimeoutMs } = this.options;
    const deadline = context.deadline ?? Number.POSITIVE_INFINITY;
    const url = buildUrl(context, request);
    const authorization = `${context.authScheme ?? 'Bearer'} ${context.accessToken}`;
    const where = { method: request.method, path: request.path };
    let attempts = 0;
    let unknownEarlier = false;
    let last: AttemptError | undefined;

    for (;;) {
      const remaining = deadline - now();
      if (remaining <= 0 || context.signal?.aborted) {
        throw (
          last?.error.with({ attempts }) ??
          new ConcurApiError('timed-out', 'the deadline passed before the call to Concur started', {
            attempts,
          })
        );
      }
      attempts++;
      const startedAt = now();
      const sentCorrelationId = randomUUID();
      const result = await sendAttempt(
        this.options.fetch,
        {
          method: request.method,
          url,
          authorization,
          body: request.body,
          contentType: request.contentType,
          accept: request.accept,
          correlationId: sentCorrelationId,
        },
        Math.min(perAttemptTimeoutMs, remaining),
        context.signal,
        this.options.maxAnswerBytes,
      );

      if (result.ok) {
        this.log('info', 'concur answered', {
          ...where,
          status: result.status,
          attempt: attempts,
          sentCorrelationId,
          correlationId: result.correlationId,
          ms: now() - startedAt,
        });
        if (result.status >= 200 && result.status < 300) {
          return { ...answerOf(result), attempts };
        }
        if (result.status === 404 && unknownEarlier && request.notFoundAfterUnknownIsDone) {
          this.log('info', 'concur 404 after an attempt of unknown outcome: taken as done', {
            ...where,
            attempt: attempts,
          });
          return { ...answerOf(result), attempts, doneEarlier: true };
        }
        last = this.classifyAnswer(result, attempts);
      } else {
        this.log('warn', 'concur attempt failed', {
          ...where,
          attempt: attempts,
          sentCorrelationId,
          failure: result.reason,
          detail: result.detail,
        });
        last = classifyFailure(result, attempts, request.safeToRepeat);
      }

      if (!last.retryable) throw last.error;
      if (last.outcomeUnknown) {
        unknownEarlier = true;
        if (!request.safeToRepeat) {
          const found = await this.reconcile(request, startedAt, last.error, attempts);
          if (found !== undefined) return { reconciled: found, attempts };
          this.log('info', 'concur does not have the request of unknown outcome: sending it again', {
            ...where,
            attempt: attempts,
          });
        }
      }

      const delay = last.waitMs ?? backoffDelay(retry, attempts, this.options.random);
      if (attempts >= retry.maxAttempts) throw last.error;
      if (now() + delay >= deadline) {
        this.log('warn', 'concur retry skipped: the wait would end past the deadline', {
          ...where,
          attempt: attempts,
          waitMs: delay,
        });
        throw last.error;
      }
      this.log('warn', 'concur retry', {
        ...where,
        attempt: attempts,
        kind: last.error.kind,
        status: last.error.status,
        correlationId: last.error.correlationId,
        waitMs: delay,
      });
      try {
        await this.options.sleep(delay, context.signal);
      } catch (cause) {
        throw new ConcurApiError('timed-out', 'the caller gave up while waiting to retry', {
          attempts,
          cause,
        });
      }
    }
  }

  private classifyAnswer(answer: AttemptAnswer, attempts: number): AttemptError {
    const { status, correlationId } = answer;
    const concurMessage = concurMessageOf(answer.text);
    const details = { status, concurMessage, correlationId, attempts };
    const transient = transientKindOf(status, concurMessage);
    if (transient !== undefined) {
      const waitMs = retryAfterMs(answer.retryAfter, this.options.now());
      return {
        error: new ConcurApiError(transient, `Concur answered ${status}`, {
          ...details,
          ...(waitMs === undefined ? {} : { retryAfterSeconds: Math.ceil(waitMs / 1000) }),
        }),
        retryable: true,
        // A server failure may come after the work was done; a 429 or a transient 400 refuses it.
        outcomeUnknown: status >= 500,
        waitMs,
      };
    }
    return {
      error: new ConcurApiError(permanentKindOf(status, concurMessage), `Concur answered ${status}`, details),
      retryable: false,
      outcomeUnknown: false,
    };
  }

  private async reconcile<Found>(
    request: ExchangeRequest<Found>,
    startedAt: number,
    cause: ConcurApiError,
    attempts: number,
  ): Promise<Found | undefined> {
    const unknown = (message: string, reason?: unknown) =>
      cause.with({
        kind: 'outcome-unknown',
        message,
        attempts,
        ...(reason === undefined ? {} : { cause: reason }),
      });
    if (request.reconcile === undefined) {
      throw unknown(`Concur may have carried out the request (${cause.message}); it is not sent again`);
    }
    this.log('info', 'concur outcome unknown: reconciling', {
      method: request.method,
      path: request.path,
      attempt: attempts,
    });
    try {
      return await request.reconcile(startedAt);
    } catch (error) {
      if (error instanceof ConcurApiError && error.kind === 'outcome-unknown') throw error.with({ attempts });
      throw unknown(
        `Concur may have carried out the request (${cause.message}) and it cannot be told: ${(error as Error).message}`,
        error,
      );
    }
  }

  private log(level: 'debug' | 'info' | 'warn', message: string, fields: Record<string, unknown>): void {
    const logger = this.options.logger;
    if (!logger) return;
    if (level === 'info') (logger.info ?? logger.debug).call(logger, message, fields);
    else logger[level](message, fields);
  }
}

function classifyFailure(failure: AttemptFailure, attempts: number, safeToRepeat: boolean): AttemptError {
  if (failure.reason === 'aborted') {
    // The caller gave up: no more attempts, and nothing can be looked up for it.
    const kind = failure.maybeSent && !safeToRepeat ? 'outcome-unknown' : 'timed-out';
    return {
      error: new ConcurApiError(kind, `no answer from Concur: ${failure.detail}`, { attempts }),
      retryable: false,
      outcomeUnknown: failure.maybeSent,
    };
  }
  const kind: ConcurErrorKind = failure.reason === 'timeout' ? 'timed-out' : 'unavailable';
  return {
    error: new ConcurApiError(kind, `no answer from Concur: ${failure.detail}`, { attempts }),
    retryable: true,
    outcomeUnknown: failure.maybeSent,
  };
}

function permanentKindOf(status: number, message: string | undefined): ConcurErrorKind {
  if (status === 404) return 'not-found';
  if (status === 401) return 'auth-expired';
  // Concur answers 403 for expired or revoked tokens too; other 403s are refusals (e.g. another booking source).
  if (status === 403) return TOKEN_TROUBLE.test(message ?? '') ? 'auth-expired' : 'forbidden';
  if (status === 400 && UNKNOWN_USER.test(message ?? '')) return 'unknown-user';
  return 'rejected';
}

function answerOf(answer: AttemptAnswer) {
  return {
    status: answer.status,
    text: answer.text,
    correlationId: answer.correlationId,
    ...(answer.truncated ? { truncated: true } : {}),
  };
}

function buildUrl(context: ConcurCallContext, request: ExchangeRequest<unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {}))
    if (value !== undefined) params.set(name, value);
  if (context.loginId !== undefined && !params.has('userid_type')) {
    params.set('userid_type', 'login_id');
    params.set('userid_value', context.loginId);
  }
  // Concur withdrew company-wide requests (userid_value=ALL) and asks for one user at a time.
  if (params.get('userid_value')?.trim().toUpperCase() === 'ALL') {
    throw new TypeError('userid_value=ALL is not sent: Concur serves one user per request');
  }
  const query = params.toString();
  return `${context.baseUrl.replace(/\/+$/, '')}${request.path}${query ? `?${query}` : ''}`;
}
