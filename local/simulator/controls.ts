/**
 * The controls a test (in process) and the admin HTTP API (`/_sim/…`) share: faults, and the token failures
 * that are faults from a client's point of view (an access token expiring or a refresh token revoked now).
 */
import type {
  ErrorRateRule,
  FailureAction,
  FaultOptions,
  LatencyRule,
  RouteSelector,
} from '../../shared/sandbox/fault-rules';
import type { FaultController, FaultSets } from './faults';
import type { TokenRegistry } from './tokens';

/** One set of faults: the one every call meets, or one company's own. */
export interface FaultSetControls {
  /** Fixed (`ms`) or random (`minMs`…`maxMs`) latency for a route, or for every route (`route: '*'`). */
  setLatency(rule: LatencyRule): void;
  /** A share of a route's calls (or every route's) answered with `status`. */
  setErrorRate(rule: ErrorRateRule): void;
  /** The next `times` calls of the route fail with `action`. */
  failNext(route: RouteSelector, action: FailureAction, times?: number): void;
  /** Replaces every latency, error rate and scripted failure of the set with those given. */
  replace(options: FaultOptions): void;
  /** Removes every latency, error rate and scripted failure (of every set, when called on the shared one). */
  clear(): void;
  /** The faults in force in the set. */
  rules(): Required<FaultOptions>;
}

export interface SimulatorFaults extends FaultSetControls {
  /** The company's own set: its faults strike only the calls made with the company's tokens. */
  company(companyId: string): FaultSetControls;
  /** Expires every access token of the company now: API calls with them get 403. Returns how many. */
  expireAccessToken(companyId: string): number;
  /** Revokes an access token now: API calls with it get 403. */
  revokeAccessToken(accessToken: string): boolean;
  /** Revokes a refresh token now: refreshing with it gets invalid_grant. */
  revokeRefreshToken(refreshToken: string): boolean;
}

const controlsOf = (set: FaultController, clear: () => void): FaultSetControls => ({
  setLatency: (rule) => set.setLatency(rule),
  setErrorRate: (rule) => set.setErrorRate(rule),
  failNext: (route, action, times) => set.failNext(route, action, times),
  replace: (options) => set.replace(options),
  clear,
  rules: () => set.snapshot(),
});

export function createSimulatorFaults(faults: FaultSets, tokens: TokenRegistry): SimulatorFaults {
  return {
    ...controlsOf(faults.shared, () => faults.clear()),
    company: (companyId) => {
      if (!tokens.company(companyId)) throw new Error(`unknown company "${companyId}"`);
      const set = faults.of(companyId);
      return controlsOf(set, () => set.clear());
    },
    expireAccessToken: (companyId) => tokens.expireAccessTokens(companyId),
    revokeAccessToken: (token) => tokens.revokeAccessToken(token),
    revokeRefreshToken: (token) => tokens.revokeRefreshToken(token),
  };
}
