/**
 * The DynamoDB side of the composition: the client (endpoint from AWS_ENDPOINT_URL_DYNAMODB when the local
 * default sets it, reached without a socket when this process serves it), supplier authentication against the
 * state table and the idempotency store.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Supplier } from '../gateway/ports';
import { cachedAuthenticator } from '../suppliers/cached-authenticator';
import { DynamoSupplierDirectory } from '../suppliers/supplier-directory';
import type { HttpDependencies } from '../http/http-function';
import { BoundedIdempotencyStore } from '../http/idempotency-store';
import { inProcessClientConfig } from '../adapters/dynamodb/in-process-endpoints';
import { SlotWindows } from '../adapters/dynamodb/slot-windows';
import {
  DEFAULT_SUPPLIER_RATE_PER_SECOND,
  SUPPLIER_RATE_PARTITION_PREFIX,
  supplierLimit,
} from '../supplier-limits';
import type { SupplierLimit } from '../supplier-limits';
import { once, requiredEnv } from './container';
import { edgeGuard } from './edge';
import { gatewayLogger } from './logging';

export const dynamoDbClient = (): DynamoDBClient =>
  once('dynamodb', () => new DynamoDBClient(inProcessClientConfig(process.env.AWS_ENDPOINT_URL_DYNAMODB)));

export const stateTableName = (): string => requiredEnv('STATE_TABLE_NAME');

export const supplierDirectory = (): DynamoSupplierDirectory =>
  once(
    'suppliers',
    () => new DynamoSupplierDirectory({ client: dynamoDbClient(), tableName: stateTableName() }),
  );

/** API key → supplier, remembered for a while per container. */
export const supplierAuthentication = (): ((apiKey: string) => Promise<Supplier | undefined>) =>
  once('authenticate', () =>
    cachedAuthenticator({ authenticate: (apiKey) => supplierDirectory().authenticate(apiKey) }),
  );

/** Each supplier's requests a second, counted in the state table (`SUPPLIER-RATE#{supplierId}`). */
export const supplierLimits = (): SupplierLimit =>
  once('supplier-limits', () =>
    supplierLimit(
      new SlotWindows({
        client: dynamoDbClient(),
        tableName: stateTableName(),
        partitionPrefix: SUPPLIER_RATE_PARTITION_PREFIX,
      }),
      Number(process.env.SUPPLIER_RATE_PER_SECOND ?? DEFAULT_SUPPLIER_RATE_PER_SECOND),
    ),
  );

export const idempotencyStore = (): BasePersistenceLayer =>
  once(
    'idempotency',
    () =>
      new BoundedIdempotencyStore(
        { tableName: requiredEnv('IDEMPOTENCY_TABLE_NAME'), awsSdkV3Client: dynamoDbClient() },
        (message, fields) => gatewayLogger().warn(message, fields),
      ),
  );

/** What a function of authenticated, idempotent supplier routes needs around its use cases. */
export const supplierRouteDependencies = (): HttpDependencies => ({
  logger: gatewayLogger(),
  edge: edgeGuard(),
  authenticate: supplierAuthentication(),
  supplierLimit: supplierLimits(),
  idempotencyStore: idempotencyStore(),
});

/** What a function of authenticated read-only routes needs: no idempotency store, as nothing is written. */
export const supplierReadDependencies = (): HttpDependencies => ({
  logger: gatewayLogger(),
  edge: edgeGuard(),
  authenticate: supplierAuthentication(),
  supplierLimit: supplierLimits(),
});
