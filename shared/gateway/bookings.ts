/**
 * Bookings by confirmation number: create, update, rebook and cancel at Concur, exactly once and in order,
 * with the mapping (company, booking source, confirmation number) → record locator and trip kept in step.
 */
import type { Booking, Itinerary } from '../concur';
import {
  cancelRequestSchema,
  putBookingRequestSchema,
  travelerPath,
  travelerReferenceOf,
} from './api-contract';
import type { CancelRequest, PutBookingRequest } from './api-contract';
import { assertCompanyAllowed, redactConcurDocument, redactTrip, supplierTrip } from './access';
import { GatewayError, validated } from './errors';
import { withBookingLease } from './locking';
import { tripDetailsOf } from './trip-listing';
import type { HeldBooking, LockOptions } from './locking';
import type {
  BookingKey,
  BookingMapping,
  BookingMappings,
  ChangeNote,
  ConcurCall,
  ConcurItinerary,
  Supplier,
  TravelerDirectory,
  TravelerReference,
} from './ports';
import { connectionOf } from './ports';

export interface BookingDependencies {
  mappings: BookingMappings;
  concur: ConcurItinerary;
  travelers: TravelerDirectory;
  lockOptions: LockOptions;
}

export interface BookingOutcome {
  mapping: BookingMapping;
  created: boolean;
  /** The PUT posted again a booking that had been cancelled in Concur by someone else: what was seen then. */
  revived?: { concurState: 'cancelled_in_concur'; concurChangedAt?: string };
  concur: {
    /** Absent when Concur's answer was too large to read (`tripNotShown`). */
    document?: Record<string, unknown>;
    tripNotShown?: 'too-large';
    correlationId?: string;
    attempts: number;
    /** A cancel that Concur answered NotFound, by confirmation number and by record locator. */
    status?: 'NotFound';
  };
}

/** The trip id of Concur's answer: ItinLocator, else the last segment of its id URI. */
export function tripIdOf(itinerary: Itinerary): string | undefined {
  if (itinerary.itinLocator) return itinerary.itinLocator;
  if (itinerary.tripId) return itinerary.tripId;
  const id = itinerary.id?.trim();
  return id ? decodeURIComponent(id.slice(id.lastIndexOf('/') + 1)) : undefined;
}

/**
 * A booking of the request with the supplier's bookingSource filled in, as every write does; one naming another
 * source is refused. Anything but an object is left for validation to name.
 */
export function withOwnBookingSource(
  supplier: Supplier,
  booking: unknown,
  path: string,
): Record<string, unknown> | undefined {
  if (typeof booking !== 'object' || booking === null || Array.isArray(booking)) return undefined;
  const source = (booking as Record<string, unknown>).bookingSource;
  if (source !== undefined && source !== null && source !== supplier.bookingSource) {
    throw new GatewayError(
      'booking-source-mismatch',
      `bookingSource must be your own ("${supplier.bookingSource}") or left out`,
      [{ path: `${path}.bookingSource`, message: `must be "${supplier.bookingSource}" or absent` }],
    );
  }
  return { ...booking, bookingSource: supplier.bookingSource };
}

/** Validates a PUT body after filling in what the supplier's identity decides. */
export function parsePutBooking(
  supplier: Supplier,
  confirmationNumber: string,
  body: unknown,
): PutBookingRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('validation', 'the body must be a JSON object', [
      { path: '', message: 'expected an object' },
    ]);
  }
  const request = body as { booking?: unknown };
  const booking = withOwnBookingSource(supplier, request.booking, 'booking');
  if (booking) request.booking = { ...booking, recordLocator: booking.recordLocator ?? confirmationNumber };
  const parsed = validated(putBookingRequestSchema(supplier.profile), request, 'the booking request');
  if (parsed.previousConfirmationNumber === confirmationNumber) {
    throw new GatewayError('validation', 'a booking cannot replace itself', [
      { path: 'previousConfirmationNumber', message: 'must differ from the confirmation number in the path' },
    ]);
  }
  return parsed;
}

/** Validates the optional body of a booking cancel. */
export function parseCancelRequest(body: unknown): CancelRequest {
  return validated(cancelRequestSchema, body ?? {}, 'the cancel request');
}

export class BookingService {
  constructor(private readonly deps: BookingDependencies) {}

  async get(supplier: Supplier, companyId: string, confirmationNumber: string): Promise<BookingMapping> {
    assertCompanyAllowed(supplier, companyId);
    return this.require({ companyId, bookingSource: supplier.bookingSource, confirmationNumber });
  }

