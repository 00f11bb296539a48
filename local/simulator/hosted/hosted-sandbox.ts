/**
 * The simulator as a hosted sandbox: each request names its company in the path (`/companies/{companyId}/…`),
 * and is served by a simulator started for that company alone from the state the store holds, whose new state is
 * written back with the version it was read at; a request that lost that race runs again on the newer state.
 * Free of any cloud: the stack's function hands it a request and a store.
 */
import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Simulator } from '../simulator';
import { startSimulator } from '../simulator';
import type { SimulatorSnapshot } from '../snapshot';
import type { ClientOptions, CompanyOptions } from '../tokens';
import type { SimulatorStateStore } from './state-store';

export interface HostedRequest {
  method: string;
  /** The path as the caller sent it, `/companies/{companyId}/…`, still encoded. */
  path: string;
  /** The query string without `?`, as sent. */
  query: string;
  headers: Record<string, string>;
  body: string;
}

export interface HostedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HostedSandboxOptions {
  store: SimulatorStateStore;
  /** Which companies the sandbox serves (any other is not found). */
  serves(companyId: string): boolean;
  /** A company the first time it is called: its static tokens and its client. */
  company(companyId: string): { company: CompanyOptions; client: ClientOptions };
  /** Epoch ms by which an answer must be given (the function's own end, less a margin). */
  deadline(): number;
}

/**
 * The admin routes of a hosted company: its faults, its trips, and a trip booked elsewhere. Tokens, users and ESS
 * stay the sandbox's own.
 */
const HOSTED_ADMIN =
  /^(GET|PUT|DELETE) \/_sim\/faults$|^POST \/_sim\/faults\/(latency|error-rate|next)$|^GET \/_sim\/state$|^POST \/_sim\/trips$/;

/** Trips a company keeps: the oldest go first, so a company's state stays far below DynamoDB's item limit. */
export const MAX_TRIPS_PER_COMPANY = 200;

/** Writes tried before the answer is a 503 with Retry-After, each after a growing, jittered wait. */
const MAX_WRITE_ATTEMPTS = 12;
const BASE_BACKOFF_MS = 20;
const MAX_BACKOFF_MS = 1_000;

const COMPANY_PATH = /^\/companies\/([^/]+)(\/.*)$/;
/** Headers a Concur client sends that the simulator reads; the rest (signatures, hops) stay out. */
const FORWARDED_HEADERS = ['authorization', 'content-type', 'accept', 'concur-correlationid'];
const ANSWERED_HEADERS = ['content-type', 'retry-after', 'concur-correlationid'];

export function createHostedSandbox(options: HostedSandboxOptions) {
  return async function serve(request: HostedRequest, publicUrl: string): Promise<HostedAnswer> {
    const match = COMPANY_PATH.exec(request.path);
    const companyId = match ? safeDecode(match[1]!) : undefined;
    if (!match || companyId === undefined || !options.serves(companyId)) {
      return json(404, { error: 'no such sandbox company' });
    }
    const rest = match[2]!;
    if (rest.startsWith('/_sim') && !HOSTED_ADMIN.test(`${request.method} ${rest}`)) {
      return json(404, { error: `${request.method} ${rest} is not served by the hosted sandbox` });
    }
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const loaded = await options.store.load(companyId);
      const { company, client } = options.company(companyId);
      const simulator = await startSimulator({
        companies: [company],
        clients: [client],
        seed: seedOf(companyId),
        // The gateway holds the company's static refresh token: a refresh must leave it valid.
        rotateRefreshTokens: false,
        publicUrl: `${publicUrl}/companies/${encodeURIComponent(companyId)}`,
        ...(loaded ? { restore: loaded.snapshot } : {}),
      });
      let answer: HostedAnswer;
      let snapshot: SimulatorSnapshot;
      try {
        answer = await forward(
          simulator,
          { ...request, path: rest },
          new URL(publicUrl).host,
          options.deadline(),
        );
        snapshot = trimmed(simulator.snapshot());
      } finally {
        await simulator.close();
      }
      if (loaded && JSON.stringify(snapshot) === JSON.stringify(loaded.snapshot)) return answer;
      if (await options.store.save(companyId, snapshot, loaded?.version)) return answer;
      // Another request of the company wrote first: run again on its state, after a jittered wait.
      await sleep(Math.random() * Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt));
    }
    return {
      ...json(503, { error: 'too many requests at once for this sandbox company' }),
      headers: retryAfter,
    };
  };
}

const retryAfter = { 'content-type': 'application/json', 'retry-after': '1' };

/**
 * The request at the simulator's own port, under the public host name (the token endpoint answers a request for
 * another host with Concur's "user lives elsewhere"); an answer it never gives (a hang, a dropped socket) is a 502.
 */
function forward(
  simulator: Simulator,
  request: HostedRequest,
  publicHost: string,
  deadline: number,
): Promise<HostedAnswer> {
  const headers: Record<string, string> = { host: publicHost };
  for (const name of FORWARDED_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const body = Buffer.from(request.body, 'utf8');
  if (body.length > 0) headers['content-length'] = String(body.length);
  return new Promise((resolve) => {
    const noAnswer = () =>
      resolve(json(502, { error: 'the sandbox gave no answer (an injected hang or lost answer)' }));
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: simulator.port,
        method: request.method,
        path: `${request.path}${request.query ? `?${request.query}` : ''}`,
        headers,
        timeout: Math.max(1, deadline - Date.now()),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', noAnswer);
        response.on('end', () => {
          const answerHeaders: Record<string, string> = {};
          for (const name of ANSWERED_HEADERS) {
            const value = response.headers[name];
            if (typeof value === 'string') answerHeaders[name] = value;
          }
          resolve({
            status: response.statusCode ?? 502,
            headers: answerHeaders,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
    );
    outgoing.on('timeout', () => outgoing.destroy());
    outgoing.on('error', noAnswer);
    outgoing.end(body);
  });
}

function trimmed(snapshot: SimulatorSnapshot): SimulatorSnapshot {
  if (snapshot.trips.length <= MAX_TRIPS_PER_COMPANY) return snapshot;
  return { ...snapshot, trips: snapshot.trips.slice(-MAX_TRIPS_PER_COMPANY) };
}

/** Each company's ids and tokens drawn from a stream of its own. */
function seedOf(companyId: string): number {
  let hash = 0x811c9dc5;
  for (const char of companyId) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return hash;
}

function safeDecode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function json(status: number, body: unknown): HostedAnswer {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}
