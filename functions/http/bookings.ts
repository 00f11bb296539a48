/** Lambda: bookings by confirmation number (create/update/rebook, read, cancel). */
import { travelerReferenceOf } from '../../shared/gateway/api-contract';
import { parseCancelRequest } from '../../shared/gateway/bookings';
import { bookingMappingView, bookingResultView } from '../../shared/gateway/views';
import { httpFunction } from '../../shared/http/http-function';
import { bookingsRoutes } from '../../shared/http/routes/bookings';
import { bookingService } from '../../shared/composition/concur';
import { asyncSupplierRouteDependencies } from '../../shared/composition/async-requests';

export const handler = httpFunction(
  bookingsRoutes,
  {
    putBooking: async ({ supplier, pathParameters: p, body }) => {
      const outcome = await bookingService().put(supplier!, p.companyId!, p.confirmationNumber!, body);
      return { status: outcome.created ? 201 : 200, body: bookingResultView(outcome) };
    },
    getBooking: async ({ supplier, pathParameters: p }) => {
      const mapping = await bookingService().get(supplier!, p.companyId!, p.confirmationNumber!);
      return { status: 200, body: { booking: bookingMappingView(mapping) } };
    },
    cancelBooking: async ({ supplier, pathParameters: p, body }) => {
      const { traveler, dateModifiedUtc } = parseCancelRequest(body);
      const outcome = await bookingService().cancel(supplier!, p.companyId!, p.confirmationNumber!, {
        ...(traveler ? { traveler: travelerReferenceOf(traveler) } : {}),
        ...(dateModifiedUtc ? { dateModifiedUtc } : {}),
      });
      return { status: 200, body: bookingResultView(outcome) };
    },
  },
  asyncSupplierRouteDependencies,
);
