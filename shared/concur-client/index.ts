/** The Concur Itinerary v1.1 + OAuth2 client. Policy: README.md in this folder. */
export { ConcurClient } from './client';
export type { ConcurClientOptions, ConcurResult, Paging, TripListFilters, TripListPage } from './client';
export { ConcurApiError } from './errors';
export type { ConcurErrorDetails, ConcurErrorKind } from './errors';
export { DEFAULT_RETRY_POLICY } from './retry-policy';
export type { RetryPolicy } from './retry-policy';
export { CORRELATION_HEADER } from './transport';
export type { ClientLogger, ConcurCallContext } from './transport';
