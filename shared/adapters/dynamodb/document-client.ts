import { DynamoDBDocumentClient, paginateQuery, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { QueryCommandInput, ScanCommandInput } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** The document client every adapter uses: plain JS values in, plain JS values out, undefined dropped. */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

/**
 * Matched by name rather than `instanceof`: the document client and the low-level client may come from
 * different copies of the SDK after a dependency upgrade, and the name is the wire contract.
 */
export function isConditionalCheckFailed(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

type Item = Record<string, unknown>;

/** Every item a query matches, across all its pages. */
export async function queryAll(documents: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateQuery({ client: documents }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** Every item a scan matches, across all its pages: for operators' commands, never a request's. */
export async function scanAll(documents: DynamoDBDocumentClient, input: ScanCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of paginateScan({ client: documents }, input)) items.push(...(page.Items ?? []));
  return items;
}

/** The parts of an `UpdateItem` that change an item's fields: `updatedAt` always, and what `also` adds. */
export interface FieldChanges {
  names: Record<string, string>;
  values: Record<string, unknown>;
  sets: string[];
  removes: string[];
}

/**
 * SETs the defined fields of `changes` and REMOVEs the undefined ones (undefined is how a caller clears a field),
 * `updatedAt` always, beside the condition's `values`. More SET clauses may be pushed before `updateOf`.
 */
export function fieldChanges(
  changes: Record<string, unknown>,
  updatedAt: string,
  values: Record<string, unknown>,
): FieldChanges {
  const update: FieldChanges = {
    names: { '#updatedAt': 'updatedAt' },
    values: { ...values, ':updatedAt': updatedAt },
    sets: ['#updatedAt = :updatedAt'],
    removes: [],
  };
  for (const [field, value] of Object.entries(changes)) {
    update.names[`#${field}`] = field;
    if (value === undefined) update.removes.push(`#${field}`);
    else {
      update.sets.push(`#${field} = :${field}`);
      update.values[`:${field}`] = value;
    }
  }
  return update;
}

/** The UpdateItem input of `update` under `condition`, whose `#name`s it names too. */
export function updateOf(update: FieldChanges, condition: string) {
  const names = { ...update.names };
  for (const [, field] of condition.matchAll(/#(\w+)/g)) names[`#${field}`] = field!;
  return {
    UpdateExpression: `SET ${update.sets.join(', ')}${update.removes.length ? ` REMOVE ${update.removes.join(', ')}` : ''}`,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: update.values,
  };
}
