/**
 * What the supplier reads of its own activity: its booking mappings (newest change first, filtered), one
 * booking's history, and its operations. Every read is of the caller's own partition of the activity index or
 * of its own booking's history; nothing here calls Concur.
 */
import { assertCompanyAllowed } from '../gateway/access';
import { GatewayError, validated } from '../gateway/errors';
import type { BookingKey, BookingMapping, BookingMappings, Supplier } from '../gateway/ports';
import type { OperationRecord } from '../events/operations';
import {
  BOOKINGS_PAGE,
  HISTORY_PAGE,
  OPERATIONS_PAGE,
  bookingHistoryQuerySchema,
  bookingListQuerySchema,
  operationListQuerySchema,
} from './contract';
import { decodeCursor, encodeCursor } from '../gateway/signed-cursor';
import type { ActivityPosition, DynamoSupplierActivity } from './dynamo-activity';
import type { HistoryEntry } from './history';

export interface ActivityDependencies {
  activity: Pick<DynamoSupplierActivity, 'bookings' | 'operations' | 'list'>;
  mappings: Pick<BookingMappings, 'get'>;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
/** Index keys this gateway writes: a forged position must not reach DynamoDB as an invalid start key. */
const isPosition = (fields: string[]) =>
  fields.length === 3 &&
  ISO_INSTANT.test(fields[0]!) &&
  /^(COMPANY|OPERATION)#./.test(fields[1]!) &&
  /^(BOOKING#.|OPERATION$)/.test(fields[2]!);

const positionFields = (position: ActivityPosition) => [position.updatedAt, position.pk, position.sk];
const positionOf = (fields: string[]): ActivityPosition => ({
  updatedAt: fields[0]!,
  pk: fields[1]!,
  sk: fields[2]!,
});

export class SupplierActivityReader {
  constructor(private readonly deps: ActivityDependencies) {}

  /** The supplier's bookings, newest change first, in the companies it may still act for. */
  async bookings(
    supplier: Supplier,
    rawQuery: Record<string, string>,
  ): Promise<{ bookings: BookingMapping[]; nextCursor?: string }> {
    const query = validated(bookingListQuerySchema, rawQuery, 'the query');
    if (query.companyId !== undefined) assertCompanyAllowed(supplier, query.companyId);
    const updatedSince = query.updatedSince && new Date(query.updatedSince).toISOString();
    const scope = JSON.stringify([
      'bookings',
      supplier.bookingSource,
      query.companyId ?? null,
      query.status ?? null,
      query.confirmationNumber ?? null,
      updatedSince ?? null,
    ]);
    const after =
      query.cursor === undefined ? undefined : positionOf(decodeCursor(scope, query.cursor, isPosition));
    const page = await this.deps.activity.bookings(
      supplier.bookingSource,
      {
        ...(query.companyId !== undefined ? { companyId: query.companyId } : {}),
        ...(query.status !== undefined ? { status: query.status } : {}),
        ...(query.confirmationNumber !== undefined
          ? { confirmationNumberPrefix: query.confirmationNumber }
          : {}),
        ...(updatedSince !== undefined ? { updatedSince } : {}),
      },
      { limit: query.limit ?? BOOKINGS_PAGE.fallback, ...(after ? { after } : {}) },
    );
    // A company the supplier no longer acts for stays out, as its GET would refuse it.
    const allowed = new Set(supplier.companies);
    return {
      bookings: page.items.filter((mapping) => allowed.has(mapping.companyId)),
      ...(page.next ? { nextCursor: encodeCursor(scope, positionFields(page.next)) } : {}),
    };
  }

  /** One booking's history, newest first; 404 for a booking that is not the supplier's. */
  async history(
    supplier: Supplier,
    companyId: string,
    confirmationNumber: string,
    rawQuery: Record<string, string>,
  ): Promise<{ history: HistoryEntry[]; nextCursor?: string }> {
    assertCompanyAllowed(supplier, companyId);
    const query = validated(bookingHistoryQuerySchema, rawQuery, 'the query');
    const key: BookingKey = { companyId, bookingSource: supplier.bookingSource, confirmationNumber };
    const scope = JSON.stringify(['history', companyId, supplier.bookingSource, confirmationNumber]);
    const before =
      query.cursor === undefined
        ? undefined
        : Number(
            decodeCursor(
              scope,
              query.cursor,
              (fields) => fields.length === 1 && /^[1-9]\d{0,9}$/.test(fields[0]!),
            )[0],
          );
    if (!(await this.deps.mappings.get(key)))
      throw new GatewayError('not-found', `no booking ${confirmationNumber} of ${supplier.bookingSource}`);
    const page = await this.deps.activity.list(key, {
      limit: query.limit ?? HISTORY_PAGE.fallback,
      ...(before !== undefined ? { before } : {}),
    });
    return {
      history: page.entries,
      ...(page.before !== undefined ? { nextCursor: encodeCursor(scope, [String(page.before)]) } : {}),
    };
  }

  /** The supplier's operations (partner events, asynchronous requests), newest change first. */
  async operations(
    supplier: Supplier,
    rawQuery: Record<string, string>,
  ): Promise<{ operations: OperationRecord[]; nextCursor?: string }> {
    const query = validated(operationListQuerySchema, rawQuery, 'the query');
    const scope = JSON.stringify(['operations', supplier.id, query.status ?? null]);
    const after =
      query.cursor === undefined ? undefined : positionOf(decodeCursor(scope, query.cursor, isPosition));
    const page = await this.deps.activity.operations(
      supplier.id,
      query.status !== undefined ? { status: query.status } : {},
      { limit: query.limit ?? OPERATIONS_PAGE.fallback, ...(after ? { after } : {}) },
    );
    return {
      operations: page.items,
      ...(page.next ? { nextCursor: encodeCursor(scope, positionFields(page.next)) } : {}),
    };
  }
}
