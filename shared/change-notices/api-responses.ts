/** The ESS route's answer and the `data` of the changes told to suppliers, as zod schemas for the OpenAPI document. */
import { bookingMappingSchema } from '../gateway/api-responses';
import { CONCUR_STATES } from '../gateway/ports';
import * as z from '../zod';
import { withMeta } from '../zod';

export const concurEventAcceptedSchema = z
  .strictObject({ accepted: z.string().apply(withMeta, { description: "The event's id." }) })
  .apply(withMeta, { id: 'ConcurEventAccepted' });

const localDates = z.strictObject({
  startDateLocal: z.optional(z.string()),
  endDateLocal: z.optional(z.string()),
});

export const concurChangeSchema = z
  .strictObject({
    companyId: z.string(),
    confirmationNumber: z.string(),
    tripId: z.optional(z.string()),
    change: z.strictObject({
      state: z.enum(CONCUR_STATES),
      reason: z.enum([
        'cancelled',
        'removed-from-trip',
        'trip-deleted',
        'trip-anonymized',
        'dates-changed',
        'moved-trip',
      ]),
      dates: z.optional(z.strictObject({ from: localDates, to: localDates })),
      movedToTripId: z.optional(z.string()),
    }),
    booking: bookingMappingSchema,
  })
  .apply(withMeta, {
    id: 'ConcurChange',
    description:
      "A change made to your booking in Concur by someone other than this gateway (the traveler, an agent, Concur): what changed, and the mapping as GET …/bookings/{confirmationNumber} shows it now, with concurState. The trip's other bookings are never described.",
  });

export const concurTripChangeSchema = z
  .strictObject({
    companyId: z.string(),
    tripId: z.string(),
    change: z.strictObject({
      state: z.enum(CONCUR_STATES),
      reason: z.enum(['cancelled', 'trip-deleted', 'trip-anonymized', 'dates-changed']),
      dates: z.optional(z.strictObject({ from: localDates, to: localDates })),
    }),
  })
  .apply(withMeta, {
    id: 'ConcurTripChange',
    description:
      'A change made in Concur, by someone other than this gateway, to a trip you created: cancelled (the trip, or every booking in it), deleted or anonymized (removed_in_concur), or its dates moved from those the gateway last recorded. Your bookings in it are told apart, each as a booking event.',
  });
