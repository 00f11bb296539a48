/** The Concur Itinerary v1.1 + OAuth2 client. Policy: README.md in this folder. */
export { ConcurClient } from './client';
export type { ConcurClientOptions, TripCancellation } from './client';
export type { ConcurResult } from './result';
export type { PageRequest, Paging, TripListFilters, TripListPage } from './trip-list';
export type { TokenRefreshRequest, TokenRefreshResult } from './token-refresh';
export type { FoundUser, UserLookup, UserSearchResult } from './identity';
export { ConcurApiError } from './errors';
export type { ConcurErrorDetails, ConcurErrorKind } from './errors';
export { DEFAULT_RETRY_POLICY } from './retry-policy';
export type { RetryPolicy } from './retry-policy';
export { CORRELATION_HEADER } from './http-attempt';
export type { ClientLogger, ConcurCallContext, Sleep } from './transport';
export { CONCUR_GLZ_URL, connectCompany } from './company-connect';
export type { CompanyConnectRequest, CompanyConnectResult } from './company-connect';
