/**
 * Runs a command through the same use cases and views as the synchronous write routes, and decides what an
 * error means for an event: skipped (older than what is stored), failed (the gateway's own refusal: a replay
 * cannot help), parked (Concur refused, or the company is not set up: replayable once fixed) or retry later.
 */
import { ConcurDocumentError } from '../concur';
import { parsePutBooking } from '../gateway/bookings';
import type { BookingService } from '../gateway/bookings';
import { assertCompanyAllowed } from '../gateway/access';
import { GatewayError } from '../gateway/errors';
import { MappingConflictError } from '../gateway/ports';
import type { Supplier } from '../gateway/ports';
import { parseTripRequest } from '../gateway/trips';
import type { TripService } from '../gateway/trips';
import type { TripKeyService } from '../gateway/trip-keys';
import { bookingResultView, tripResultView } from '../gateway/views';
import { problemFor } from '../http/problem-responses';
import type { ProblemDetails } from '../problem';
import type { Command } from './envelope';

export interface UseCases {
  bookings: BookingService;
  trips: TripService;
  tripKeys: TripKeyService;
}

/** The status and body the synchronous route answers. */
export interface CommandResult {
  status: number;
  body: unknown;
}

export async function runCommand(
  useCases: UseCases,
  supplier: Supplier,
  command: Command,
): Promise<CommandResult> {
  switch (command.kind) {
    case 'putBooking': {
      const outcome = await useCases.bookings.put(
        supplier,
        command.companyId,
        command.confirmationNumber,
        structuredClone(command.body),
      );
      return { status: outcome.created ? 201 : 200, body: bookingResultView(outcome) };
    }
    case 'cancelBooking':
      return {
        status: 200,
        body: bookingResultView(
          await useCases.bookings.cancel(supplier, command.companyId, command.confirmationNumber, {
            ...(command.traveler ? { traveler: command.traveler } : {}),
            ...(command.dateModifiedUtc ? { dateModifiedUtc: command.dateModifiedUtc } : {}),
          }),
        ),
      };
    case 'createTrip':
      return {
        status: 201,
        body: tripResultView(await useCases.trips.create(supplier, command.companyId, command.body)),
      };
    case 'updateTrip':
      return {
        status: 200,
        body: tripResultView(
          await useCases.trips.update(supplier, command.companyId, command.tripId, command.body),
        ),
      };
    case 'upsertTripByKey': {
      const outcome = await useCases.tripKeys.upsert(
        supplier,
        command.companyId,
        command.tripKey,
        command.body,
      );
      return { status: outcome.created ? 201 : 200, body: tripResultView(outcome) };
    }
    case 'cancelTrip':
      return {
        status: 200,
        body: tripResultView(await useCases.trips.cancel(supplier, command.companyId, command.tripId)),
      };
  }
}

/**
 * Checks what can be checked before queueing, as the synchronous route would: the company, and the body.
 * Problems' paths are prefixed with `pathPrefix` (`data.` for an event's envelope).
 */
export function validateCommand(supplier: Supplier, command: Command, pathPrefix = ''): void {
  try {
    assertCompanyAllowed(supplier, command.companyId);
    if (command.kind === 'putBooking')
      parsePutBooking(supplier, command.confirmationNumber, structuredClone(command.body));
    if (command.kind === 'createTrip' || command.kind === 'updateTrip' || command.kind === 'upsertTripByKey')
      parseTripRequest(supplier, command.body);
  } catch (error) {
    if (error instanceof GatewayError && pathPrefix) {
      throw new GatewayError(
        error.kind,
        error.message,
        error.problems.map((problem) => ({
          ...problem,
          path: problem.path ? `${pathPrefix}${problem.path}` : pathPrefix.replace(/\.$/, ''),
        })),
      );
    }
    throw error;
  }
}

export type ErrorDisposition =
  | { outcome: 'skipped' | 'failed' | 'parked'; problem: ProblemDetails }
  | { outcome: 'retry'; problem: ProblemDetails; retryAfterSeconds?: number };

/** Concur's answers that waiting may cure. */
const TRANSIENT_CONCUR = new Set([
  'rate-limited',
  'unavailable',
  'timed-out',
  'outcome-unknown',
  'malformed-response',
]);
/** Missing or unusable credentials: an operator fixes them, then replays. */
const NOT_CONFIGURED = new Set([
  'CompanyNotConfiguredError',
  'AppNotConfiguredError',
  'MalformedSecretError',
]);

export function dispositionOf(error: unknown, operationId: string): ErrorDisposition {
  const { problem } = problemFor(error, operationId);
  delete problem.requestId;
  problem.instance = `/v1/operations/${operationId}`;
  if (error instanceof GatewayError) {
    if (error.kind === 'stale') return { outcome: 'skipped', problem };
    // A lease held by another change, or a change that arrived before the booking it refers to.
    if (error.kind === 'busy' || error.kind === 'not-found') return { outcome: 'retry', problem };
    // Invalid content waits, with its problem, for an operator to replay it once the sender's fix is known;
    // a refusal of who may change what (another source's or traveler's booking) is final.
    if (error.kind === 'validation') return { outcome: 'parked', problem };
    // A traveler Concur does not know (yet), or knows twice: replayable once the company's users are fixed.
    if (error.kind === 'unknown-traveler' || error.kind === 'ambiguous-traveler')
      return { outcome: 'parked', problem };
    // A source the supplier's Concur app lacks, or scopes its connection lacks: replayable once an operator fixes
    // the app (or the supplier names the traveler by login).
    if (error.kind === 'booking-source-not-approved' || error.kind === 'traveler-lookup-unavailable')
      return { outcome: 'parked', problem };
    return { outcome: 'failed', problem };
  }
  if (error instanceof MappingConflictError) return { outcome: 'retry', problem };
  if (error instanceof ConcurDocumentError) return { outcome: 'parked', problem };
  if (error instanceof Error && NOT_CONFIGURED.has(error.name)) return { outcome: 'parked', problem };
  if (error instanceof Error && error.name === 'ConcurApiError') {
    const { kind, retryAfterSeconds } = error as Error & { kind: string; retryAfterSeconds?: number };
    if (TRANSIENT_CONCUR.has(kind)) return { outcome: 'retry', problem, retryAfterSeconds };
    return { outcome: 'parked', problem };
  }
  // DynamoDB, Secrets Manager, the network, a token refresh held elsewhere: try again later.
  return { outcome: 'retry', problem };
}
