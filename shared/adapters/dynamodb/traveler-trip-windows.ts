/**
 * Concur's answers to per-traveler trip lists, one item per company, traveler and calendar month, kept for
 * `retentionMs` (10 minutes: Concur asks not to poll a list more often). Shared by every supplier of the
 * company, since they all list with the company's token; each answer is filtered per supplier when it is used.
 * Only the fields the listing needs are kept (no other source's record locators, names or amounts).
 * Freshness is checked on read: DynamoDB's TTL deletes expired items late, and dynalite never does.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock, ConcurTripSummary, TravelerTripWindows } from '../../gateway/ports';
import { documentClient, queryAll } from './document-client';

/** Concur: "The retrieval interval should never be less than ten minutes". */
export const TRAVELER_WINDOW_RETENTION_MS = 10 * 60 * 1000;

export interface DynamoTravelerTripWindowsOptions {
  client: DynamoDBClient;
  tableName: string;
  clock?: Clock;
  retentionMs?: number;
}

export class DynamoTravelerTripWindows implements TravelerTripWindows {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;
  private readonly retentionMs: number;

  constructor(options: DynamoTravelerTripWindowsOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
    this.clock = options.clock ?? { now: () => Date.now() };
    this.retentionMs = options.retentionMs ?? TRAVELER_WINDOW_RETENTION_MS;
  }

  async get(companyId: string, loginId: string, month: string): Promise<ConcurTripSummary[] | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({ TableName: this.tableName, Key: windowKey(companyId, loginId, month) }),
    );
    if (!Item || typeof Item.fetchedAt !== 'number') return undefined;
    if (Item.fetchedAt + this.retentionMs <= this.clock.now()) return undefined;
    return Item.trips as ConcurTripSummary[];
  }

  async put(companyId: string, loginId: string, month: string, trips: ConcurTripSummary[]): Promise<void> {
    const fetchedAt = this.clock.now();
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...windowKey(companyId, loginId, month),
          trips,
          fetchedAt,
          // Lets DynamoDB delete it once it no longer counts; freshness itself is `fetchedAt`.
          expiresAt: Math.ceil((fetchedAt + this.retentionMs) / 1000) + 60,
        },
      }),
    );
  }
}

/** Deletes every month kept of one traveler (Concur erased the traveler's trip). */
export async function forgetTravelerWindows(
  documents: DynamoDBDocumentClient,
  tableName: string,
  companyId: string,
  loginId: string,
): Promise<void> {
  const { pk } = windowKey(companyId, loginId, '');
  const items = await queryAll(documents, {
    TableName: tableName,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pk },
    ProjectionExpression: 'pk, sk',
  });
  for (const item of items) {
    await documents.send(new DeleteCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }));
  }
}

function windowKey(companyId: string, loginId: string, month: string): { pk: string; sk: string } {
  return { pk: `COMPANY#${companyId}#TRAVELER#${loginId}`, sk: `TRIPS#${month}` };
}
