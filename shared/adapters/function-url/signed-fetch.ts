/**
 * Requests to a Lambda function URL with IAM auth, signed with SigV4 (service `lambda`) by the function's own
 * role: how the gateway reaches the hosted sandbox. Requests to any other URL go out as they are. The signature
 * takes the Authorization header, so the request's own (a Concur bearer token) travels as
 * `X-Forwarded-Authorization`, which the function reads in its place.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { keepAliveFetch } from '../http/keep-alive-fetch';

/** Where the request's own Authorization header goes once the signature takes its place. */
export const FORWARDED_AUTHORIZATION = 'x-forwarded-authorization';

export interface SignedFetchOptions {
  /** Requests whose URL starts with this are signed. */
  urlPrefix: string;
  region: string;
  fetch?: typeof fetch;
}

export function functionUrlSignedFetch(options: SignedFetchOptions): typeof fetch {
  const base = options.fetch ?? keepAliveFetch;
  const signer = new SignatureV4({
    service: 'lambda',
    region: options.region,
    credentials: defaultProvider(),
    sha256: NodeSha256,
  });
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!url.href.startsWith(options.urlPrefix)) return base(input, init);
    const headers: Record<string, string> = { host: url.host };
    new Headers(init?.headers).forEach(
      (value, name) => (headers[name === 'authorization' ? FORWARDED_AUTHORIZATION : name] = value),
    );
    const body = typeof init?.body === 'string' ? init.body : undefined;
    const query: Record<string, string | string[]> = {};
    for (const [name, value] of url.searchParams) {
      const known = query[name];
      query[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
    }
    const signed = await signer.sign({
      method: init?.method ?? 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers,
      ...(body !== undefined ? { body } : {}),
    });
    return base(url, { ...init, headers: signed.headers });
  };
}

/** SHA-256 and its HMAC from node:crypto, in the shape the signer asks for. */
class NodeSha256 {
  private readonly hash: Hash | ReturnType<typeof createHmac>;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    throw new Error('a signing hash is used once');
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
