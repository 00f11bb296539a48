/**
 * Fault injection: latency (fixed or random, per route or for all), error rates per status, and scripted
 * failures for the next N calls of a route (a status with Retry-After, a hang, a destroyed connection, a
 * malformed or hostile XML answer), each optionally after the request took effect (`commit`). One set strikes
 * every company's calls; each company may have a set of its own besides, which strikes only the calls made with
 * that company's tokens (a test key's sandbox company rehearses a 503 storm without any other company seeing it).
 * Random decisions come from seeded generators, so a seed replays the same faults.
 */
import {
  errorRateRuleSchema,
  faultOptionsSchema,
  latencyRuleSchema,
  scriptedFailureSchema,
} from '../../shared/sandbox/fault-rules';
import type {
  ApiRoute,
  ErrorRateRule,
  FailureAction,
  FaultOptions,
  LatencyRule,
  RouteSelector,
} from '../../shared/sandbox/fault-rules';
import { SeededRandom, streamSeed } from './random';

/** What happens to one call. */
export interface FaultPlan {
  delayMs: number;
  failure?: FailureAction;
  /** Names the fault in the request log, e.g. `next:status 503`, `error-rate:503`. */
  label?: string;
}

interface QueuedFailure {
  route: RouteSelector;
  action: FailureAction;
  remaining: number;
}

export type FaultsSnapshot = Required<FaultOptions> & { random: number };

export class FaultController {
  private random: SeededRandom;
  private latencies = new Map<RouteSelector, LatencyRule>();
  private errorRates: ErrorRateRule[] = [];
  private queue: QueuedFailure[] = [];

  constructor(
    private readonly seed: number,
    private readonly initial: FaultOptions = {},
  ) {
    this.random = new SeededRandom(seed, 'faults');
    this.reset();
  }

  /** Back to the faults given in the options, with the random generator reseeded. */
  reset(): void {
    this.random = new SeededRandom(this.seed, 'faults');
    this.clear();
    for (const rule of this.initial.latency ?? []) this.setLatency(rule);
    for (const rule of this.initial.errorRates ?? []) this.setErrorRate(rule);
    for (const failure of this.initial.next ?? [])
      this.failNext(failure.route, failure.action, failure.times);
  }

  /** Removes every fault. */
  clear(): void {
    this.latencies = new Map();
    this.errorRates = [];
    this.queue = [];
  }

  /** Replaces every fault with those given. */
  replace(options: FaultOptions): void {
    const parsed = faultOptionsSchema.parse(options);
    this.clear();
    for (const rule of parsed.latency ?? []) this.setLatency(rule);
    for (const rule of parsed.errorRates ?? []) this.setErrorRate(rule);
    for (const failure of parsed.next ?? []) this.failNext(failure.route, failure.action, failure.times);
  }

  /** Sets the latency of a route (or of every route: `*`), replacing its previous rule. */
  setLatency(rule: LatencyRule): void {
    const parsed = latencyRuleSchema.parse(rule);
    this.latencies.set(parsed.route ?? '*', parsed);
  }

  /** Sets the rate of one status on a route (or on every route), replacing the previous rate of that pair. */
  setErrorRate(rule: ErrorRateRule): void {
    const parsed = errorRateRuleSchema.parse(rule);
    const route = parsed.route ?? '*';
    this.errorRates = this.errorRates.filter(
      (r) => !((r.route ?? '*') === route && r.status === parsed.status),
    );
    if (parsed.rate > 0) this.errorRates.push({ ...parsed, route });
  }

  /** The next `times` calls of the route fail with `action`, after any failures already queued for it. */
  failNext(route: RouteSelector, action: FailureAction, times = 1): void {
    const parsed = scriptedFailureSchema.parse({ route, action, times });
    this.queue.push({ route: parsed.route, action: parsed.action, remaining: parsed.times ?? 1 });
  }

  snapshot(): Required<FaultOptions> {
    return {
      latency: [...this.latencies.values()],
      errorRates: [...this.errorRates],
      next: this.queue.map((q) => ({ route: q.route, action: q.action, times: q.remaining })),
    };
  }

  /** The faults in force and where the dice stand, for a snapshot of the simulator. */
  save(): FaultsSnapshot {
    return { ...this.snapshot(), random: this.random.state };
  }

