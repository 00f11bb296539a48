/**
 * The change notices side of the composition: the ESS route's intake (Concur's public keys from
 * CONCUR_ESS_PUBLIC_KEYS, Concur's published one by default; the change notices queue, CHANGE_NOTICES_QUEUE_URL)
 * and the applier that reads Itinerary v4, compares and tells suppliers.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ChangeApplier } from '../change-notices/applier';
import { DynamoChangeNoticeRecords } from '../change-notices/dynamo-records';
import { CONCUR_ESS_PUBLIC_KEY, parsePublicKeys } from '../change-notices/ess-signature';
import type { ChangeNotice } from '../change-notices/ports';
import type { ConcurEventIntake } from '../change-notices/receiver';
import { SqsEventQueue } from '../events/queue';
import { concurTripsV4, mappings } from './concur';
import { once, requiredEnv } from './container';
import { dynamoDbClient, stateTableName, supplierDirectory } from './dynamodb';
import { gatewayMetrics } from './logging';
import { webhookPublisher } from './webhooks-out';

export const changeNoticesQueue = (): SqsEventQueue<ChangeNotice> =>
  once(
    'changeNoticesQueue',
    () => new SqsEventQueue<ChangeNotice>(new SQSClient({}), requiredEnv('CHANGE_NOTICES_QUEUE_URL')),
  );

export const concurEventIntake = (): ConcurEventIntake =>
  once('concurEventIntake', () => ({
    keys: parsePublicKeys(process.env.CONCUR_ESS_PUBLIC_KEYS || CONCUR_ESS_PUBLIC_KEY),
    queue: changeNoticesQueue(),
    count: gatewayMetrics().count,
  }));

const changeNoticeRecords = () =>
  once(
    'changeNoticeRecords',
    () => new DynamoChangeNoticeRecords({ client: dynamoDbClient(), tableName: stateTableName() }),
  );

export const changeApplier = (): ChangeApplier =>
  once(
    'changeApplier',
    () =>
      new ChangeApplier({
        trips: concurTripsV4(),
        suppliers: {
          of: async (companyId) =>
            (await supplierDirectory().listSuppliers()).filter(
              (supplier) => !supplier.disabled && supplier.companies.includes(companyId),
            ),
        },
        mappings: mappings(),
        records: changeNoticeRecords(),
        travelers: changeNoticeRecords(),
        publisher: webhookPublisher(),
      }),
  );
