/**
 * One JSON document per key in the state table (`{prefix}{key}` / `STATE`), gzipped, with a version that every
 * write moves on by one and checks first: a single-item conditional write, so two writers at once never lose
 * each other's change (the one that read an older version is told so and reads again). The hosted sandbox keeps
 * each company's simulator state so.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { STATE_TABLE } from './tables';
import { documentClient, isConditionalCheckFailed } from './document-client';

/** The partition key prefix of the hosted sandbox's companies (the function may touch no other item). */
export const SANDBOX_STATE_PARTITION_PREFIX = 'SANDBOX#';

const SORT_KEY = 'STATE';

/** DynamoDB's item limit is 400 KB: a document that would not fit is refused here, with its size. */
const MAX_DOCUMENT_BYTES = 350_000;

export interface VersionedDocumentsOptions {
  client: DynamoDBClient;
  tableName: string;
  prefix: string;
}

export class DynamoVersionedDocuments<Document> {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly options: VersionedDocumentsOptions) {
    this.documents = documentClient(options.client);
  }

  async load(key: string): Promise<{ snapshot: Document; version: number } | undefined> {
    const { Item } = await this.documents.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: this.key(key),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    const document = JSON.parse(gunzipSync(Item.document as Uint8Array).toString('utf8')) as Document;
    return { snapshot: document, version: Item.version as number };
  }

  async save(key: string, document: Document, expectedVersion: number | undefined): Promise<boolean> {
    const packed = gzipSync(JSON.stringify(document));
    if (packed.length > MAX_DOCUMENT_BYTES) {
      throw new Error(
        `the document of ${key} is ${packed.length} bytes gzipped, above ${MAX_DOCUMENT_BYTES}`,
      );
    }
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: {
            ...this.key(key),
            document: packed,
            version: (expectedVersion ?? 0) + 1,
            updatedAt: new Date().toISOString(),
          },
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': 'pk' } }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': expectedVersion },
              }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw error;
    }
  }

  private key(key: string) {
    return { [STATE_TABLE.partitionKey]: `${this.options.prefix}${key}`, [STATE_TABLE.sortKey]: SORT_KEY };
  }
}
