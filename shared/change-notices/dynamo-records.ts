/**
 * The change notices' records in the state table, each one item and one single-item write: the events applied
 * (`CONCUREVENT#{id}`, kept a week, expiry checked on read), the v1.1 trip id of each v4 trip id seen
 * (`CONCURTRIP#{companyId}#{v4 id}`), each company's change notice mode (`CHANGENOTICES#{companyId}`), and the
 * erasure of a traveler's trip lists.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionalCheckFailed } from '../adapters/dynamodb/document-client';
import { forgetTravelerWindows } from '../adapters/dynamodb/traveler-trip-windows';
import type { Clock } from '../gateway/ports';
import { CHANGE_NOTICE_MODES, DEFAULT_CHANGE_NOTICE_MODE } from './ports';
import type { ChangeNoticeMode, ChangeNoticeModes, ChangeNoticeRecords, TravelerRecords } from './ports';

/** ESS redelivers for 72 hours; a week covers it with room. */
export const APPLIED_EVENT_RETENTION_SECONDS = 7 * 24 * 3600;

export class DynamoChangeNoticeRecords
  implements ChangeNoticeRecords, Pick<TravelerRecords, 'forgetTraveler'>
{
  private readonly documents: DynamoDBDocumentClient;
  private readonly clock: Clock;

  constructor(private readonly options: { client: DynamoDBClient; tableName: string; clock?: Clock }) {
    this.documents = documentClient(options.client);
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async isApplied(eventId: string): Promise<boolean> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.options.tableName, Key: appliedKey(eventId), ConsistentRead: true }),
    );
    return typeof Item?.expiresAt === 'number' && Item.expiresAt * 1000 > this.clock.now();
  }

  async markApplied(eventId: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: {
          ...appliedKey(eventId),
          expiresAt: Math.ceil(this.clock.now() / 1000) + APPLIED_EVENT_RETENTION_SECONDS,
        },
      }),
    );
  }

  async rememberTrip(companyId: string, v4TripId: string, tripId: string): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.options.tableName,
        Item: { ...tripKey(companyId, v4TripId), tripId },
      }),
    );
  }

  async tripIdOf(companyId: string, v4TripId: string): Promise<string | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: tripKey(companyId, v4TripId),
        ConsistentRead: true,
      }),
    );
    return typeof Item?.tripId === 'string' ? Item.tripId : undefined;
  }

  async forgetTrip(companyId: string, v4TripId: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: tripKey(companyId, v4TripId) }),
    );
  }

  forgetTraveler(companyId: string, loginId: string): Promise<void> {
    return forgetTravelerWindows(this.documents, this.options.tableName, companyId, loginId);
  }
}

const appliedKey = (eventId: string) => ({ pk: `CONCUREVENT#${eventId}`, sk: 'APPLIED' });
const tripKey = (companyId: string, v4TripId: string) => ({
  pk: `CONCURTRIP#${companyId}#${v4TripId}`,
  sk: 'TRIP',
});

const modeKey = (companyId: string) => ({ pk: `CHANGENOTICES#${companyId}`, sk: 'MODE' });

export class DynamoChangeNoticeModes implements ChangeNoticeModes {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly options: { client: DynamoDBClient; tableName: string }) {
    this.documents = documentClient(options.client);
  }

  async modeOf(companyId: string): Promise<ChangeNoticeMode> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.options.tableName, Key: modeKey(companyId), ConsistentRead: true }),
    );
    const mode = Item?.mode as ChangeNoticeMode | undefined;
    return mode !== undefined && CHANGE_NOTICE_MODES.includes(mode) ? mode : DEFAULT_CHANGE_NOTICE_MODE;
  }

  async setMode(companyId: string, mode: ChangeNoticeMode): Promise<void> {
    await this.documents.send(
      new PutCommand({ TableName: this.options.tableName, Item: { ...modeKey(companyId), mode } }),
    );
  }

  async setModeIfUnset(companyId: string, mode: ChangeNoticeMode): Promise<void> {
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...modeKey(companyId), mode },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionalCheckFailed(error)) throw error;
    }
  }
}
