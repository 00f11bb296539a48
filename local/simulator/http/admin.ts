/**
 * The admin API under `/_sim/…` (JSON in, JSON out): the request log, a reset, the stored state, faults and
 * token failures. It is the simulator's own, so it needs no token, is never faulted and never logged. The fault
 * routes act on the set every call meets, or with `?companyId=` on that company's own set alone.
 */
import * as z from '../../../shared/zod';
import type { FaultSetControls, SimulatorFaults } from '../controls';
import {
  API_ROUTES,
  errorRateRuleSchema,
  failureActionSchema,
  faultOptionsSchema,
  latencyRuleSchema,
} from '../../../shared/sandbox/fault-rules';
import type { RequestLog } from '../request-log';
import { userOptionsSchema } from '../identity';
import type { UserDirectory } from '../identity';
import type { TripStore } from '../store';
import type { TokenRegistry } from '../tokens';
import { jsonAnswer } from './answers';
import type { HttpAnswer } from './answers';
import { handleTravelerAdmin, isTravelerAdminPath } from './traveler-admin';
import type { TravelerAdminContext } from './traveler-admin';

export interface AdminContext {
  faults: SimulatorFaults;
  log: RequestLog;
  store: TripStore;
  tokens: TokenRegistry;
  users: UserDirectory;
  reset: () => void;
  concur: TravelerAdminContext;
}

const nextSchema = z.object({
  route: z.enum(['*', ...API_ROUTES]),
  action: failureActionSchema,
  times: z.optional(z.number().check(z.int(), z.gte(1))),
});
const nonEmpty = () => z.string().check(z.minLength(1));
const companySchema = z.object({ companyId: nonEmpty() });
const tripFlagsSchema = z.object({
  tripId: nonEmpty(),
  virtual: z.optional(z.boolean()),
  guest: z.optional(z.boolean()),
});
const userSchema = z.extend(userOptionsSchema, { companyId: nonEmpty() });
const deleteBookingSchema = z.object({
  companyId: nonEmpty(),
  bookingSource: nonEmpty(),
  recordLocator: nonEmpty(),
});
const revokeSchema = z
  .object({ accessToken: z.optional(nonEmpty()), refreshToken: z.optional(nonEmpty()) })
  .check(
    z.refine((b) => b.accessToken !== undefined || b.refreshToken !== undefined, {
      message: 'give accessToken or refreshToken',
    }),
  );
const issueSchema = z.object({
  companyId: nonEmpty(),
  clientId: z.optional(nonEmpty()),
  user: z.optional(nonEmpty()),
  bookingSource: z.optional(z.nullable(nonEmpty())),
});

type Handler = (context: AdminContext, body: unknown, query: URLSearchParams) => HttpAnswer;
type FaultHandler = (faults: FaultSetControls, body: unknown) => HttpAnswer;

/** A fault route, on the shared set or on the set of the company the query names (404 for an unknown one). */
const onFaults =
  (handler: FaultHandler): Handler =>
  ({ faults }, body, query) => {
    const companyId = query.get('companyId');
    return handler(companyId === null ? faults : faults.company(companyId), body);
  };

const noContent = (): HttpAnswer => ({ status: 204, contentType: 'application/json', body: '' });

