/** What every operation answers: the value in the JSON form, and how it was obtained. */
export interface ConcurResult<T> {
  value: T;
  /** HTTP status of the answer the value came from. */
  status: number;
  /** The `concur-correlationid` header of that answer. */
  correlationId?: string;
  /** HTTP attempts of this operation's own request (lookups made to reconcile it are not counted). */
  attempts: number;
  /**
   * The outcome was learned after the answer was lost: a trip create found again in the traveler's trip list,
   * or a cancel answered 404 after an attempt of unknown outcome.
   */
  reconciled?: true;
  /** Concur answered an itinerary longer than the gateway reads: `value` holds only its trip id. */
  tooLargeToShow?: true;
}
