/**
 * Trips: create, replace, cancel, read and list at Concur, limited to what the supplier may see and change.
 */
import { toFieldProblems } from '../concur';
import type { ItineraryInfo } from '../concur';
import { tripListQuerySchema, tripRequestSchema } from './api-contract';
import type { TripListQuery, TripRequest } from './api-contract';
import { assertCompanyAllowed, redactForeignBookings, visibleTripIds } from './access';
import { tripIdOf } from './bookings';
import { GatewayError } from './errors';
import type { BookingMappings, ConcurCall, ConcurItinerary, Supplier } from './ports';
import type { Itinerary } from '../concur';

export interface TripDependencies {
  mappings: BookingMappings;
  concur: ConcurItinerary;
}

export interface TripOutcome {
  tripId: string;
  itinerary: Itinerary;
  concur: { correlationId?: string; attempts: number };
}

export interface TripPage {
  trips: ItineraryInfo[];
  nextCursor?: string;
  concur: { correlationId?: string; attempts: number };
}

const DEFAULT_PAGE_SIZE = 50;

function parseTripRequest(supplier: Supplier, body: unknown): TripRequest {
  const result = tripRequestSchema(supplier.profile).safeParse(body);
  if (!result.success)
    throw new GatewayError('validation', 'the trip request is not valid', toFieldProblems(result.error));
  result.data.itinerary.bookings?.forEach((booking, index) => {
    if (booking && booking.bookingSource !== supplier.bookingSource) {
      throw new GatewayError('booking-source-mismatch', `every booking of the trip must be your own`, [
        {
          path: `itinerary.bookings[${index}].bookingSource`,
          message: `must be "${supplier.bookingSource}"`,
        },
      ]);
    }
  });
  return result.data;
}

const outcomeOf = (call: ConcurCall<Itinerary>, fallbackTripId?: string): TripOutcome => {
  const tripId = tripIdOf(call.value) ?? fallbackTripId;
  if (!tripId) throw new Error('Concur answered a trip without an id');
  return {
    tripId,
    itinerary: call.value,
    concur: { correlationId: call.correlationId, attempts: call.attempts },
  };
};

/** Cursor of the gateway's own paging over the supplier's filtered list: the offset, opaque to callers. */
const encodeCursor = (offset: number) => Buffer.from(JSON.stringify({ offset })).toString('base64url');
function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // fall through to the validation error
  }
  throw new GatewayError('validation', 'the cursor is not one this API gave out', [
    { path: 'cursor', message: 'not a valid cursor' },
  ]);
}

export class TripService {
  constructor(private readonly deps: TripDependencies) {}

  async create(supplier: Supplier, companyId: string, body: unknown): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const request = parseTripRequest(supplier, body);
    const call = await this.deps.concur.createTrip(companyId, {
      itinerary: request.itinerary,
      loginId: request.traveler.loginId,
    });
    const outcome = outcomeOf(call);
    await this.deps.mappings.recordTrip({
      companyId,
      bookingSource: supplier.bookingSource,
      tripId: outcome.tripId,
      travelerLoginId: request.traveler.loginId,
    });
    return outcome;
  }

  async update(supplier: Supplier, companyId: string, tripId: string, body: unknown): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    await this.requireCreated(supplier, companyId, tripId);
    const request = parseTripRequest(supplier, body);
    const call = await this.deps.concur.updateTrip(companyId, {
      tripId,
      itinerary: request.itinerary,
      loginId: request.traveler.loginId,
    });
    return outcomeOf(call, tripId);
  }

  async cancel(supplier: Supplier, companyId: string, tripId: string): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const trip = await this.requireCreated(supplier, companyId, tripId);
    const call = await this.deps.concur.cancelTrip(companyId, { tripId, loginId: trip.travelerLoginId });
    // Concur answers either the trip with empty segments or <Message>Cancelled Successfully</Message>.
    const itinerary = (call.value.itinerary as Itinerary | undefined) ?? {};
    return { tripId, itinerary, concur: { correlationId: call.correlationId, attempts: call.attempts } };
  }

  async get(supplier: Supplier, companyId: string, tripId: string): Promise<TripOutcome> {
    assertCompanyAllowed(supplier, companyId);
    const visible = await visibleTripIds(this.deps.mappings, supplier, companyId);
    const trip = visible.get(tripId);
    if (!trip) throw new GatewayError('not-found', `no trip ${tripId} with your bookings`);
    const call = await this.deps.concur.getTrip(companyId, { tripId, loginId: trip.travelerLoginId });
    const outcome = outcomeOf(call, tripId);
    return { ...outcome, itinerary: redactForeignBookings(outcome.itinerary, supplier.bookingSource) };
  }

  async list(supplier: Supplier, companyId: string, query: unknown): Promise<TripPage> {
    assertCompanyAllowed(supplier, companyId);
    const parsed = tripListQuerySchema.safeParse(query);
    if (!parsed.success)
      throw new GatewayError('validation', 'the query is not valid', toFieldProblems(parsed.error));
    const filters: TripListQuery = parsed.data;
    const offset = decodeCursor(filters.cursor);
    const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
    const visible = await visibleTripIds(this.deps.mappings, supplier, companyId);
    if (visible.size === 0) return { trips: [], concur: { attempts: 0 } };
    const call = await this.deps.concur.listTrips(companyId, {
      loginId: filters.traveler,
      startDate: filters.startDate,
      endDate: filters.endDate,
      createdAfterDate: filters.createdAfterDate,
      createdBeforeDate: filters.createdBeforeDate,
      lastModifiedDate: filters.lastModifiedDate,
      bookingType: filters.bookingType,
      includeCanceledTrips: filters.includeCanceledTrips === 'true',
    });
    const own = call.value.filter((trip) => trip.tripId && visible.has(trip.tripId));
    const page = own.slice(offset, offset + limit);
    return {
      trips: page,
      ...(offset + limit < own.length ? { nextCursor: encodeCursor(offset + limit) } : {}),
      concur: { correlationId: call.correlationId, attempts: call.attempts },
    };
  }

  private async requireCreated(supplier: Supplier, companyId: string, tripId: string) {
    const trips = await this.deps.mappings.listTripsForSupplier(companyId, supplier.bookingSource);
    const trip = trips.find((t) => t.tripId === tripId);
    if (!trip) throw new GatewayError('not-found', `no trip ${tripId} created by you`);
    return trip;
  }
}
