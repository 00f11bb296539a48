/**
 * One HTTP exchange with Concur, retried by policy: deadlines, backoff, Retry-After, and the refusal to
 * re-send what Concur may already have done (see README.md in this folder).
 */
import { ConcurApiError } from './errors';
import type { ConcurErrorKind } from './errors';
import { backoffDelay, isRetryableStatus, retryAfterMs } from './retry-policy';
import type { RetryPolicy } from './retry-policy';

export const CORRELATION_HEADER = 'concur-correlationid';

/** Who is calling and until when; one per operation. */
export interface ConcurCallContext {
  /** The company's Concur base URL (its geolocation), e.g. https://us2.api.concursolutions.com. */
  baseUrl: string;
  accessToken: string;
  /** `Bearer` (Concur's current docs) unless the company is set to the seeds' `OAuth`. */
  authScheme?: 'Bearer' | 'OAuth';
  /** Act for this traveler (userid_type=login_id). */
  loginId?: string;
  /** Epoch ms after which no attempt starts and no wait ends. */
  deadline: number;
  signal?: AbortSignal;
}

export interface ClientLogger {
  debug(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface TransportOptions {
  fetch: typeof fetch;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  now: () => number;
  perAttemptTimeoutMs: number;
  retry: RetryPolicy;
  logger?: ClientLogger;
}

export interface ExchangeRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL, already encoded. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: string;
  contentType?: string;
  /**
   * `false` for requests Concur would carry out twice if sent twice (a trip create): an attempt whose outcome
   * is unknown ends the exchange with `outcome-unknown` instead of a retry.
   */
  safeToRepeat: boolean;
  /** Also refuses a repeat of a request Concur answered with 404 after an attempt of unknown outcome. */
  notFoundAfterUnknownIsDone?: boolean;
}

export interface ExchangeResponse {
  status: number;
  text: string;
  correlationId?: string;
  attempts: number;
  /** The request was answered 404 after an earlier attempt of unknown outcome (it had been done). */
  doneEarlier?: boolean;
}

/** Failure of one attempt before any answer. */
class AttemptFailure {
  constructor(
    readonly kind: 'timeout' | 'connection',
    /** False only when the request provably never left (connection refused). */
    readonly maybeSent: boolean,
    readonly detail: string,
  ) {}
}

const errorMessageOf = (text: string): string | undefined => {
  const fromXml = /<Message>([\s\S]*?)<\/Message>/.exec(text)?.[1];
  if (fromXml !== undefined) return fromXml.trim();
  try {
    const json = JSON.parse(text) as { error_description?: string; error?: string; message?: string };
    return json.error_description ?? json.message ?? json.error;
  } catch {
    return text.trim().slice(0, 200) || undefined;
  }
};

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  async exchange(context: ConcurCallContext, request: ExchangeRequest): Promise<ExchangeResponse> {
    const { now, retry, logger } = this.options;
    const url = this.url(context, request);
    let attempts = 0;
    let unknownOutcome = false;
    for (;;) {
      attempts++;
      const remaining = context.deadline - now();
      if (remaining <= 0) {
        throw this.error('timed-out', 'the deadline passed before Concur answered', { attempts });
      }
      const started = now();
      const result = await this.attempt(
        url,
        context,
        request,
        Math.min(this.options.perAttemptTimeoutMs, remaining),
      );
      let retryable: boolean;
      let failure: {
        kind: ConcurErrorKind;
        message: string;
        status?: number;
        text?: string;
        correlationId?: string;
      };
      let waitHint: number | undefined;
      if (result instanceof AttemptFailure) {
        logger?.warn('concur attempt failed', {
          method: request.method,
          path: request.path,
          attempt: attempts,
          failure: result.kind,
        });
        if (result.maybeSent && !request.safeToRepeat) {
          throw this.error('outcome-unknown', `Concur may have carried out the request (${result.detail})`, {
            attempts,
          });
        }
        if (result.maybeSent) unknownOutcome = true;
        retryable = true;
        failure = {
          kind: result.kind === 'timeout' ? 'timed-out' : 'unavailable',
          message: `no answer from Concur: ${result.detail}`,
        };
      } else {
        const { status, text, correlationId } = result;
        logger?.debug('concur answered', {
          method: request.method,
          path: request.path,
          status,
          attempt: attempts,
          correlationId,
          ms: now() - started,
        });
        if (status >= 200 && status < 300) return { status, text, correlationId, attempts };
        if (status === 404 && unknownOutcome && request.notFoundAfterUnknownIsDone) {
          return { status, text, correlationId, attempts, doneEarlier: true };
        }
        const concurMessage = errorMessageOf(text);
        retryable = isRetryableStatus(status, concurMessage);
        if (retryable && status >= 500 && !request.safeToRepeat) {
          throw this.error(
            'outcome-unknown',
            `Concur failed with ${status} and may have carried out the request`,
            {
              attempts,
              status,
              concurMessage,
              correlationId,
            },
          );
        }
        if (!retryable)
          throw this.error(this.kindOf(status, concurMessage), `Concur answered ${status}`, {
            attempts,
            status,
            concurMessage,
            correlationId,
          });
        failure = {
          kind: status === 429 ? 'rate-limited' : 'unavailable',
          message: `Concur answered ${status}`,
          status,
          text,
          correlationId,
        };
        waitHint = retryAfterMs(result.retryAfter, now());
      }
      const delay = waitHint ?? backoffDelay(retry, attempts, this.options.random);
      const details = {
        attempts,
        status: failure.status,
        concurMessage: failure.text === undefined ? undefined : errorMessageOf(failure.text),
        correlationId: failure.correlationId,
        retryAfterSeconds: waitHint === undefined ? undefined : Math.ceil(waitHint / 1000),
      };
      if (!retryable || attempts >= retry.maxAttempts || now() + delay >= context.deadline) {
        throw this.error(failure.kind, failure.message, details);
      }
      logger?.debug('concur retry', {
        method: request.method,
        path: request.path,
        attempt: attempts,
        delayMs: delay,
      });
      await this.options.sleep(delay, context.signal);
    }
  }

