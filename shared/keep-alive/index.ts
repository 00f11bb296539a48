export {
  ConnectionKeepAlive,
  KEEP_ALIVE_DEFAULTS,
  type ConnectionKept,
  type KeepAliveDependencies,
  type KeepAliveOptions,
  type KeepAliveOutcome,
  type KeepAliveReport,
} from './keep-alive';
