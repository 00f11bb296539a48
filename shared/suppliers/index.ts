export { API_KEY_FORMAT, generateApiKey, hashApiKey } from './api-keys';
export {
  ApiKeyInUseError,
  MalformedApiKeyError,
  DynamoSupplierDirectory,
  MAX_SUPPLIER_RATE_PER_SECOND,
  SupplierExistsError,
  UnknownSupplierError,
  type ApiKeyRecord,
  type SupplierRecord,
  type DynamoSupplierDirectoryOptions,
  type SupplierDirectory,
} from './supplier-directory';
export {
  cachedAuthenticator,
  DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS,
  type CachedAuthenticatorOptions,
} from './cached-authenticator';
