/**
 * A booking's history: one record per stored change of its mapping, newest first, kept 90 days. The records
 * live in a partition of their own per booking, written after the mapping's own write (at most one more write per
 * change; dynalite has no transactions, and the mapping stays the booking's only source of truth).
 */
import type {
  BookingChangeAction,
  BookingKey,
  BookingMapping,
  BookingStatus,
  ChangeActor,
  ChangeNote,
} from '../gateway/ports';

/** How long a history record is kept: DynamoDB's TTL deletes it later, reads skip it from then on. */
export const HISTORY_RETENTION_DAYS = 90;

export interface HistoryEntry {
  /** When the change was stored: the mapping's `updatedAt`. */
  at: string;
  action: BookingChangeAction;
  /** The mapping's version and status after the change. */
  version: number;
  status: BookingStatus;
  /** Who made it; absent when no request or operation was running (a direct call of the use case). */
  actor?: ChangeActor;
  concur?: ChangeNote['concur'];
  error?: string;
  tripId?: string;
  recordLocator?: string;
  dateModifiedUtc?: string;
}

/** The record a stored change makes. */
export function historyEntryOf(mapping: BookingMapping, note: ChangeNote): HistoryEntry {
  return {
    at: mapping.updatedAt,
    action: note.action,
    version: mapping.version,
    status: mapping.status,
    ...(note.actor ? { actor: note.actor } : {}),
    ...(note.concur ? { concur: note.concur } : {}),
    ...(note.error ? { error: note.error } : {}),
    ...(mapping.tripId ? { tripId: mapping.tripId } : {}),
    recordLocator: mapping.recordLocator,
    ...(mapping.sourceModifiedUtc ? { dateModifiedUtc: mapping.sourceModifiedUtc } : {}),
  };
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** The version to continue before, when older records may follow. */
  before?: number;
}

export interface BookingHistory {
  append(key: BookingKey, entry: HistoryEntry): Promise<void>;
  /** Records newest first, older than version `before` when given; expired ones are skipped. */
  list(key: BookingKey, options: { limit: number; before?: number }): Promise<HistoryPage>;
}
