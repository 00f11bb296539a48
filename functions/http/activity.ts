/** Lambda: what the supplier reads of its own activity (bookings, a booking's history, operations); no Concur. */
import { historyView, bookingListView, operationListView } from '../../shared/activity/views';
import { activityReader } from '../../shared/composition/activity';
import { httpFunction } from '../../shared/http/http-function';
import { activityRoutes } from '../../shared/http/routes/activity';
import { supplierReadDependencies } from '../../shared/composition/dynamodb';

export const handler = httpFunction(
  activityRoutes,
  {
    listBookings: async ({ supplier, query }) => ({
      status: 200,
      body: bookingListView(await activityReader().bookings(supplier!, query)),
    }),
    getBookingHistory: async ({ supplier, pathParameters: p, query, origin }) => ({
      status: 200,
      body: historyView(
        await activityReader().history(supplier!, p.companyId!, p.confirmationNumber!, query),
        origin,
      ),
    }),
    listOperations: async ({ supplier, query, origin }) => ({
      status: 200,
      body: operationListView(await activityReader().operations(supplier!, query), origin),
    }),
  },
  supplierReadDependencies,
);