  private kindOf(status: number, message: string | undefined): ConcurErrorKind {
    if (status === 404) return 'not-found';
    if (status === 401) return 'auth-expired';
    // Concur answers 403 for expired or revoked tokens too.
    if (status === 403)
      return /token|expired|revoked|unauthori[sz]ed/i.test(message ?? '') ? 'auth-expired' : 'forbidden';
    return 'rejected';
  }

  private error(
    kind: ConcurErrorKind,
    message: string,
    details: ConstructorParameters<typeof ConcurApiError>[2],
  ) {
    return new ConcurApiError(kind, message, details);
  }

  private url(context: ConcurCallContext, request: ExchangeRequest): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {}))
      if (value !== undefined) params.set(name, value);
    if (context.loginId !== undefined) {
      params.set('userid_type', 'login_id');
      params.set('userid_value', context.loginId);
    }
    const query = params.toString();
    return `${context.baseUrl.replace(/\/+$/, '')}${request.path}${query ? `?${query}` : ''}`;
  }

  private async attempt(
    url: string,
    context: ConcurCallContext,
    request: ExchangeRequest,
    timeoutMs: number,
  ): Promise<
    AttemptFailure | { status: number; text: string; correlationId?: string; retryAfter: string | null }
  > {
    const timeout = AbortSignal.timeout(Math.max(1, timeoutMs));
    const signal = context.signal ? AbortSignal.any([context.signal, timeout]) : timeout;
    // Concur refuses chunked bodies: a Buffer body makes fetch send Content-Length (0 for an empty POST).
    const body = request.method === 'POST' ? Buffer.from(request.body ?? '', 'utf8') : undefined;
    const headers: Record<string, string> = {
      authorization: `${context.authScheme ?? 'Bearer'} ${context.accessToken}`,
      accept: 'application/xml',
    };
    if (request.body !== undefined)
      headers['content-type'] = request.contentType ?? 'application/xml; charset=utf-8';
    try {
      const response = await this.options.fetch(url, { method: request.method, headers, body, signal });
      const text = await response.text();
      return {
        status: response.status,
        text,
        correlationId: response.headers.get(CORRELATION_HEADER) ?? undefined,
        retryAfter: response.headers.get('retry-after'),
      };
    } catch (error) {
      if (context.signal?.aborted) throw error;
      if (timeout.aborted) return new AttemptFailure('timeout', true, `no answer within ${timeoutMs} ms`);
      const code = (error as { cause?: { code?: string } }).cause?.code;
      return new AttemptFailure('connection', code !== 'ECONNREFUSED', code ?? (error as Error).message);
    }
  }
}
