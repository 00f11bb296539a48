/** The activity routes' JSON answers, shaped as shared/gateway/api-responses.ts declares them. */
import { operationView } from '../events/ingress';
import type { OperationRecord } from '../events/operations';
import { bookingMappingView } from '../gateway/views';
import type { BookingMapping } from '../gateway/ports';
import type { HistoryEntry } from './history';

export const bookingListView = (page: { bookings: BookingMapping[]; nextCursor?: string }) => ({
  bookings: page.bookings.map(bookingMappingView),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

/** A history record; an operation's actor links to it. */
export function historyEntryView(entry: HistoryEntry, origin: string) {
  const { actor, ...rest } = entry;
  return {
    ...rest,
    ...(actor
      ? {
          actor:
            actor.kind === 'operation'
              ? { ...actor, href: `${origin}/v1/operations/${actor.operationId}` }
              : actor,
        }
      : {}),
  };
}

export const historyView = (page: { history: HistoryEntry[]; nextCursor?: string }, origin: string) => ({
  history: page.history.map((entry) => historyEntryView(entry, origin)),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

export const operationListView = (
  page: { operations: OperationRecord[]; nextCursor?: string },
  origin: string,
) => ({
  operations: page.operations.map((record) => operationView(record, origin)),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});
