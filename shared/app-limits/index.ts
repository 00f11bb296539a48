/**
 * Each Concur app's outbound limit. Concur counts the calls of an app (a partner application) across every
 * company it serves and every geolocation they sit in: at most 4,000 a minute and 240,000 an hour (the TMC
 * itinerary guide). The gateway counts every request it sends under an app's credentials (Itinerary, Identity,
 * the token refreshes, a company's connect through GLZ) against one limit of that app, below Concur's: 3,000 a
 * minute and 200,000 an hour unless the app sets its own (`apps update --rate-per-minute … --rate-per-hour …`).
 */
import type { RateLimits } from '../adapters/dynamodb/rate-window';

/** Requests a minute of an app without a limit of its own (Concur allows 4,000). */
export const DEFAULT_APP_RATE_PER_MINUTE = 3_000;
/** Requests an hour of an app without a limit of its own (Concur allows 240,000). */
export const DEFAULT_APP_RATE_PER_HOUR = 200_000;
/** The minute's limit is counted by the second, a sixtieth each: less than one a second cannot be counted. */
export const MIN_APP_RATE_PER_MINUTE = 60;

/** An app's own limits, as its record keeps them; an absent one is the deployment's default. */
export interface AppRateSettings {
  ratePerMinute?: number;
  ratePerHour?: number;
}

/** The limits of an app with its own settings (undefined: the app is unknown, so the defaults) over the defaults. */
export function appRateLimits(
  settings: AppRateSettings | undefined,
  defaults: Required<RateLimits> = {
    perMinute: DEFAULT_APP_RATE_PER_MINUTE,
    perHour: DEFAULT_APP_RATE_PER_HOUR,
  },
): Required<RateLimits> {
  return {
    perMinute: settings?.ratePerMinute ?? defaults.perMinute,
    perHour: settings?.ratePerHour ?? defaults.perHour,
  };
}

/** The deployment's defaults: CONCUR_RATE_PER_MINUTE and CONCUR_RATE_PER_HOUR, else the product's. */
export function defaultAppRateLimits(env: NodeJS.ProcessEnv = process.env): Required<RateLimits> {
  return {
    perMinute: Number(env.CONCUR_RATE_PER_MINUTE || DEFAULT_APP_RATE_PER_MINUTE),
    perHour: Number(env.CONCUR_RATE_PER_HOUR || DEFAULT_APP_RATE_PER_HOUR),
  };
}
