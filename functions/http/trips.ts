/** Lambda: trips (create, replace, cancel, read, list) limited to what the supplier may see. */
import { tripResultView } from '../../shared/gateway/views';
import { httpFunction } from '../../shared/http/http-function';
import { tripService } from '../../shared/composition/concur';
import { asyncSupplierRouteDependencies } from '../../shared/composition/async-requests';

export const handler = httpFunction(
  'trips',
  {
    createTrip: async ({ supplier, pathParameters: p, body }) => ({
      status: 201,
      body: tripResultView(await tripService().create(supplier!, p.companyId!, body)),
    }),
    updateTrip: async ({ supplier, pathParameters: p, body }) => ({
      status: 200,
      body: tripResultView(await tripService().update(supplier!, p.companyId!, p.tripId!, body)),
    }),
    cancelTrip: async ({ supplier, pathParameters: p }) => ({
      status: 200,
      body: tripResultView(await tripService().cancel(supplier!, p.companyId!, p.tripId!)),
    }),
    getTrip: async ({ supplier, pathParameters: p }) => ({
      status: 200,
      body: tripResultView(await tripService().get(supplier!, p.companyId!, p.tripId!)),
    }),
    listTrips: async ({ supplier, pathParameters: p, query }) => ({
      status: 200,
      body: await tripService().list(supplier!, p.companyId!, query),
    }),
  },
  asyncSupplierRouteDependencies,
);
