/**
 * `fetch` on node:http and node:https, each with one keep-alive agent: how the gateway calls Concur. Node's own
 * fetch pipes every request and answer through WHATWG streams and costs about twice the CPU of node:http for a
 * booking-sized exchange, and every booking costs one Concur call or more (`npm run bench -- gateway`).
 *
 * It does what the gateway's calls need of fetch, the same way: a method, headers, a string or bytes body sent
 * with its Content-Length, an AbortSignal that ends the request or the answer's body with the signal's reason, a
 * `TypeError('fetch failed')` whose `cause` is the socket's error, and a `Response` whose body is read as it
 * arrives (a reader may stop early). Redirects are answered as they are, not followed: Concur's APIs do not
 * redirect, and a redirected booking call is one to look at rather than to repeat elsewhere.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';

const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
/** Sent when the caller names no client, as fetch sends its own. */
const USER_AGENT = 'concur-itinerary-gateway';

/** Statuses whose answer has no body, as `Response` requires. */
const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

export const keepAliveFetch: typeof fetch = (input, init = {}) =>
  new Promise<Response>((resolve, reject) => {
    if (input instanceof Request) throw new TypeError('keepAliveFetch takes a URL, not a Request');
    const url = new URL(input);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new TypeError(`keepAliveFetch speaks http and https, not ${url.protocol}`);
    const signal = init.signal ?? undefined;
    if (signal?.aborted) throw signal.reason;
    const headers: Record<string, string> = {};
    new Headers(init.headers).forEach((value, name) => {
      headers[name] = value;
    });
    headers['user-agent'] ??= USER_AGENT;
    const body = encodedBody(init.body, headers);
    const secure = url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(url, {
      method: init.method ?? 'GET',
      headers,
      agent: secure ? agents.https : agents.http,
    });
    // The signal ends the request, then, once answered, the answer's body: its reader fails with the reason.
    let answer: IncomingMessage | undefined;
    const onAbort = () => (answer ?? request).destroy(signal!.reason as Error);
    const settled = () => signal?.removeEventListener('abort', onAbort);
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', (error) => {
      settled();
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: error }));
    });
    request.once('response', (incoming: IncomingMessage) => {
      answer = incoming;
      incoming.once('close', settled);
      try {
        resolve(toResponse(incoming));
      } catch (error) {
        incoming.destroy();
        reject(new TypeError('fetch failed', { cause: error }));
      }
    });
    request.end(body);
  });

function toResponse(answer: IncomingMessage): Response {
  const status = answer.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(answer.headers)) {
    if (Array.isArray(value)) for (const each of value) headers.append(name, each);
    else if (value !== undefined) headers.set(name, value);
  }
  if (NO_BODY_STATUSES.has(status)) {
    answer.resume();
    return new Response(null, { status, statusText: answer.statusMessage, headers });
  }
  return new Response(Readable.toWeb(answer) as ReadableStream<Uint8Array>, {
    status,
    statusText: answer.statusMessage,
    headers,
  });
}

/** The body's bytes, with the Content-Length and, as fetch sets them, the Content-Type of text and forms. */
function encodedBody(body: RequestInit['body'], headers: Record<string, string>): Uint8Array | undefined {
  if (body === undefined || body === null) return undefined;
  let bytes: Uint8Array;
  if (typeof body === 'string') {
    bytes = Buffer.from(body, 'utf8');
    headers['content-type'] ??= 'text/plain;charset=UTF-8';
  } else if (body instanceof URLSearchParams) {
    bytes = Buffer.from(body.toString(), 'utf8');
    headers['content-type'] ??= 'application/x-www-form-urlencoded;charset=UTF-8';
  } else if (body instanceof Uint8Array) bytes = body;
  else if (body instanceof ArrayBuffer) bytes = new Uint8Array(body);
  else throw new TypeError('keepAliveFetch sends a string, bytes or form parameters as the body');
  headers['content-length'] = String(bytes.byteLength);
  return bytes;
}
