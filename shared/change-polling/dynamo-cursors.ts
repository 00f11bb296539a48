/**
 * The poller's cursors in the state table, one item per company and traveler (`CHANGEPOLL#{companyId}`,
 * `TRAVELER#{loginId}`): the interval window last claimed and where the last completed poll got to. Each change
 * is one single-item conditional write.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { documentClient, isConditionalCheckFailed } from '../adapters/dynamodb/document-client';
import type { PollCursors } from './ports';

const cursorKey = (companyId: string, loginId: string) => ({
  pk: `CHANGEPOLL#${companyId}`,
  sk: `TRAVELER#${loginId}`,
});

export class DynamoPollCursors implements PollCursors {
  private readonly documents: DynamoDBDocumentClient;

  constructor(private readonly options: { client: DynamoDBClient; tableName: string }) {
    this.documents = documentClient(options.client);
  }

  async claim(companyId: string, loginId: string, window: number): Promise<{ since?: string } | undefined> {
    try {
      const { Attributes } = await this.documents.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: cursorKey(companyId, loginId),
          UpdateExpression: 'SET pollWindow = :window',
          ConditionExpression: 'attribute_not_exists(pollWindow) OR pollWindow < :window',
          ExpressionAttributeValues: { ':window': window },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return typeof Attributes?.since === 'string' ? { since: Attributes.since } : {};
    } catch (error) {
      if (isConditionalCheckFailed(error)) return undefined;
      throw error;
    }
  }

  async advance(companyId: string, loginId: string, since: string): Promise<void> {
    await this.documents
      .send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: cursorKey(companyId, loginId),
          UpdateExpression: 'SET since = :since',
          // Never back: a slower run of an earlier window finishing late must not undo a later one's progress.
          ConditionExpression: 'attribute_not_exists(since) OR since < :since',
          ExpressionAttributeValues: { ':since': since },
        }),
      )
      .catch((error: unknown) => {
        if (!isConditionalCheckFailed(error)) throw error;
      });
  }

  async forget(companyId: string, loginId: string): Promise<void> {
    await this.documents.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: cursorKey(companyId, loginId) }),
    );
  }
}
