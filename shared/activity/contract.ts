/**
 * The queries of the activity routes (the supplier's bookings, a booking's history, its operations), as zod
 * schemas: validation, their part of the OpenAPI document and their types. The answers are in
 * shared/gateway/api-responses.ts.
 */
import * as z from '../zod';
import { withMeta } from '../zod';
import { isPrintableText } from '../concur/xml-text';

const text = (maxLength: number) =>
  z
    .string()
    .check(
      z.minLength(1),
      z.maxLength(maxLength),
      z.refine(isPrintableText, { error: 'must not contain control characters' }),
    );

const limit = (max: number, fallback: number, what: string) =>
  z
    .optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(max)))
    .apply(withMeta, { description: `${what} per page (${fallback} by default, at most ${max}).` });

const cursor = z.optional(z.string().check(z.maxLength(512))).apply(withMeta, {
  description:
    'The nextCursor of the previous page, with the same filters; good for your own listing only (another supplier’s or an altered cursor is refused with 400).',
});

/** Index items a listing page reads at most: a narrow filter over a long history answers a short page. */
export const ACTIVITY_MAX_EXAMINED = 1_000;

export const BOOKINGS_PAGE = { fallback: 25, max: 100 };
export const HISTORY_PAGE = { fallback: 50, max: 100 };
export const OPERATIONS_PAGE = { fallback: 25, max: 50 };

/** `GET /v1/bookings` */
export const bookingListQuerySchema = z
  .strictObject({
    companyId: z.optional(text(128)).apply(withMeta, { description: 'One company’s bookings only.' }),
    status: z.optional(z.enum(['active', 'cancelled', 'rebooking'])),
    confirmationNumber: z.optional(text(128)).apply(withMeta, {
      description: 'Bookings whose confirmation number starts with this text (the whole number finds one).',
    }),
    updatedSince: z.optional(z.iso.datetime({ offset: true })).apply(withMeta, {
      description: 'ISO 8601 instant: bookings changed at or after it.',
    }),
    limit: limit(BOOKINGS_PAGE.max, BOOKINGS_PAGE.fallback, 'Bookings'),
    cursor,
  })
  .apply(withMeta, { id: 'BookingListQuery' });

/** `GET /v1/companies/{companyId}/bookings/{confirmationNumber}/history` */
export const bookingHistoryQuerySchema = z
  .strictObject({ limit: limit(HISTORY_PAGE.max, HISTORY_PAGE.fallback, 'Records'), cursor })
  .apply(withMeta, { id: 'BookingHistoryQuery' });

/** `GET /v1/operations` */
export const operationListQuerySchema = z
  .strictObject({
    status: z.optional(z.enum(['accepted', 'processing', 'succeeded', 'skipped', 'failed', 'parked'])),
    limit: limit(OPERATIONS_PAGE.max, OPERATIONS_PAGE.fallback, 'Operations'),
    cursor,
  })
  .apply(withMeta, { id: 'OperationListQuery' });
