/**
 * Keeping Concur connections alive. A refresh token expires six months after Concur issued it unless it is used,
 * and a company whose suppliers are quiet would lose its connection silently: a run refreshes every connection
 * Concur has not issued tokens for since `olderThanMs`, through the token provider (its lease, its write-back),
 * so it never races a refresh of live traffic. Run on a schedule (a Lambda function on AWS, a timer in
 * `npm start`) and by hand (`companies keep-alive`).
 *
 * What a person must act on is counted: a refresh Concur refused (the company must be connected again), a
 * connection still not refreshed for `staleAfterMs` (refreshes keep failing), and a refresh token within
 * `expiryWarningMs` of an expiry that refreshing did not move on.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Clock } from '../gateway/ports';
import type { GatewayMetrics } from '../observability/counter';
import { noMetrics } from '../observability/counter';
import { GATEWAY_METRICS } from '../observability/metric-names';
import { CompanyAuthRefusedError } from '../tokens/company-credentials';
import type { CompanyTokens, ConnectionRef } from '../tokens/company-credentials';

const DAY_MS = 24 * 3600_000;

export const KEEP_ALIVE_DEFAULTS = {
  /** A connection not refreshed for a week is refreshed: far inside the refresh token's six months. */
  olderThanMs: 7 * DAY_MS,
  /** Two weeks without a refresh means the runs' refreshes keep failing. */
  staleAfterMs: 14 * DAY_MS,
  /** As the token provider warns: a month before the refresh token ends. */
  expiryWarningMs: 30 * DAY_MS,
  /** Connections refreshed at once: each refresh is one call to Concur and a secret written. */
  concurrency: 4,
} as const;

export interface KeepAliveConnections {
  listConnections(): Promise<{ ref: ConnectionRef }[]>;
  readConnection(ref: ConnectionRef): Promise<CompanyTokens>;
}

export interface KeepAliveTokens {
  refreshIfOlderThan(connection: ConnectionRef, sinceMs: number): Promise<void>;
}

export type KeepAliveLogger = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface KeepAliveDependencies {
  connections: KeepAliveConnections;
  tokens: KeepAliveTokens;
  logger?: KeepAliveLogger;
  metrics?: GatewayMetrics;
  clock?: Clock;
}

export interface KeepAliveOptions {
  olderThanMs?: number;
  staleAfterMs?: number;
  expiryWarningMs?: number;
  concurrency?: number;
}

/**
 * What a run did with one connection: `refreshed`, `recent` (refreshed since the threshold, left alone),
 * `refused` (Concur refused its refresh tokens: connect the company again) or `failed` (no refresh this time,
 * e.g. Concur unavailable; the next run tries again).
 */
export type KeepAliveOutcome = 'refreshed' | 'recent' | 'refused' | 'failed';

export interface ConnectionKept {
  companyId: string;
  appId: string;
  outcome: KeepAliveOutcome;
  /** When Concur last issued the connection's tokens, after the run; null when never known. */
  refreshedAt: string | null;
  refreshExpiresAt: string | null;
  /** Not refreshed for `staleAfterMs`. */
  stale: boolean;
  /** Its refresh token ends within `expiryWarningMs`. */
  expiring: boolean;
  /** Why it failed or was refused (never a token). */
  reason?: string;
}

export interface KeepAliveReport {
  connections: ConnectionKept[];
  refreshed: number;
  recent: number;
  refused: number;
  failed: number;
  stale: number;
  expiring: number;
}

export class ConnectionKeepAlive {
  private readonly options: Required<KeepAliveOptions>;
  private readonly metrics: GatewayMetrics;
  private readonly now: () => number;

  constructor(
    private readonly deps: KeepAliveDependencies,
    options: KeepAliveOptions = {},
  ) {
    this.options = { ...KEEP_ALIVE_DEFAULTS, ...stripUndefined(options) };
    this.metrics = deps.metrics ?? noMetrics;
    this.now = () => (deps.clock ?? Date).now();
  }

  /** One run over every connection. */
  async run(overrides: Pick<KeepAliveOptions, 'olderThanMs'> = {}): Promise<KeepAliveReport> {
    const olderThanMs = overrides.olderThanMs ?? this.options.olderThanMs;
    const refs = (await this.deps.connections.listConnections()).map(({ ref }) => ref);
    const kept: ConnectionKept[] = new Array(refs.length);
    let next = 0;
    const worker = async () => {
      while (next < refs.length) {
        const index = next++;
        kept[index] = await this.keep(refs[index]!, olderThanMs);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, refs.length) }, worker));
    const report: KeepAliveReport = {
      connections: kept,
      refreshed: 0,
      recent: 0,
      refused: 0,
      failed: 0,
      stale: kept.filter((c) => c.stale).length,
      expiring: kept.filter((c) => c.expiring).length,
    };
    for (const connection of kept) report[connection.outcome] += 1;
    // Published on every run, zeros too: a graph and an alarm see that the runs happen.
    this.metrics.count(GATEWAY_METRICS.keepAliveRefreshed, report.refreshed);
    this.metrics.count(GATEWAY_METRICS.keepAliveRefused, report.refused);
    this.metrics.count(GATEWAY_METRICS.keepAliveFailed, report.failed);
    this.metrics.count(GATEWAY_METRICS.connectionsStale, report.stale);
    if (report.expiring > 0) this.metrics.count(GATEWAY_METRICS.refreshTokenExpiring, report.expiring);
    this.deps.logger?.info('connections kept alive', {
      connections: kept.length,
      refreshed: report.refreshed,
      recent: report.recent,
      refused: report.refused,
      failed: report.failed,
      stale: report.stale,
      expiring: report.expiring,
    });
    return report;
  }

  private async keep(ref: ConnectionRef, olderThanMs: number): Promise<ConnectionKept> {
    const { connections, tokens, logger } = this.deps;
    const sinceMs = this.now() - olderThanMs;
    let outcome: KeepAliveOutcome;
    let reason: string | undefined;
    try {
      const before = await connections.readConnection(ref);
      if (before.refreshedAt !== undefined && Date.parse(before.refreshedAt) >= sinceMs) {
        outcome = 'recent';
      } else {
        await tokens.refreshIfOlderThan(ref, sinceMs);
        outcome = 'refreshed';
      }
    } catch (error) {
      outcome = error instanceof CompanyAuthRefusedError ? 'refused' : 'failed';
      reason = (error as Error).message;
      const fields = { companyId: ref.companyId, appId: ref.appId, reason };
      if (outcome === 'refused')
        logger?.error('keep-alive refresh refused: connect the company again', fields);
      else logger?.warn('keep-alive refresh failed', fields);
    }
    return { ...ref, outcome, ...(await this.standing(ref)), ...(reason !== undefined ? { reason } : {}) };
  }

  /** The connection as stored after the run: when it was refreshed, until when its refresh token lasts. */
  private async standing(ref: ConnectionRef) {
    let tokens: CompanyTokens | undefined;
    try {
      tokens = await this.deps.connections.readConnection(ref);
    } catch {
      // Unreadable (malformed, or deleted meanwhile): the run's outcome already says why.
    }
    const refreshedAt = tokens?.refreshedAt ?? null;
    const refreshExpiresAt = tokens?.refreshExpiresAt ?? null;
    const now = this.now();
    return {
      refreshedAt,
      refreshExpiresAt,
      stale: refreshedAt === null || now - Date.parse(refreshedAt) >= this.options.staleAfterMs,
      expiring:
        refreshExpiresAt !== null && Date.parse(refreshExpiresAt) - now <= this.options.expiryWarningMs,
    };
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
