/**
 * When Concur erases a trip (deleted, anonymized), the operations that changed its bookings still hold what
 * named the traveler: the command a partner event or an asynchronous request carried (passengers, login), the
 * answer it stored, and the webhook that announced its end. The booking's history names those operations; each
 * ended one forgets all three.
 */
import type { BookingHistory } from '../activity/history';
import type { OperationRecord } from '../events/operations';
import type { BookingKey } from '../gateway/ports';

export interface OperationsOfTravelers {
  get(operationId: string): Promise<OperationRecord | undefined>;
  /** Removes an ended operation's command and result; false when it is open or unknown. */
  erasePersonalData(operationId: string): Promise<boolean>;
}

const HISTORY_PAGE = 100;

/** Erases what the operations that changed the booking carried of its traveler. */
export async function eraseOperationsOf(
  key: BookingKey,
  history: BookingHistory,
  operations: OperationsOfTravelers,
  forgetAnnouncements: (operation: OperationRecord) => Promise<void>,
): Promise<void> {
  const operationIds = new Set<string>();
  let before: number | undefined;
  do {
    const page = await history.list(key, {
      limit: HISTORY_PAGE,
      ...(before === undefined ? {} : { before }),
    });
    for (const { actor } of page.entries)
      if (actor?.kind === 'operation') operationIds.add(actor.operationId);
    before = page.before;
  } while (before !== undefined);
  for (const operationId of operationIds) {
    // As it ended: its announcement's message id is derived from it.
    const ended = await operations.get(operationId);
    if (ended && (await operations.erasePersonalData(operationId))) await forgetAnnouncements(ended);
  }
}
