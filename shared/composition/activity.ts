/** The supplier's activity: each booking's history, and the listings of its bookings and operations. */
import { DynamoBookingMappings } from '../adapters/dynamodb/booking-mappings';
import { DynamoSupplierActivity } from '../activity/dynamo-activity';
import { SupplierActivityReader } from '../activity/listings';
import { once } from './container';
import { dynamoDbClient, stateTableName } from './dynamodb';

export const supplierActivity = (): DynamoSupplierActivity =>
  once(
    'activity',
    () => new DynamoSupplierActivity({ client: dynamoDbClient(), tableName: stateTableName() }),
  );

export const activityReader = (): SupplierActivityReader =>
  once(
    'activityReader',
    () =>
      new SupplierActivityReader({
        activity: supplierActivity(),
        mappings: new DynamoBookingMappings({ client: dynamoDbClient(), tableName: stateTableName() }),
      }),
  );
