/**
 * A stand-in for a Lambda function URL with IAM auth, on a loopback port: a request whose SigV4 signature
 * (service `lambda`) does not verify with the local credentials is refused 403 as AWS refuses it; a signed one
 * becomes the function URL event (payload 2.0) AWS would send, handed to `invoke`.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, LambdaFunctionURLEvent, LambdaFunctionURLResult } from 'aws-lambda';
import { SignatureV4 } from '@smithy/signature-v4';

export interface FunctionUrlStandIn {
  url: string;
  /** Requests refused for want of a valid signature. */
  refused: number;
  close(): Promise<void>;
}

export async function startFunctionUrl(
  invoke: (event: LambdaFunctionURLEvent, context: Context) => Promise<LambdaFunctionURLResult>,
  /** The credentials a signature must verify with (read when a request comes). */
  credentials: () => { accessKeyId: string; secretAccessKey: string; region: string },
): Promise<FunctionUrlStandIn> {
  const signer = new SignatureV4({
    service: 'lambda',
    region: () => Promise.resolve(credentials().region),
    credentials: () => Promise.resolve(credentials()),
    sha256: Sha256,
  });
  const standIn = { refused: 0 };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void (async () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(request.headers)) {
          if (typeof value === 'string') headers[name] = value;
        }
        if (!(await signatureHolds(signer, request.method ?? 'GET', url, headers, body))) {
          standIn.refused++;
          response.writeHead(403, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ Message: 'Forbidden' }));
          return;
        }
        const event = {
          version: '2.0',
          rawPath: url.pathname,
          rawQueryString: url.search.slice(1),
          headers,
          body,
          isBase64Encoded: false,
          requestContext: {
            domainName: url.host,
            http: { method: request.method ?? 'GET', path: url.pathname },
          },
        } as unknown as LambdaFunctionURLEvent;
        const context = {
          functionName: 'sandbox',
          awsRequestId: crypto.randomUUID(),
          invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:sandbox',
          memoryLimitInMB: '512',
          getRemainingTimeInMillis: () => 29_000,
        } as unknown as Context;
        const result = (await invoke(event, context)) as {
          statusCode: number;
          headers?: Record<string, string>;
          body?: string;
        };
        response.writeHead(result.statusCode, result.headers ?? {});
        response.end(result.body ?? '');
      })().catch((error: unknown) => {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ Message: String(error) }));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(standIn, {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Signs the request again with the signer's credentials at the date it names and compares the signatures. */
async function signatureHolds(
  signer: SignatureV4,
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string,
): Promise<boolean> {
  const authorization = headers.authorization ?? '';
  const match =
    /^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[^/]+\/lambda\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  const date = headers['x-amz-date'];
  if (!match || !date) return false;
  const signedHeaders = match[1]!.split(';');
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of url.searchParams) {
    const known = query[name];
    query[name] = known === undefined ? value : [...(Array.isArray(known) ? known : [known]), value];
  }
  const resigned = await signer.sign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname,
      query,
      headers: Object.fromEntries(signedHeaders.map((name) => [name, headers[name] ?? ''])),
      body,
    },
    { signingDate: isoDate(date) },
  );
  return resigned.headers.authorization === authorization;
}

const isoDate = (amzDate: string): Date =>
  new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );

class Sha256 {
  private readonly hash;

  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', toBytes(secret));
  }

  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(toBytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {}
}

function toBytes(data: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}
