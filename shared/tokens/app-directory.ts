/**
 * The Concur apps as the functions need them on every write and every Concur call: which booking sources Concur
 * approved for each, and its own outbound limits. An app's secret is read once and kept for `cacheMaxAgeMs`, so a
 * change by an operator counts within that time.
 */
import type { AppRateSettings } from '../app-limits';
import type { Clock } from '../gateway/ports';
import { AppNotConfiguredError } from './company-credentials';
import type { AppCredentials, CompanyCredentials } from './company-credentials';

export const DEFAULT_APP_CACHE_MAX_AGE_MS = 5 * 60_000;

export interface AppDirectoryOptions {
  credentials: CompanyCredentials;
  cacheMaxAgeMs?: number;
  clock?: Clock;
}

export class AppDirectory {
  private readonly cache = new Map<string, { readAtMs: number; app: Promise<AppCredentials> }>();
  private readonly cacheMaxAgeMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: AppDirectoryOptions) {
    this.cacheMaxAgeMs = options.cacheMaxAgeMs ?? DEFAULT_APP_CACHE_MAX_AGE_MS;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  /** The booking sources Concur approved for the app; undefined when it may post any (see AppCredentials). */
  async approvedBookingSources(appId: string): Promise<readonly string[] | undefined> {
    return (await this.app(appId)).bookingSources;
  }

  /** The app's own outbound limits; undefined when the app has no secret (its calls count under the defaults). */
  async rateSettings(appId: string): Promise<AppRateSettings | undefined> {
    try {
      const { ratePerMinute, ratePerHour } = await this.app(appId);
      return { ratePerMinute, ratePerHour };
    } catch (error) {
      if (error instanceof AppNotConfiguredError) return undefined;
      throw error;
    }
  }

  private app(appId: string): Promise<AppCredentials> {
    const now = this.clock.now();
    const cached = this.cache.get(appId);
    if (cached && now - cached.readAtMs < this.cacheMaxAgeMs) return cached.app;
    const app = this.options.credentials.readApp(appId);
    // A failed read is not kept: the next call reads again.
    app.catch(() => this.cache.delete(appId));
    this.cache.set(appId, { readAtMs: now, app });
    return app;
  }
}
