export {
  ACTIVITY_INDEX,
  createTables,
  IDEMPOTENCY_TABLE,
  STATE_TABLE,
  TRIPS_INDEX,
  type TableNames,
} from './tables';
export { DynamoBookingMappings, type DynamoBookingMappingsOptions } from './booking-mappings';
export { DynamoLocks, type DynamoLocksOptions } from './lease';
export { DynamoTripKeys, type DynamoTripKeysOptions } from './trip-keys';
export {
  DynamoTravelerTripWindows,
  TRAVELER_WINDOW_RETENTION_MS,
  type DynamoTravelerTripWindowsOptions,
} from './traveler-trip-windows';
