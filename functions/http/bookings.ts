/** Lambda: bookings by confirmation number (create/update/rebook, read, cancel). */
import { parseCancelRequest } from '../../shared/gateway/bookings';
import { bookingMappingView, bookingResultView } from '../../shared/gateway/views';
import { httpFunction } from '../../shared/http/http-function';
import { bookingService } from '../../shared/composition/concur';
import { asyncSupplierRouteDependencies } from '../../shared/composition/events';

export const handler = httpFunction(
  'bookings',
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
      const loginId = parseCancelRequest(body).traveler?.loginId;
      const outcome = await bookingService().cancel(supplier!, p.companyId!, p.confirmationNumber!, loginId);
      return { status: 200, body: bookingResultView(outcome) };
    },
  },
  asyncSupplierRouteDependencies,
);
