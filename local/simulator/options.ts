/**
 * The simulator's options and their defaults. Out of the box: one company, `demo-company`, acting for the
 * seeds' traveler `cm@example.com`, with a client `demo-company-client`/`demo-company-secret`, a static access
 * token and a refresh token, tokens living 1 hour and 6 months, the system clock and seed 1.
 */
import type { FaultOptions } from '../../shared/sandbox/fault-rules';
import type { SimulatorSnapshot } from './snapshot';
import { DEFAULT_USERS } from './identity';
import type { Clock } from './time';
import { systemClock } from './time';
import type { ClientOptions, CompanyOptions, ResolvedCompany } from './tokens';

export interface SimulatorOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: one company, `demo-company`. */
  companies?: CompanyOptions[];
  /** OAuth clients accepted by the token endpoint; a company without one gets `{id}-client`/`{id}-secret`. */
  clients?: ClientOptions[];
  /** Default 3600 (Concur: one hour). */
  accessTokenLifetimeSeconds?: number;
  /** Default 182 days (Concur: six months). */
  refreshTokenLifetimeSeconds?: number;
  /**
   * Whether a refresh moves the refresh token's end to a full lifetime from now (default true: a refresh grant
   * keeps a connection alive, as Concur's migration guide says); false keeps the end the first token had.
   */
  refreshExtendsLifetime?: boolean;
  /**
   * Whether a refresh answers a new refresh token, the old one then refused (default false: the refresh token it was
   * given, which stays valid, as Concur does most of the time). A client's `rotateRefreshTokens` overrides it.
   */
  rotateRefreshTokens?: boolean;
  /** Time as the simulator sees it (token expiry, generated dates, list defaults); see createManualClock. */
  clock?: Clock;
  /** Seeds the generated ids and tokens and the random faults. Default 1. */
  seed?: number;
  /** Faults in force from the start (and again after a reset). */
  faults?: FaultOptions;
  /** Largest request body accepted; default 5 MiB. */
  maxBodyBytes?: number;
  /** Keep the trips in this file across restarts (default: in memory only). */
  stateFile?: string;
  /**
   * The URL clients reach the simulator at when it is not its own listening address (a hosted sandbox behind a
   * function URL): what the token endpoint answers as the geolocation and trips name in their links.
   */
  publicUrl?: string;
  /** Starts from this state (see Simulator.snapshot) instead of the options' fresh one. */
  restore?: SimulatorSnapshot;
  /** Waits between ESS delivery attempts of one event (default 1 s, 5 s, 30 s, 2 min, 10 min). */
  essRetryDelaysMs?: number[];
}

export const DEFAULT_COMPANY_ID = 'demo-company';
/** The traveler of the seeds' examples. */
export const DEFAULT_USER = 'cm@example.com';

export interface ResolvedOptions {
  port: number;
  host: string;
  companies: ResolvedCompany[];
  clients: ClientOptions[];
  accessTokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  refreshExtendsLifetime: boolean;
  rotateRefreshTokens: boolean;
  clock: Clock;
  seed: number;
  faults: FaultOptions;
  maxBodyBytes: number;
  essRetryDelaysMs?: number[];
}

export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const companies = (options.companies ?? [{ id: DEFAULT_COMPANY_ID }]).map((company) => ({
    ...company,
    defaultUser: company.defaultUser ?? DEFAULT_USER,
    users: company.users ?? (company.id === DEFAULT_COMPANY_ID ? [...DEFAULT_USERS] : []),
  }));
  if (companies.length === 0) throw new Error('the simulator needs at least one company');
  const ids = new Set<string>();
  for (const company of companies) {
    if (ids.has(company.id)) throw new Error(`company "${company.id}" is configured twice`);
    ids.add(company.id);
  }
  const clients = options.clients ?? [];
  for (const client of clients) {
    if (!ids.has(client.companyId))
      throw new Error(`client "${client.clientId}" names unknown company "${client.companyId}"`);
  }
  return {
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    companies,
    clients,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    refreshTokenLifetimeSeconds: options.refreshTokenLifetimeSeconds ?? 182 * 24 * 3600,
    refreshExtendsLifetime: options.refreshExtendsLifetime ?? true,
    rotateRefreshTokens: options.rotateRefreshTokens ?? false,
    clock: options.clock ?? systemClock,
    seed: options.seed ?? 1,
    faults: options.faults ?? {},
    maxBodyBytes: options.maxBodyBytes ?? 5 * 1024 * 1024,
    ...(options.essRetryDelaysMs ? { essRetryDelaysMs: options.essRetryDelaysMs } : {}),
  };
}
