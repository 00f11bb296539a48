/**
 * The rules of the Concur simulator's fault injection, as data: what a test key's supplier sends to rehearse
 * Concur failing (`PUT /v1/sandbox/faults`) and what the simulator's admin API takes (`/_sim/faults`). The
 * gateway validates with these schemas before it asks the simulator, and the simulator with the same ones, so
 * both refuse the same mistakes with the same field paths. The simulator (local/simulator/faults.ts) applies them.
 */
import * as z from '../zod';

/** The operations the simulator serves, by name: fault rules and the request log name them. */
export const API_ROUTES = [
  'token',
  'tripList',
  'tripGet',
  'tripCreate',
  'tripUpdate',
  'tripCancel',
  'bookingPost',
  'bookingCancel',
  'identitySearch',
  'tripGetV4',
] as const;

export type ApiRoute = (typeof API_ROUTES)[number];

export type RouteSelector = ApiRoute | '*';

/**
 * What a failing call gets. `commit: true` lets the request take effect on the server first: the write happened
 * but the client cannot know (`{ kind: 'destroy', commit: true }` is "succeeds on the server, the response never
 * arrives").
 */
export type FailureAction =
  | { kind: 'status'; status: number; retryAfter?: number; message?: string; commit?: boolean }
  /** Never answer, until the client gives up (or the simulator closes). */
  | { kind: 'hang'; commit?: boolean }
  /** Read the request, then destroy the connection without a response. */
  | { kind: 'destroy'; commit?: boolean }
  /** 200 with a truncated document (for the token route: truncated JSON). */
  | { kind: 'malformed-xml'; commit?: boolean }
  /** 200 with a DOCTYPE: an entity expansion bomb, or an external entity pointing at a local file. */
  | { kind: 'hostile-xml'; variant?: 'entity-bomb' | 'external-entity'; commit?: boolean }
  /**
   * The simulator's own answer (the request takes effect), grown to `bytes` with elements Concur's public schema
   * lacks after everything else, as the answer for a trip holding thousands of bookings would be.
   */
  | { kind: 'oversized'; bytes: number }
  /** This XML instead of the simulator's own answer (e.g. one of Concur's documented itineraries). */
  | { kind: 'answer'; xml: string; status?: number; commit?: boolean };

export interface LatencyRule {
  /** A route, or `*` (the default) for every route without a rule of its own. */
  route?: RouteSelector;
  /** Fixed delay; or a random delay between minMs and maxMs. */
  ms?: number;
  minMs?: number;
  maxMs?: number;
}

export interface ErrorRateRule {
  route?: RouteSelector;
  status: number;
  /** 0 to 1: the share of calls that get `status`. */
  rate: number;
  retryAfter?: number;
}

export interface ScriptedFailure {
  route: RouteSelector;
  action: FailureAction;
  /** How many of the next matching calls fail (default 1). */
  times?: number;
}

export interface FaultOptions {
  latency?: LatencyRule[];
  errorRates?: ErrorRateRule[];
  next?: ScriptedFailure[];
}

const routeSelector = z.enum(['*', ...API_ROUTES]);
const commit = z.optional(z.boolean());
const httpStatus = z.number().check(z.int(), z.gte(100), z.lte(599));

export const failureActionSchema: z.ZodMiniType<FailureAction> = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: httpStatus,
    retryAfter: z.optional(z.number().check(z.int(), z.gte(0))),
    message: z.optional(z.string()),
    commit,
  }),
  z.object({ kind: z.literal('hang'), commit }),
  z.object({ kind: z.literal('destroy'), commit }),
  z.object({ kind: z.literal('malformed-xml'), commit }),
  z.object({
    kind: z.literal('hostile-xml'),
    variant: z.optional(z.enum(['entity-bomb', 'external-entity'])),
    commit,
  }),
  z.object({
    kind: z.literal('oversized'),
    bytes: z.number().check(z.int(), z.gte(1), z.lte(64 * 1024 * 1024)),
  }),
  z.object({ kind: z.literal('answer'), xml: z.string(), status: z.optional(httpStatus), commit }),
]);

export const latencyRuleSchema: z.ZodMiniType<LatencyRule> = z
  .object({
    route: z.optional(routeSelector),
    ms: z.optional(z.number().check(z.gte(0))),
    minMs: z.optional(z.number().check(z.gte(0))),
    maxMs: z.optional(z.number().check(z.gte(0))),
  })
  .check(
    z.refine(
      (r) => r.ms !== undefined || (r.minMs !== undefined && r.maxMs !== undefined && r.minMs <= r.maxMs),
      {
        message: 'give ms, or minMs and maxMs with minMs <= maxMs',
      },
    ),
  );

export const errorRateRuleSchema: z.ZodMiniType<ErrorRateRule> = z.object({
  route: z.optional(routeSelector),
  status: httpStatus,
  rate: z.number().check(z.gte(0), z.lte(1)),
  retryAfter: z.optional(z.number().check(z.int(), z.gte(0))),
});

export const scriptedFailureSchema: z.ZodMiniType<ScriptedFailure> = z.object({
  route: routeSelector,
  action: failureActionSchema,
  times: z.optional(z.number().check(z.int(), z.gte(1))),
});

/** A whole set of faults, as `PUT /_sim/faults` replaces one (each list optional). */
export const faultOptionsSchema: z.ZodMiniType<FaultOptions> = z.strictObject({
  latency: z.optional(z.array(latencyRuleSchema).check(z.maxLength(50))),
  errorRates: z.optional(z.array(errorRateRuleSchema).check(z.maxLength(50))),
  next: z.optional(z.array(scriptedFailureSchema).check(z.maxLength(50))),
});
