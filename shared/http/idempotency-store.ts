/**
 * The Idempotency-Key store: Powertools' DynamoDB persistence layer, bounded. DynamoDB refuses items over
 * 400 KB, and a failed save would make Powertools delete the key's record after Concur has already written,
 * so that a retry with the same key writes again. Here an answer too large to keep is stored with its trips
 * reduced to their ids, dates and status (a replay says so in `Idempotent-Answer-Reduced: true`; the trip is
 * read with GET …/trips/{tripId}), and a save that fails anyway is logged and left: the caller still gets its
 * answer, and the key stays in progress until it expires instead of being forgotten.
 */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBPersistenceOptions } from '@aws-lambda-powertools/idempotency/types';

/** Room for the key, hashes and expiry attributes within DynamoDB's 400 KB item limit. */
export const MAX_STORED_ANSWER_BYTES = 300 * 1024;

/** Trip fields kept in a reduced stored answer. */
const KEPT_TRIP_FIELDS = ['id', 'tripId', 'itinLocator', 'startDateLocal', 'endDateLocal', 'tripStatus'];

interface StoredAnswer {
  statusCode?: number;
  headers?: Record<string, string>;
  body?: string;
}

const reduceTrip = (itinerary: Record<string, unknown>) =>
  Object.fromEntries(
    KEPT_TRIP_FIELDS.filter((f) => itinerary[f] !== undefined).map((f) => [f, itinerary[f]]),
  );

/** The answer as it may be stored: unchanged when small enough, else with every trip reduced; undefined if still too large. */
export function boundedAnswer(answer: StoredAnswer): StoredAnswer | undefined {
  const body = answer.body ?? '';
  if (Buffer.byteLength(body, 'utf8') <= MAX_STORED_ANSWER_BYTES) return answer;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  const reduce = (value: unknown, key?: string): unknown => {
    if (Array.isArray(value)) return value.map((item) => reduce(item));
    if (value === null || typeof value !== 'object') return value;
    if (key === 'itinerary') return reduceTrip(value as Record<string, unknown>);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reduce(v, k)]));
  };
  const reducedBody = JSON.stringify(reduce(parsed));
  if (Buffer.byteLength(reducedBody, 'utf8') > MAX_STORED_ANSWER_BYTES) return undefined;
  return {
    ...answer,
    headers: { ...answer.headers, 'idempotent-answer-reduced': 'true' },
    body: reducedBody,
  };
}

type JSONValue = Parameters<DynamoDBPersistenceLayer['saveSuccess']>[1];

export class BoundedIdempotencyStore extends DynamoDBPersistenceLayer {
  constructor(
    options: DynamoDBPersistenceOptions,
    private readonly warn: (message: string, fields: Record<string, unknown>) => void,
  ) {
    super(options);
  }

  override async saveSuccess(data: JSONValue, result: JSONValue): Promise<void> {
    const bounded = boundedAnswer(result as StoredAnswer);
    if (!bounded) {
      this.warn('idempotent answer too large to store; the key expires unanswered', {});
      return;
    }
    try {
      await super.saveSuccess(data, bounded as unknown as JSONValue);
    } catch (error) {
      this.warn('could not store an idempotent answer; the key expires unanswered', {
        error: error instanceof Error ? error.name : String(error),
      });
    }
  }
}
