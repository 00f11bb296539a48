/**
 * The two DynamoDB tables the gateway uses. The CDK stack imports these names, so this module makes no AWS
 * calls when it is imported; `createTables` is for the local default and the tests (dynalite).
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';

/** The single state table: booking mappings, trips, leases, suppliers and API keys. */
export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after it (never exactly on time). */
  ttlAttribute: 'expiresAt',
} as const;

/**
 * The state table's index of a supplier's records by trip. Its partition key is the table's own
 * (`COMPANY#…#SOURCE#…`), its sort key the `tripId` that booking mappings and the supplier's trips carry, so the
 * index is sparse (items without a trip stay out) and one trip's records sit side by side.
 */
export const TRIPS_INDEX = {
  name: 'trips-by-supplier',
  partitionKey: STATE_TABLE.partitionKey,
  sortKey: 'tripId',
  projection: 'ALL',
} as const;

/**
 * The state table's index of what each supplier has: its booking mappings (`BOOKINGS#{bookingSource}`) and its
 * operations (`OPERATIONS#{supplierId}`), newest change first by `updatedAt`, and the suppliers themselves
 * (`SUPPLIERS`), which the functions that go through every supplier read (they may not scan). Only those items
 * carry `activityKey`, so the index is sparse; the console's listings and the operator's counts read it, never the
 * table.
 */
export const ACTIVITY_INDEX = {
  name: 'activity-by-supplier',
  partitionKey: 'activityKey',
  sortKey: 'updatedAt',
  projection: 'ALL',
} as const;

/**
 * The state table's index of open operations by when they are overdue. An operation carries `sweepAt` exactly
 * while it is open (`accepted` or `processing`) and no other item carries it, so the index is sparse and holds
 * only those, all in one partition (the table's sort key, `OPERATION` on every operation), and the sweeper reads
 * the overdue ones with one Query. The marker is written with the operation, in its own single-item writes,
 * never as an item of its own. Only the keys are projected: the sweeper claims each by a conditional write.
 */
export const OPEN_OPERATIONS_INDEX = {
  name: 'open-operations',
  partitionKey: STATE_TABLE.sortKey,
  sortKey: 'sweepAt',
  projection: 'KEYS_ONLY',
} as const;

/** The activity index partition of a booking source's mappings. */
export const bookingsActivityKey = (bookingSource: string): string => `BOOKINGS#${bookingSource}`;
/** The activity index partition of the supplier records. */
export const SUPPLIERS_ACTIVITY_KEY = 'SUPPLIERS';
/** The activity index partition of a supplier's operations. */
export const operationsActivityKey = (supplierId: string): string => `OPERATIONS#${supplierId}`;

/** The secondary indexes of the state table, as created (dynalite, tests) and deployed (the CDK stack). */
export const STATE_TABLE_INDEXES = [TRIPS_INDEX, ACTIVITY_INDEX, OPEN_OPERATIONS_INDEX] as const;

/** The table Powertools idempotency's DynamoDBPersistenceLayer writes to (its default attribute names). */
export const IDEMPOTENCY_TABLE = {
  partitionKey: 'id',
  ttlAttribute: 'expiration',
} as const;

export interface TableNames {
  state: string;
  idempotency: string;
}

function stateTableInput(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: STATE_TABLE.partitionKey, AttributeType: 'S' },
      { AttributeName: STATE_TABLE.sortKey, AttributeType: 'S' },
      { AttributeName: TRIPS_INDEX.sortKey, AttributeType: 'S' },
      { AttributeName: ACTIVITY_INDEX.partitionKey, AttributeType: 'S' },
      { AttributeName: ACTIVITY_INDEX.sortKey, AttributeType: 'S' },
      { AttributeName: OPEN_OPERATIONS_INDEX.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: STATE_TABLE_INDEXES.map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: index.projection },
    })),
  };
}

function idempotencyTableInput(name: string): CreateTableCommandInput {
  return {
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: IDEMPOTENCY_TABLE.partitionKey, KeyType: 'HASH' }],
  };
}

const ACTIVE_WAIT_MS = 30_000;

/**
 * The table once it is ACTIVE: a table answers reads and writes only from then on, and CreateTable answers while
 * it is still CREATING.
 */
export async function untilActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return Table;
    if (Date.now() > deadline)
      throw new Error(`the table ${tableName} is not ACTIVE after ${ACTIVE_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Creates both tables; a table that already exists is left as it is, so this is safe on every start.
 * TTL is not switched on here: dynalite does not implement it, and in AWS the CDK stack does it.
 * A state table made before one of its indexes existed cannot be given it here (dynalite cannot add an index to
 * a table): that is refused with the way out (npm start rebuilds it, local/state-table-rebuild.ts), rather than
 * answering every listing with a failure.
 */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const input of [stateTableInput(names.state), idempotencyTableInput(names.idempotency)]) {
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
  await untilActive(client, names.idempotency);
  const Table = await untilActive(client, names.state);
  const present = new Set((Table.GlobalSecondaryIndexes ?? []).map((index) => index.IndexName));
  const missing = STATE_TABLE_INDEXES.find((index) => !present.has(index.name));
  if (missing) {
    throw new Error(
      `the state table ${names.state} has no index ${missing.name}: it was created by an earlier version. Run npm start on its data directory once, which rebuilds the table with every index and keeps its items.`,
    );
  }
}
