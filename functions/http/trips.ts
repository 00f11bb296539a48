/**
 * Lambda: trips (create, replace, cancel, read, list) limited to what the supplier may see; and a test key's
 * rehearsals at its sandbox company, its faults and trips booked elsewhere (this function already reaches the
 * sandbox).
 */
import { tripResultView } from '../../shared/gateway/views';
import { httpFunction } from '../../shared/http/http-function';
import { tripsRoutes } from '../../shared/http/routes/trips';
import { tripService } from '../../shared/composition/concur';
import { asyncSupplierRouteDependencies } from '../../shared/composition/async-requests';
import { sandboxAgencyTrips, sandboxFaults } from '../../shared/composition/sandbox';

export const handler = httpFunction(
  tripsRoutes,
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
    getSandboxFaults: async ({ supplier }) => ({ status: 200, body: await sandboxFaults().get(supplier!) }),
    replaceSandboxFaults: async ({ supplier, body }) => ({
      status: 200,
      body: await sandboxFaults().replace(supplier!, body),
    }),
    createSandboxAgencyTrip: async ({ supplier, body }) => ({
      status: 201,
      body: await sandboxAgencyTrips().book(supplier!, body),
    }),
    clearSandboxFaults: async ({ supplier }) => {
      await sandboxFaults().clear(supplier!);
      return { status: 204 };
    },
  },
  asyncSupplierRouteDependencies,
);
