export {
  APP_ID_PATTERN,
  AppNotConfiguredError,
  AUTH_SCHEMES,
  CompanyAuthRefusedError,
  CompanyCredentials,
  CompanyNotConfiguredError,
  DEFAULT_APP_ID,
  DEFAULT_SECRET_PREFIX,
  MalformedSecretError,
  type AppCredentials,
  type AuthScheme,
  type CompanyCredentialsOptions,
  type CompanyTokens,
  type ConnectionRef,
} from './company-credentials';
export { AppDirectory, DEFAULT_APP_CACHE_MAX_AGE_MS, type AppDirectoryOptions } from './app-directory';
export {
  featuresOf,
  IDENTITY_ENTERPRISE_SCOPE,
  IDENTITY_SEARCH_SCOPES,
  ITINERARY_SCOPE,
  missingLookupScopes,
  type TravelerLookupKind,
} from './scopes';
export {
  RefreshTooSoonError,
  TOKEN_PROVIDER_DEFAULTS,
  TokenProvider,
  TokenRefreshTimeoutError,
  TokenWriteBackError,
  type CompanyAccess,
  type RefreshInput,
  type RefreshResult,
  type RefreshTokens,
  type TokenLogger,
  type TokenProviderOptions,
} from './token-provider';
