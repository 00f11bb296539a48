/**
 * The controls a test (in process) and the admin HTTP API (`/_sim/…`) share: faults, and the token failures
 * that are faults from a client's point of view (an access token expiring or a refresh token revoked now).
 */
import type {
  ErrorRateRule,
  FailureAction,
  FaultController,
  FaultOptions,
  LatencyRule,
  RouteSelector,
} from './faults';
import type { TokenRegistry } from './tokens';

export interface SimulatorFaults {
  /** Fixed (`ms`) or random (`minMs`…`maxMs`) latency for a route, or for every route (`route: '*'`). */
  setLatency(rule: LatencyRule): void;
  /** A share of a route's calls (or every route's) answered with `status`. */
  setErrorRate(rule: ErrorRateRule): void;
  /** The next `times` calls of the route fail with `action`. */
  failNext(route: RouteSelector, action: FailureAction, times?: number): void;
  /** Removes every latency, error rate and scripted failure. */
  clear(): void;
  /** The faults in force. */
  rules(): Required<FaultOptions>;
  /** Expires every access token of the company now: API calls with them get 403. Returns how many. */
  expireAccessToken(companyId: string): number;
  /** Revokes an access token now: API calls with it get 403. */
  revokeAccessToken(accessToken: string): boolean;
  /** Revokes a refresh token now: refreshing with it gets invalid_grant. */
  revokeRefreshToken(refreshToken: string): boolean;
}

export function createSimulatorFaults(faults: FaultController, tokens: TokenRegistry): SimulatorFaults {
  return {
    setLatency: (rule) => faults.setLatency(rule),
    setErrorRate: (rule) => faults.setErrorRate(rule),
    failNext: (route, action, times) => faults.failNext(route, action, times),
    clear: () => faults.clear(),
    rules: () => faults.snapshot(),
    expireAccessToken: (companyId) => tokens.expireAccessTokens(companyId),
    revokeAccessToken: (token) => tokens.revokeAccessToken(token),
    revokeRefreshToken: (token) => tokens.revokeRefreshToken(token),
  };
}