  /** Creates or updates the booking at Concur; with `previousConfirmationNumber`, also cancels the old one. */
  async put(
    supplier: Supplier,
    companyId: string,
    confirmationNumber: string,
    body: unknown,
  ): Promise<BookingOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const request = parsePutBooking(supplier, confirmationNumber, body);
    const traveler = travelerReferenceOf(request.traveler);
    // Resolved before the lease is taken: a lookup at Concur must not hold up other changes of the booking.
    const loginId = await this.deps.travelers.loginIdOf(connectionOf(supplier, companyId), traveler);
    const key: BookingKey = { companyId, bookingSource: supplier.bookingSource, confirmationNumber };
    const outcome = await withBookingLease(
      this.deps.mappings,
      key,
      (held) => this.post(supplier, key, request, { reference: traveler, loginId }, held),
      this.deps.lockOptions,
      supplier.actor,
    );
    if (request.previousConfirmationNumber) {
      const mapping = await this.finishRebooking(
        supplier,
        outcome.mapping,
        request.previousConfirmationNumber,
      );
      return { ...outcome, mapping };
    }
    return outcome;
  }

  private async post(
    supplier: Supplier,
    key: BookingKey,
    request: PutBookingRequest,
    traveler: { reference: TravelerReference; loginId: string },
    held: HeldBooking,
  ): Promise<BookingOutcome> {
    const { concur } = this.deps;
    const existing = held.mapping;
    const sourceModifiedUtc = request.booking.dateModifiedUtc || undefined;
    if (existing?.sourceModifiedUtc && sourceModifiedUtc && sourceModifiedUtc < existing.sourceModifiedUtc) {
      throw new GatewayError(
        'stale',
        `the booking was already ${existing.status === 'cancelled' ? 'cancelled' : 'updated'} with dateModifiedUtc ${existing.sourceModifiedUtc}, newer than ${sourceModifiedUtc}`,
      );
    }
    // A cancel and an update of the same instant: the cancel stands; only a later version books again.
    if (
      existing?.status === 'cancelled' &&
      sourceModifiedUtc === existing.sourceModifiedUtc &&
      sourceModifiedUtc
    ) {
      throw new GatewayError(
        'stale',
        `the booking was cancelled with dateModifiedUtc ${sourceModifiedUtc}; only a later version books it again`,
      );
    }
    if (existing && existing.travelerLoginId !== traveler.loginId) {
      throw new GatewayError(
        'conflict',
        `the booking belongs to another traveler; cancel it and post a new one`,
        [
          {
            path: travelerPath(traveler.reference),
            message: 'differs from the traveler of the existing booking',
          },
        ],
      );
    }
    if (request.previousConfirmationNumber) {
      await this.require({ ...key, confirmationNumber: request.previousConfirmationNumber });
    }
    if (request.tripId !== undefined && request.tripId !== existing?.tripId) {
      await this.requirePostableTrip(supplier, key.companyId, request.tripId);
    }
    const posted = await concur.postBooking(connectionOf(supplier, key.companyId), {
      booking: request.booking,
      tripId: request.tripId ?? existing?.tripId,
      loginId: traveler.loginId,
    });
    const rebooking = request.previousConfirmationNumber !== undefined;
    const fields = {
      recordLocator: request.booking.recordLocator!,
      tripId: tripIdOf(posted.value) ?? request.tripId ?? existing?.tripId,
      travelerLoginId: traveler.loginId,
      status: rebooking ? ('rebooking' as const) : ('active' as const),
      sourceModifiedUtc: sourceModifiedUtc ?? existing?.sourceModifiedUtc,
      previousConfirmationNumber: request.previousConfirmationNumber ?? existing?.previousConfirmationNumber,
      pendingStep: rebooking ? 'cancel-previous' : undefined,
      lastError: undefined,
      // Kept for the trip listing, which answers from the gateway's records without calling Concur: as the
      // supplier may see the trip, so a trip holding another source's booking keeps its dates but not its name
      // (cleared, should the booking have moved into such a trip).
      tripName: undefined,
      ...tripDetailsOf(redactTrip(posted.value, supplier.bookingSource)),
      // What the gateway posted is the booking now: a change seen in Concur later is compared with it.
      ...bookingSpanOf(request.booking),
      concurState: undefined,
      concurChangedAt: undefined,
    };
    const change = {
      action: rebooking ? ('rebooked' as const) : existing ? ('updated' as const) : ('created' as const),
      concur: { status: 'ok' as const, correlationId: posted.correlationId },
    };
    const mapping = await held.save(
      existing
        ? { changes: fields, change }
        : { create: { ...key, ...fields, createdBy: supplier.id }, change },
    );
    return {
      mapping,
      created: !existing,
      ...(existing?.concurState === 'cancelled_in_concur'
        ? {
            revived: {
              concurState: existing.concurState,
              ...(existing.concurChangedAt ? { concurChangedAt: existing.concurChangedAt } : {}),
            },
          }
        : {}),
      concur: {
        ...(posted.tooLargeToShow
          ? { tripNotShown: 'too-large' as const }
          : { document: redactConcurDocument({ itinerary: posted.value }, supplier.bookingSource) }),
        correlationId: posted.correlationId,
        attempts: posted.attempts,
      },
    };
  }

  /**
   * Cancels the replaced booking at Concur and links the two; a failure is recorded and a retry finishes it. Each
   * booking is written under its own lease, so a change of either that is in progress is waited for, never
   * overwritten, and does not fail for this write.
   */
  private async finishRebooking(
    supplier: Supplier,
    mapping: BookingMapping,
    previousConfirmationNumber: string,
  ): Promise<BookingMapping> {
    const { mappings, lockOptions } = this.deps;
    const key: BookingKey = {
      companyId: mapping.companyId,
      bookingSource: mapping.bookingSource,
      confirmationNumber: mapping.confirmationNumber,
    };
    const previousKey: BookingKey = { ...key, confirmationNumber: previousConfirmationNumber };
    let failure: unknown;
    try {
      await withBookingLease(
        mappings,
        previousKey,
        async (held) => {
          const previous = held.mapping;
          if (!previous) throw notFoundError(previousKey);
          if (previous.status === 'cancelled') return;
          const answer = await this.cancelAtConcur(supplier, previous);
          await held.save({
            changes: {
              status: 'cancelled',
              replacedByConfirmationNumber: mapping.confirmationNumber,
              pendingStep: undefined,
            },
            change: { action: 'replaced', concur: concurNoteOf(answer) },
          });
        },
        lockOptions,
        supplier.actor,
      );
    } catch (error) {
      failure = error;
    }
    return withBookingLease(
      mappings,
      key,
      async (held) => {
        const current = held.mapping;
        if (!current) throw notFoundError(key);
        if (failure !== undefined) {
          const lastError = describeError(failure);
          await held.save({ changes: { lastError }, change: { action: 'rebook-failed', error: lastError } });
          throw failure;
        }
        // A change that came meanwhile (another PUT, a cancel) is the booking's state now.
        if (
          current.status !== 'rebooking' ||
          current.previousConfirmationNumber !== previousConfirmationNumber
        )
          return current;
        return held.save({
          changes: { status: 'active', pendingStep: undefined, lastError: undefined },
          change: { action: 'rebook-completed' },
        });
      },
      lockOptions,
      supplier.actor,
    );
  }

  /**
   * Cancels the booking at Concur and stores the cancel as the booking's state, with its version
   * (`dateModifiedUtc`) when it has one: a cancel older than the stored version is stale, and an update at or
   * before the cancel's version is stale afterwards.
   */
  async cancel(
    supplier: Supplier,
    companyId: string,
    confirmationNumber: string,
    options: { traveler?: TravelerReference; dateModifiedUtc?: string } = {},
  ): Promise<BookingOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const { traveler, dateModifiedUtc } = options;
    const key: BookingKey = { companyId, bookingSource: supplier.bookingSource, confirmationNumber };
    const loginId =
      traveler && (await this.deps.travelers.loginIdOf(connectionOf(supplier, companyId), traveler));
    return withBookingLease(
      this.deps.mappings,
      key,
      async (held) => {
        const mapping = held.mapping;
        if (!mapping) throw notFoundError(key);
        if (traveler && loginId !== mapping.travelerLoginId) {
          throw new GatewayError('conflict', 'the booking belongs to another traveler', [
            { path: travelerPath(traveler), message: 'differs from the traveler of the booking' },
          ]);
        }
        if (dateModifiedUtc && mapping.sourceModifiedUtc && dateModifiedUtc < mapping.sourceModifiedUtc) {
          throw new GatewayError(
            'stale',
            `the booking was already ${mapping.status === 'cancelled' ? 'cancelled' : 'updated'} with dateModifiedUtc ${mapping.sourceModifiedUtc}, newer than this cancel's ${dateModifiedUtc}`,
          );
        }
        const version = dateModifiedUtc ?? mapping.sourceModifiedUtc;
        if (mapping.status === 'cancelled') {
          // Cancelled already: a later cancel only moves the version on.
          const updated =
            version === mapping.sourceModifiedUtc
              ? mapping
              : await held.save({
                  changes: { sourceModifiedUtc: version },
                  change: { action: 'version-moved' },
                });
          return { mapping: updated, created: false, concur: { document: {}, attempts: 0 } };
        }
        const answer = await this.cancelAtConcur(supplier, mapping);
        const updated = await held.save({
          changes: { status: 'cancelled', pendingStep: undefined, sourceModifiedUtc: version },
          change: { action: 'cancelled', concur: concurNoteOf(answer) },
        });
        return {
          mapping: updated,
          created: false,
          concur: {
            document: redactConcurDocument(answer.value, supplier.bookingSource),
            ...(answer.correlationId ? { correlationId: answer.correlationId } : {}),
            attempts: answer.attempts,
            ...(answer.notFound ? { status: 'NotFound' as const } : {}),
          },
        };
      },
      this.deps.lockOptions,
      supplier.actor,
    );
  }

  /**
   * Cancels at Concur by the booking's confirmation number, as Concur's cancel names it; when Concur answers
   * NotFound and the record locator differs, once more by the record locator. A booking Concur knows by neither
   * is as good as cancelled, and reported as `notFound`.
   */
  private async cancelAtConcur(
    supplier: Supplier,
    mapping: BookingMapping,
  ): Promise<ConcurCall<Record<string, unknown>> & { notFound?: true }> {
    const names = [mapping.confirmationNumber];
    if (mapping.recordLocator !== mapping.confirmationNumber) names.push(mapping.recordLocator);
    let attempts = 0;
    for (const confirmationNumber of names) {
      try {
        const answer = await this.deps.concur.cancelBooking(connectionOf(supplier, mapping.companyId), {
          bookingSource: mapping.bookingSource,
          confirmationNumber,
          loginId: mapping.travelerLoginId,
        });
        return { ...answer, attempts: attempts + answer.attempts };
      } catch (error) {
        if ((error as { kind?: string }).kind !== 'not-found') throw error;
        attempts += (error as { attempts?: number }).attempts ?? 1;
      }
    }
    return { value: { status: 'NotFound' }, attempts, notFound: true };
  }

  /** A trip the supplier may add to: one it created or one already holding one of its bookings. */
  private async requirePostableTrip(supplier: Supplier, companyId: string, tripId: string): Promise<void> {
    if (!(await supplierTrip(this.deps.mappings, supplier, companyId, tripId))) {
      throw new GatewayError('not-found', `no trip ${tripId} created by you or holding your bookings`, [
        { path: 'tripId', message: 'not a trip you may add bookings to' },
      ]);
    }
  }

  private async require(key: BookingKey): Promise<BookingMapping> {
    const mapping = await this.deps.mappings.get(key);
    if (!mapping) throw notFoundError(key);
    return mapping;
  }
}

/** The booking's dates: its earliest segment start and latest segment end (a segment without an end ends at its start). */
export function bookingSpanOf(booking: Booking): {
  bookingStartDateLocal?: string;
  bookingEndDateLocal?: string;
} {
  let start: string | undefined;
  let end: string | undefined;
  for (const segment of booking.segments ?? []) {
    if (!segment) continue;
    const segmentStart = segment.startDateLocal ?? segment.endDateLocal ?? undefined;
    const segmentEnd = segment.endDateLocal ?? segment.startDateLocal ?? undefined;
    if (segmentStart && (start === undefined || segmentStart < start)) start = segmentStart;
    if (segmentEnd && (end === undefined || segmentEnd > end)) end = segmentEnd;
  }
  return { bookingStartDateLocal: start, bookingEndDateLocal: end };
}

const notFoundError = (key: BookingKey) =>
  new GatewayError('not-found', `no booking ${key.confirmationNumber} of ${key.bookingSource}`);

/** What the history keeps of a cancel at Concur. */
const concurNoteOf = (answer: { correlationId?: string; notFound?: true }): ChangeNote['concur'] => ({
  status: answer.notFound ? 'not-found' : 'ok',
  ...(answer.correlationId ? { correlationId: answer.correlationId } : {}),
});

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
