export { createTables, IDEMPOTENCY_TABLE, STATE_TABLE, type TableNames } from './tables';
export { DynamoBookingMappings, type DynamoBookingMappingsOptions } from './booking-mappings';
export { DynamoLocks, type DynamoLocksOptions } from './lease';