const handlers: Record<string, Handler> = {
  'GET /_sim/requests': ({ log }) => jsonAnswer({ requests: log.entries }),
  'DELETE /_sim/requests': ({ log }) => {
    log.clear();
    return noContent();
  },
  'POST /_sim/reset': ({ reset }) => {
    reset();
    return noContent();
  },
  'GET /_sim/state': ({ store }) => jsonAnswer({ trips: store.all() }),
  'POST /_sim/state/trip-flags': ({ store }, body) => {
    const { tripId, ...flags } = tripFlagsSchema.parse(body);
    if (!store.byId(tripId)) return jsonAnswer({ error: `unknown trip "${tripId}"` }, 404);
    store.setTripFlags(tripId, flags);
    return noContent();
  },
  'POST /_sim/state/delete-booking': ({ store }, body) => {
    const { companyId, bookingSource, recordLocator } = deleteBookingSchema.parse(body);
    return store.deleteBooking(companyId, bookingSource, recordLocator)
      ? noContent()
      : jsonAnswer({ error: `no booking ${bookingSource}/${recordLocator} of company "${companyId}"` }, 404);
  },
  'GET /_sim/users': ({ tokens, users }) =>
    jsonAnswer({ companies: tokens.companyIds().map((id) => ({ id, users: users.of(id) })) }),
  'POST /_sim/users': ({ tokens, users }, body) => {
    const { companyId, ...user } = userSchema.parse(body);
    if (!tokens.company(companyId)) return jsonAnswer({ error: `unknown company "${companyId}"` }, 404);
    if (users.of(companyId).some((known) => known.userName.toLowerCase() === user.loginId.toLowerCase()))
      return jsonAnswer({ error: `user "${user.loginId}" already exists in company "${companyId}"` }, 409);
    return jsonAnswer(users.add(companyId, user), 201);
  },
  'GET /_sim/faults': onFaults((faults) => jsonAnswer(faults.rules())),
  'PUT /_sim/faults': onFaults((faults, body) => {
    faults.replace(faultOptionsSchema.parse(body));
    return jsonAnswer(faults.rules());
  }),
  'DELETE /_sim/faults': onFaults((faults) => {
    faults.clear();
    return noContent();
  }),
  'POST /_sim/faults/latency': onFaults((faults, body) => {
    faults.setLatency(latencyRuleSchema.parse(body));
    return jsonAnswer(faults.rules());
  }),
  'POST /_sim/faults/error-rate': onFaults((faults, body) => {
    faults.setErrorRate(errorRateRuleSchema.parse(body));
    return jsonAnswer(faults.rules());
  }),
  'POST /_sim/faults/next': onFaults((faults, body) => {
    const { route, action, times } = nextSchema.parse(body);
    faults.failNext(route, action, times);
    return jsonAnswer(faults.rules());
  }),
  'GET /_sim/tokens': ({ tokens }) =>
    jsonAnswer({
      companies: tokens.companyIds().map((id) => ({
        id,
        defaultUser: tokens.company(id)?.defaultUser,
        bookingSource: tokens.company(id)?.bookingSource ?? null,
        accessToken: tokens.accessTokenFor(id),
        refreshToken: tokens.refreshTokenFor(id),
        clients: tokens.clients
          .filter((c) => c.companyId === id)
          .map((c) => ({
            clientId: c.clientId,
            clientSecret: c.clientSecret,
            bookingSource: c.bookingSource ?? null,
            scope: tokens.scopesOf(c).join(' '),
            rotatesRefreshTokens: tokens.rotates(c),
          })),
      })),
    }),
  'POST /_sim/tokens/expire': ({ faults }, body) => {
    const { companyId } = companySchema.parse(body);
    return jsonAnswer({ expired: faults.expireAccessToken(companyId) });
  },
  'POST /_sim/tokens/revoke': ({ faults }, body) => {
    const { accessToken, refreshToken } = revokeSchema.parse(body);
    const revoked =
      (accessToken !== undefined && faults.revokeAccessToken(accessToken)) ||
      (refreshToken !== undefined && faults.revokeRefreshToken(refreshToken));
    return jsonAnswer({ revoked }, revoked ? 200 : 404);
  },
  'POST /_sim/tokens/request-token': ({ tokens }, body) => {
    const { companyId } = companySchema.parse(body);
    if (!tokens.company(companyId)) return jsonAnswer({ error: `unknown company "${companyId}"` }, 404);
    return jsonAnswer(tokens.mintRequestToken(companyId));
  },
  'POST /_sim/tokens/issue': ({ tokens }, body) => {
    const { companyId, ...options } = issueSchema.parse(body);
    if (!tokens.company(companyId)) return jsonAnswer({ error: `unknown company "${companyId}"` }, 404);
    return jsonAnswer(tokens.issueTokenPair(companyId, options));
  },
};

function isSchemaError(error: unknown): error is z.core.$ZodError {
  return (
    error instanceof Error && error.name === '$ZodError' && Array.isArray((error as z.core.$ZodError).issues)
  );
}

export function handleAdmin(
  context: AdminContext,
  method: string,
  path: string,
  body: string,
  query: URLSearchParams = new URLSearchParams(),
): HttpAnswer {
  const handler = handlers[`${method} ${path.replace(/\/$/, '')}`];
  const concurPath = path.replace(/\/$/, '');
  if (!handler && !isTravelerAdminPath(concurPath)) {
    return jsonAnswer(
      { error: `no admin operation at ${method} ${path}`, operations: Object.keys(handlers) },
      404,
    );
  }
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    return jsonAnswer({ error: 'the body is not JSON' }, 400);
  }
  try {
    return handler
      ? handler(context, parsed, query)
      : handleTravelerAdmin(context.concur, method, concurPath, parsed);
  } catch (error) {
    // By name: `z.core.$ZodError` would put zod's whole core, locales included, in the hosted sandbox's bundle.
    if (isSchemaError(error)) {
      return jsonAnswer(
        { error: 'invalid body', issues: error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) },
        400,
      );
    }
    // The token registry refuses unknown companies and clients by name.
    if (error instanceof Error && error.message.startsWith('unknown '))
      return jsonAnswer({ error: error.message }, 404);
    throw error;
  }
}
