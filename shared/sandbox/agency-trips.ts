/**
 * Rehearsing a merged trip: Concur merges a posted booking into the traveler's trip whose dates span it, even one
 * booked elsewhere (by the traveler's agency), and the booking then lives in that trip beside bookings that are
 * not the supplier's. A test key books such a trip for a traveler of its sandbox company; its next booking within
 * those dates, posted without a trip id, joins it. A live key is refused before anything is asked.
 */
import * as z from '../zod';
import { withMeta } from '../zod';
import { validated } from '../gateway/errors';
import type { Supplier } from '../gateway/ports';
import { ownSandboxCompany } from './faults';

const localDateTime = z
  .string()
  .check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/, { error: 'YYYY-MM-DDThh:mm:ss, local time' }));

/** The body of `POST /v1/sandbox/trips`. */
export const agencyTripRequestSchema = z
  .strictObject({
    traveler: z.strictObject({ loginId: z.string().check(z.minLength(1), z.maxLength(128)) }),
    startDateLocal: localDateTime,
    endDateLocal: localDateTime,
  })
  .check(
    z.refine((trip) => trip.startDateLocal <= trip.endDateLocal, {
      message: 'must not be before startDateLocal',
      path: ['endDateLocal'],
    }),
  )
  .apply(withMeta, {
    id: 'SandboxAgencyTripRequest',
    description:
      'A trip of the traveler (a login of your sandbox company, e.g. cm@example.com) booked by the traveler’s agency: one hotel stay over these dates.',
  });

export type AgencyTripRequest = z.infer<typeof agencyTripRequestSchema>;

export interface AgencyTrip {
  tripId: string;
  startDateLocal: string;
  endDateLocal: string;
}

/** The simulator's trips booked elsewhere, in one sandbox company. */
export interface SandboxAgencyTripControls {
  book(companyId: string, trip: AgencyTripRequest): Promise<AgencyTrip>;
}

/** What `POST /v1/sandbox/trips` answers. */
export const agencyTripSchema = z
  .strictObject({
    companyId: z.string(),
    trip: z.strictObject({ tripId: z.string(), startDateLocal: z.string(), endDateLocal: z.string() }),
  })
  .apply(withMeta, { id: 'SandboxAgencyTrip' });

export class SandboxAgencyTrips {
  constructor(private readonly controls: SandboxAgencyTripControls) {}

  async book(supplier: Supplier, body: unknown): Promise<{ companyId: string; trip: AgencyTrip }> {
    const companyId = ownSandboxCompany(supplier);
    const request = validated(agencyTripRequestSchema, body, 'the trip');
    return { companyId, trip: await this.controls.book(companyId, request) };
  }
}
