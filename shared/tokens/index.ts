export {
  AppNotConfiguredError,
  AUTH_SCHEMES,
  CompanyCredentials,
  CompanyNotConfiguredError,
  DEFAULT_SECRET_PREFIX,
  MalformedSecretError,
  type AppCredentials,
  type AuthScheme,
  type CompanyCredentialsOptions,
  type CompanyTokens,
} from './company-credentials';
export {
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
