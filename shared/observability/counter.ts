/**
 * The gateway's own metrics: counts of events worth a graph or an alarm (a refresh token close to expiry, an
 * event parked) and durations (a Concur call). In Lambda each becomes a CloudWatch metric through Powertools
 * Metrics; elsewhere it may go nowhere. Names are CamelCase. Dimensions come from small fixed sets (an
 * operation name, a status class) and never name a company, supplier or traveler: each distinct set of
 * dimensions is a metric CloudWatch bills and keeps apart.
 */
export interface MetricDimensions {
  /** The gateway's name for a Concur operation, e.g. `postBooking`. */
  operation?: string;
  /** An HTTP status class (`2xx`, `4xx`, `429`, `5xx`) or `none` when no answer came. */
  status?: string;
}

export type CountEvent = (name: string, value?: number, dimensions?: MetricDimensions) => void;

/** Records how long something took, in milliseconds. */
export type TimeEvent = (name: string, milliseconds: number, dimensions?: MetricDimensions) => void;

export interface GatewayMetrics {
  count: CountEvent;
  time: TimeEvent;
}

export const countNothing: CountEvent = () => undefined;

export const noMetrics: GatewayMetrics = { count: countNothing, time: () => undefined };

/** The status class of an HTTP status; Concur's 429 (throttled) stays apart from other refusals. */
export function statusClassOf(status: number | undefined): string {
  if (status === undefined) return 'none';
  if (status === 429) return '429';
  return `${Math.floor(status / 100)}xx`;
}