  /** Puts back the faults of a snapshot (see save). */
  restore(saved: FaultsSnapshot): void {
    this.clear();
    for (const rule of saved.latency) this.setLatency(rule);
    for (const rule of saved.errorRates) this.setErrorRate(rule);
    for (const failure of saved.next) this.failNext(failure.route, failure.action, failure.times);
    this.random.state = saved.random;
  }

  /** Decides one call's fate (consuming a scripted failure when one matches). */
  plan(route: ApiRoute): FaultPlan {
    const delayMs = this.delayFor(route);
    const queued = this.queue.find((q) => q.route === route || q.route === '*');
    if (queued) {
      queued.remaining--;
      if (queued.remaining <= 0) this.queue = this.queue.filter((q) => q !== queued);
      return { delayMs, failure: queued.action, label: `next:${describe(queued.action)}` };
    }
    for (const rule of this.errorRates) {
      if (rule.route !== route && rule.route !== '*') continue;
      if (this.random.float() < rule.rate) {
        const failure: FailureAction = {
          kind: 'status',
          status: rule.status,
          ...(rule.retryAfter !== undefined ? { retryAfter: rule.retryAfter } : {}),
        };
        return { delayMs, failure, label: `error-rate:${rule.status}` };
      }
    }
    return { delayMs };
  }

  private delayFor(route: ApiRoute): number {
    const rule = this.latencies.get(route) ?? this.latencies.get('*');
    if (!rule) return 0;
    if (rule.ms !== undefined) return rule.ms;
    return this.random.int(Math.round(rule.minMs ?? 0), Math.round(rule.maxMs ?? 0));
  }
}

/** The shared set and each company's own, as a snapshot of the simulator keeps them. */
export type FaultSetsSnapshot = FaultsSnapshot & { companies?: Record<string, FaultsSnapshot> };

/**
 * The set every call meets and the sets of single companies. A call made with a company's tokens meets its
 * company's set first: a failure scripted or drawn there strikes it; otherwise the shared set decides. Its delay
 * is the longer of the two sets' latencies.
 */
export class FaultSets {
  readonly shared: FaultController;
  private companies = new Map<string, FaultController>();

  constructor(
    private readonly seed: number,
    initial: FaultOptions = {},
  ) {
    this.shared = new FaultController(seed, initial);
  }

  /** The company's own set, made empty the first time it is asked for. */
  of(companyId: string): FaultController {
    let set = this.companies.get(companyId);
    if (!set) {
      // Each company draws from a stream of its own: one company's calls never move another's dice.
      set = new FaultController(streamSeed(this.seed, `faults:${companyId}`));
      this.companies.set(companyId, set);
    }
    return set;
  }

  /** Back to the shared faults given in the options; no company keeps a set. */
  reset(): void {
    this.shared.reset();
    this.companies = new Map();
  }

  /** Removes every fault, of every set. */
  clear(): void {
    this.shared.clear();
    this.companies = new Map();
  }

  plan(route: ApiRoute, companyId: string | undefined): FaultPlan {
    const own = companyId === undefined ? undefined : this.companies.get(companyId)?.plan(route);
    if (own?.failure) return own;
    const shared = this.shared.plan(route);
    return { ...shared, delayMs: Math.max(shared.delayMs, own?.delayMs ?? 0) };
  }

  save(): FaultSetsSnapshot {
    const companies: Record<string, FaultsSnapshot> = {};
    for (const [companyId, set] of this.companies) {
      const saved = set.save();
      if (saved.latency.length + saved.errorRates.length + saved.next.length > 0)
        companies[companyId] = saved;
    }
    return { ...this.shared.save(), ...(Object.keys(companies).length > 0 ? { companies } : {}) };
  }

  restore(saved: FaultSetsSnapshot): void {
    const { companies, ...shared } = saved;
    this.shared.restore(shared);
    this.companies = new Map();
    for (const [companyId, set] of Object.entries(companies ?? {})) this.of(companyId).restore(set);
  }
}

function describe(action: FailureAction): string {
  const base =
    action.kind === 'status'
      ? `status ${action.status}`
      : action.kind === 'hostile-xml'
        ? `hostile-xml ${action.variant ?? 'entity-bomb'}`
        : action.kind === 'oversized'
          ? `oversized ${action.bytes}`
          : action.kind;
  return 'commit' in action && action.commit ? `${base} after commit` : base;
}
