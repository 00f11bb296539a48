/**
 * The two DynamoDB tables the gateway uses. The CDK stack imports these names, so this module makes no AWS
 * calls when it is imported; `createTables` is for the local default and the tests (dynalite).
 */
import {
  CreateTableCommand,
  ResourceInUseException,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';

/** The single state table: booking mappings, trips, leases, suppliers and API keys. */
export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB's TTL deletes the item some time after it (never exactly on time). */
  ttlAttribute: 'expiresAt',
} as const;

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
    ],
    KeySchema: [
      { AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' },
      { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' },
    ],
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

/**
 * Creates both tables; a table that already exists is left as it is, so this is safe on every start.
 * TTL is not switched on here: dynalite does not implement it, and in AWS the CDK stack does it.
 */
export async function createTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  for (const input of [stateTableInput(names.state), idempotencyTableInput(names.idempotency)]) {
    try {
      await client.send(new CreateTableCommand(input));
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
  }
}
