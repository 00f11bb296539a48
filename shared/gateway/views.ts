/** The API's JSON answers, shaped as api-contract.ts declares them. */
import type { BookingMappingView } from './api-responses';
import type { BookingOutcome } from './bookings';
import type { BookingMapping } from './ports';
import type { TripOutcome } from './trips';

export function bookingMappingView(mapping: BookingMapping): BookingMappingView {
  return {
    companyId: mapping.companyId,
    bookingSource: mapping.bookingSource,
    confirmationNumber: mapping.confirmationNumber,
    recordLocator: mapping.recordLocator,
    ...(mapping.tripId ? { tripId: mapping.tripId } : {}),
    traveler: { loginId: mapping.travelerLoginId },
    status: mapping.status,
    version: mapping.version,
    ...(mapping.sourceModifiedUtc ? { dateModifiedUtc: mapping.sourceModifiedUtc } : {}),
    createdAt: mapping.createdAt,
    updatedAt: mapping.updatedAt,
    ...(mapping.previousConfirmationNumber
      ? { previousConfirmationNumber: mapping.previousConfirmationNumber }
      : {}),
    ...(mapping.replacedByConfirmationNumber
      ? { replacedByConfirmationNumber: mapping.replacedByConfirmationNumber }
      : {}),
    ...(mapping.pendingStep ? { pendingStep: mapping.pendingStep } : {}),
    ...(mapping.lastError ? { lastError: mapping.lastError } : {}),
    ...(mapping.concurState ? { concurState: mapping.concurState } : {}),
    ...(mapping.concurChangedAt ? { concurChangedAt: mapping.concurChangedAt } : {}),
  };
}

export const bookingResultView = (outcome: BookingOutcome) => ({
  booking: bookingMappingView(outcome.mapping),
  ...(outcome.revived ? { revived: outcome.revived } : {}),
  concur: outcome.concur,
});

export const tripResultView = (outcome: TripOutcome) => ({
  tripId: outcome.tripId,
  itinerary: outcome.itinerary,
  concur: outcome.concur,
});
