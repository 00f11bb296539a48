/**
 * One HTTP request to Concur, bounded by a timeout: either Concur's answer (any status), or why none came and
 * whether the request may have reached Concur anyway.
 */

export const CORRELATION_HEADER = 'concur-correlationid';

export interface AttemptRequest {
  method: 'GET' | 'POST';
  url: string;
  authorization: string;
  body?: string;
  contentType?: string;
  /** Default `application/xml` (Itinerary v1.1); Identity v4.1 answers JSON. */
  accept?: string;
  /** Our own id of this attempt, sent as `concur-correlationid` so Concur support can find it. */
  correlationId: string;
}

export interface AttemptAnswer {
  ok: true;
  status: number;
  /** The answer's body; when `truncated`, only its first `maxAnswerBytes`. */
  text: string;
  /** The body was longer than the gateway reads: the rest was not read. */
  truncated?: boolean;
  correlationId?: string;
  retryAfter: string | null;
}

export interface AttemptFailure {
  ok: false;
  reason: 'timeout' | 'connection' | 'aborted';
  /** False only when the request provably never left (the connection was never made). */
  maybeSent: boolean;
  detail: string;
}

export type AttemptResult = AttemptAnswer | AttemptFailure;

// Errors raised before a connection exists: the request cannot have reached Concur.
export const OUTBOUND_RATE_LIMITED_CODE = 'EOUTBOUNDRATELIMIT';
const NOT_SENT_CODES = new Set([
  // The gateway's own outbound rate limit held the request back (a fetch wrapper throws it with this code).
  OUTBOUND_RATE_LIMITED_CODE,
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export async function sendAttempt(
  fetchImpl: typeof fetch,
  request: AttemptRequest,
  timeoutMs: number,
  callerSignal: AbortSignal | undefined,
  maxAnswerBytes: number,
): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs)));
  const signal = callerSignal ? AbortSignal.any([callerSignal, timeout]) : timeout;
  const headers: Record<string, string> = {
    authorization: request.authorization,
    accept: request.accept ?? 'application/xml',
    [CORRELATION_HEADER]: request.correlationId,
  };
  let body: Buffer | undefined;
  if (request.method === 'POST') {
    // Concur refuses chunked bodies: a Buffer has a known length, so fetch sends Content-Length (0 when empty).
    body = Buffer.from(request.body ?? '', 'utf8');
    headers['content-length'] = String(body.byteLength);
    if (request.body !== undefined)
      headers['content-type'] = request.contentType ?? 'application/xml; charset=utf-8';
  }
  try {
    const response = await fetchImpl(request.url, { method: request.method, headers, body, signal });
    // Reading the body is under the same timeout: a stalled body is a timed-out attempt too.
    const { text, truncated } = await readBounded(response, maxAnswerBytes);
    return {
      ok: true,
      status: response.status,
      text,
      ...(truncated ? { truncated } : {}),
      correlationId: response.headers.get(CORRELATION_HEADER) ?? undefined,
      retryAfter: response.headers.get('retry-after'),
    };
  } catch (error) {
    if (callerSignal?.aborted)
      return { ok: false, reason: 'aborted', maybeSent: true, detail: 'the caller gave up' };
    if (timeout.aborted) {
      return {
        ok: false,
        reason: 'timeout',
        maybeSent: true,
        detail: `no answer within ${Math.round(timeoutMs)} ms`,
      };
    }
    const code = errorCode(error);
    return {
      ok: false,
      reason: 'connection',
      maybeSent: code === undefined || !NOT_SENT_CODES.has(code),
      // The gateway's own limit says whose it is (the Concur app's), for the operator reading the log line.
      detail:
        code === OUTBOUND_RATE_LIMITED_CODE ? (error as Error).message : (code ?? (error as Error).message),
    };
  }
}

/** The body up to `maxBytes`; beyond it the stream is cancelled, so a huge answer never fills the memory. */
async function readBounded(
  response: Response,
  maxBytes: number,
): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - size;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      await reader.cancel();
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(value);
    size += value.byteLength;
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

function errorCode(error: unknown): string | undefined {
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  const own = (error as { code?: unknown } | undefined)?.code;
  return typeof own === 'string' ? own : undefined;
}
