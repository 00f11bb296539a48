/**
 * The failures the simulated Concur API answers with. Handlers throw them; the HTTP layer turns them into
 * Concur's bodies: `<Error><Message/><Server-Time/><Id/></Error>`, or `<Status>NotFound</Status>` for the one
 * case the seeds document (booking cancel of an unknown booking).
 */
export class ConcurApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: 'error' | 'not-found-status' = 'error',
  ) {
    super(message);
    this.name = 'ConcurApiError';
  }
}

export const badRequest = (message: string): ConcurApiError => new ConcurApiError(400, message);
export const forbidden = (message: string): ConcurApiError => new ConcurApiError(403, message);
export const notFound = (message: string): ConcurApiError => new ConcurApiError(404, message);

/** Message prefix of every refusal that is about the booking source, so clients can tell it from token expiry. */
export const SOURCE_MISMATCH = 'Booking source mismatch';

/**
 * Concur withdrew company-wide requests in 2022: its trip list serves one user at a time and points to
 * Itinerary v4 events for a whole company. `userid_value=ALL` is refused on every route.
 */
export function refuseAllUsers(useridValue: string | undefined): void {
  if (useridValue?.trim().toUpperCase() === 'ALL') {
    throw badRequest(
      'userid_value=ALL is not supported: trips are listed for one user at a time (userid_value={loginID}), at most one month per request. Use Itinerary v4 events for a whole company.',
    );
  }
}

/**
 * Concur's answer to a `userid_value` that is no user of the token's company. Its docs give no wording: 400 is
 * the status page's "the specified URI is invalid", in its Error body; the Message names neither the login nor the
 * company's users.
 */
export const UNKNOWN_USER_MESSAGE =
  'Invalid userid_value: the user specified does not exist in this company (userid_type=login_id takes a Concur login ID).';
