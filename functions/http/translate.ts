/** Lambda: dry runs that take a write's body and answer the Concur XML that write would send. */
import { translateBookingWrite, translateTripWrite } from '../../shared/gateway/translation';
import { httpFunction } from '../../shared/http/http-function';
import { translateRoutes } from '../../shared/http/routes/translate';
import { supplierRouteDependencies } from '../../shared/composition/dynamodb';

export const handler = httpFunction(
  translateRoutes,
  {
    translateBooking: async ({ supplier, query, body }) => ({
      status: 200,
      body: { xml: translateBookingWrite(supplier!, query, body) },
    }),
    translateTrip: async ({ supplier, query, body }) => ({
      status: 200,
      body: { xml: translateTripWrite(supplier!, query, body) },
    }),
  },
  supplierRouteDependencies,
);
