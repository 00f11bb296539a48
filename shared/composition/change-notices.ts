/**
 * The change notices side of the composition: the ESS route's intake (Concur's public keys from
 * CONCUR_ESS_PUBLIC_KEYS, Concur's published one by default; the change notices queue, CHANGE_NOTICES_QUEUE_URL)
 * the applier that reads Itinerary v4, compares and tells suppliers, each company's change notice mode, and the
 * poller of the companies without ESS (CHANGE_POLL_INTERVAL) that feeds the same applier.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { ChangeApplier } from '../change-notices/applier';
import { eraseOperationsOf } from '../change-notices/operations-erasure';
import { DynamoChangeNoticeModes, DynamoChangeNoticeRecords } from '../change-notices/dynamo-records';
import { DynamoPollCursors } from '../change-polling/dynamo-cursors';
import { pollIntervalFromEnv } from '../change-polling/interval';
import { itineraryTravelerTrips } from '../change-polling/itinerary-trips';
import { ChangePoller } from '../change-polling/poller';
import { CONCUR_ESS_PUBLIC_KEY, parsePublicKeys } from '../change-notices/ess-signature';
import type { ChangeNotice } from '../change-notices/ports';
import type { ConcurEventIntake } from '../change-notices/receiver';
import { SqsEventQueue } from '../events/queue';
import { forgetOperationAnnouncements } from '../webhooks-out/operation-events';
import { supplierActivity } from './activity';
import { operations } from './async-requests';
import { concurItinerary, concurTripsV4, mappings } from './concur';
import { once, requiredEnv } from './container';
import { dynamoDbClient, stateTableName, supplierDirectory } from './dynamodb';
import { gatewayMetrics } from './logging';
import { webhookEndpoints, webhookMessages, webhookPublisher } from './webhooks-out';

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

export const changeNoticeModes = (): DynamoChangeNoticeModes =>
  once(
    'changeNoticeModes',
    () => new DynamoChangeNoticeModes({ client: dynamoDbClient(), tableName: stateTableName() }),
  );

const pollCursors = () =>
  once('pollCursors', () => new DynamoPollCursors({ client: dynamoDbClient(), tableName: stateTableName() }));

export const changeApplier = (): ChangeApplier =>
  once(
    'changeApplier',
    () =>
      new ChangeApplier({
        trips: concurTripsV4(),
        suppliers: {
          of: async (companyId) =>
            (await supplierDirectory().listIndexedSuppliers()).filter(
              (supplier) => !supplier.disabled && supplier.companies.includes(companyId),
            ),
        },
        mappings: mappings(),
        records: changeNoticeRecords(),
        travelers: {
          // The poller's cursor names the traveler's login too.
          forgetTraveler: async (companyId, loginId) => {
            await changeNoticeRecords().forgetTraveler(companyId, loginId);
            await pollCursors().forget(companyId, loginId);
          },
          forgetBooking: (key) =>
            eraseOperationsOf(key, supplierActivity(), operations(), (operation) =>
              forgetOperationAnnouncements(webhookEndpoints(), webhookMessages(), operation),
            ),
        },
        publisher: webhookPublisher(),
        modes: changeNoticeModes(),
      }),
  );

export const changePoller = (): ChangePoller =>
  once(
    'changePoller',
    () =>
      new ChangePoller({
        suppliers: () => supplierDirectory().listIndexedSuppliers(),
        modes: changeNoticeModes(),
        mappings: mappings(),
        cursors: pollCursors(),
        trips: itineraryTravelerTrips(concurItinerary()),
        applier: changeApplier(),
        // The deployment checked it against Concur's polling rule; the local simulator allows shorter.
        intervalMs: pollIntervalFromEnv(process.env.CHANGE_POLL_INTERVAL, 0),
      }),
  );
