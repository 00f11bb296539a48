export { API_KEY_PREFIX, generateApiKey, hashApiKey } from './api-keys';
export {
  ApiKeyInUseError,
  DynamoSupplierDirectory,
  UnknownSupplierError,
  type DynamoSupplierDirectoryOptions,
  type SupplierDirectory,
} from './supplier-directory';
