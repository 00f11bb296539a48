/**
 * Travelers resolved through Concur's Identity search, remembered per company in the state table. The key holds
 * a SHA-256 of the normalized email or employee number, never the value itself. An entry is good until its
 * `expiresAt` (epoch seconds), which is also the table's TTL attribute: DynamoDB deletes it late and dynalite
 * never does, so every read checks it.
 */
import { createHash } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { TravelerCache, TravelerLookup } from '../../gateway/ports';
import { documentClient } from './document-client';

const TRAVELER_SORT_KEY = 'TRAVELER';

/** Emails compare case-insensitively at Concur; employee numbers are taken as given, trimmed. */
function lookupKey(lookup: TravelerLookup): string {
  const [kind, value] =
    'email' in lookup ? ['EMAIL', lookup.email.trim().toLowerCase()] : ['EMPLOYEE', lookup.employeeId.trim()];
  return `${kind}#${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

export function travelerPartitionKey(companyId: string, lookup: TravelerLookup): string {
  return `TRAVELER#${companyId}#${lookupKey(lookup)}`;
}

export interface DynamoTravelerCacheOptions {
  client: DynamoDBClient;
  tableName: string;
}

export class DynamoTravelerCache implements TravelerCache {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(options: DynamoTravelerCacheOptions) {
    this.documents = documentClient(options.client);
    this.tableName = options.tableName;
  }

  async get(companyId: string, lookup: TravelerLookup, now: number): Promise<string | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: travelerPartitionKey(companyId, lookup), sk: TRAVELER_SORT_KEY },
      }),
    );
    if (!Item || typeof Item.loginId !== 'string') return undefined;
    return typeof Item.expiresAt === 'number' && Item.expiresAt * 1000 > now ? Item.loginId : undefined;
  }

  async put(
    companyId: string,
    lookup: TravelerLookup,
    entry: { loginId: string; resolvedAt: number; expiresAt: number },
  ): Promise<void> {
    await this.documents.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: travelerPartitionKey(companyId, lookup),
          sk: TRAVELER_SORT_KEY,
          loginId: entry.loginId,
          resolvedAt: new Date(entry.resolvedAt).toISOString(),
          expiresAt: Math.floor(entry.expiresAt / 1000),
        },
      }),
    );
  }
}
