/**
 * The Concur sandbox simulator: a stateful local SAP Concur Itinerary v1.1 + OAuth2 server, faithful to the seed
 * documents, with fault injection and a request log. See docs/simulator.md.
 */
export { startSimulator } from './simulator';
export type {
  Simulator,
  SimulatorEss,
  SimulatorState,
  SimulatorTokens,
  SimulatorTraveler,
} from './simulator';
export type { EssAttempt, EssEvent, EssSubscription } from './ess';
export type { TravelerChange } from './traveler-actions';
export { DEFAULT_COMPANY_ID, DEFAULT_USER } from './options';
export type { SimulatorOptions } from './options';
export type { ClientOptions, CompanyOptions, IssueOptions, Principal, TokenPair } from './tokens';
export type { SimulatorFaults } from './controls';
export type {
  ApiRoute,
  ErrorRateRule,
  FailureAction,
  FaultOptions,
  LatencyRule,
  RouteSelector,
  ScriptedFailure,
} from '../../shared/sandbox/fault-rules';
export { API_ROUTES } from '../../shared/sandbox/fault-rules';
export type { RequestLog, RequestLogEntry, RequestOutcome } from './request-log';
export type { StoredBooking, StoredTrip } from './stored-trip';
export type { Viewer } from './render';
export { createManualClock, systemClock } from './time';
export type { Clock, ManualClock } from './time';
export { CORRELATION_HEADER } from './http/server';
export { registerSimulatorCommand, DEFAULT_SIMULATOR_PORT } from './command';
export type { SimulatorCommandIo } from './command';
