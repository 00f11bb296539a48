/**
 * Sends one webhook request: resolves and checks the host (url-rules.ts), connects to that very address (the
 * TLS name and the Host header stay the URL's), follows no redirect, gives up after 10 s, and keeps at most
 * 1 KB of the answer. Never throws for what the receiver does: a refused connection, a timeout or a refused
 * URL is an outcome like a status code.
 */
import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { resolveAllowedAddress, systemResolver, UrlRefusedError } from './url-rules';
import type { ResolvedAddress, Resolver, UrlPolicy } from './url-rules';

export const SEND_TIMEOUT_MS = 10_000;
/** What an attempt keeps of the answer. */
export const KEPT_ANSWER_BYTES = 1024;

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface SendOutcome {
  /** The answer's status; absent when none came. */
  status?: number;
  /** Why no answer came (connection refused, timeout, a refused address). */
  error?: string;
  /** The URL or its addresses are not allowed: retrying does not help until the supplier changes it. */
  refused?: boolean;
  latencyMs: number;
  /** The start of the answer's body (≤ 1 KB, UTF-8). */
  answer?: string;
  /** The answer's Retry-After, in seconds. */
  retryAfterSeconds?: number;
}

export interface WebhookSender {
  send(request: WebhookRequest): Promise<SendOutcome>;
}

export interface HttpWebhookSenderOptions {
  policy: UrlPolicy;
  resolve?: Resolver;
  timeoutMs?: number;
}

/** Retry-After as seconds: a number of seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSecondsOf(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** A `lookup` that answers the address already checked, whatever the connection asks for. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as LookupFunction;
}

export class HttpWebhookSender implements WebhookSender {
  constructor(private readonly options: HttpWebhookSenderOptions) {}

  async send(request: WebhookRequest): Promise<SendOutcome> {
    const startedAt = Date.now();
    const elapsed = () => Date.now() - startedAt;
    const url = new URL(request.url);
    let pinned: ResolvedAddress;
    try {
      pinned = await resolveAllowedAddress(url, this.options.policy, this.options.resolve ?? systemResolver);
    } catch (error) {
      const refused = error instanceof UrlRefusedError;
      return {
        error: refused ? `refused: ${error.message}` : `no address for ${url.hostname}: ${errorText(error)}`,
        refused,
        latencyMs: elapsed(),
      };
    }
    const timeoutMs = this.options.timeoutMs ?? SEND_TIMEOUT_MS;
    const options: RequestOptions = {
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: {
        ...request.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(request.body)),
        'user-agent': 'concur-gateway-webhooks/1',
      },
      lookup: pinnedLookup(pinned),
      // A connection per request: a kept-alive socket would skip the next send's address check.
      agent: false,
    };
    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const outgoing = send(options, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept < KEPT_ANSWER_BYTES) {
            chunks.push(chunk.subarray(0, KEPT_ANSWER_BYTES - kept));
            kept += Math.min(chunk.length, KEPT_ANSWER_BYTES - kept);
          }
          // The rest of a long answer is of no use: stop reading once the kept part is full.
          if (kept >= KEPT_ANSWER_BYTES) response.destroy();
        });
        const done = () =>
          finish({
            status: response.statusCode,
            latencyMs: elapsed(),
            answer: keptText(Buffer.concat(chunks)),
            retryAfterSeconds: retryAfterSecondsOf(headerText(response.headers['retry-after'])),
          });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      });
      const timer = setTimeout(() => {
        outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      outgoing.on('error', (error) => finish({ error: errorText(error), latencyMs: elapsed() }));
      outgoing.end(request.body);
    });
  }
}

const headerText = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** The kept bytes as text, without a character cut in half at the end. */
function keptText(bytes: Buffer): string | undefined {
  if (bytes.length === 0) return undefined;
  return bytes.toString('utf8').replace(/\uFFFD+$/, '');
}

function errorText(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ? `${code}: ${message}` : String(message ?? error);
}
