/**
 * The traveler a request names, as the Concur login the Itinerary API acts for. A login is taken as given; a
 * work email or employee id is looked up in the company's cache, else searched with Concur's Identity v4.1 and
 * remembered for `ttlMs`. No match and several matches are refused (422): the gateway never guesses a traveler,
 * and its answer names none of the company's users.
 */
import { travelerPath } from './api-contract';
import { GatewayError } from './errors';
import type {
  Clock,
  ConcurIdentity,
  ConnectionRef,
  TravelerCache,
  TravelerDirectory,
  TravelerReference,
} from './ports';

/** Logins rarely change, and a resolved email stays right until someone reuses it: a day, by default. */
export const DEFAULT_TRAVELER_TTL_MS = 24 * 60 * 60 * 1000;

export interface TravelerResolverOptions {
  identity: ConcurIdentity;
  cache: TravelerCache;
  ttlMs?: number;
  clock?: Clock;
}

export class TravelerResolver implements TravelerDirectory {
  private readonly ttlMs: number;
  private readonly clock: Clock;

  constructor(private readonly options: TravelerResolverOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_TRAVELER_TTL_MS;
    this.clock = options.clock ?? { now: () => Date.now() };
  }

  async loginIdOf(connection: ConnectionRef, traveler: TravelerReference): Promise<string> {
    if ('loginId' in traveler) return traveler.loginId;
    // A user is the company's whichever app finds it: the cache is the company's.
    const { companyId } = connection;
    const { cache, identity } = this.options;
    const cached = await cache.get(companyId, traveler, this.clock.now());
    if (cached !== undefined) return cached;
    const kind = 'email' in traveler ? 'email' : 'employeeId';
    const missing = await identity.lookupScopesMissing(connection, kind);
    if (missing.length > 0) {
      throw new GatewayError(
        'traveler-lookup-unavailable',
        `the company's Concur connection may not search users (it lacks ${missing.join(', ')}): name the traveler by loginId`,
        [
          {
            path: travelerPath(traveler),
            message: 'cannot be looked up at this company: send loginId instead',
          },
        ],
      );
    }
    const found = await identity.findUsers(connection, traveler);
    const { totalResults, loginIds } = found.value;
    const what = 'email' in traveler ? 'this email' : 'this employee id';
    const path = travelerPath(traveler);
    if (totalResults === 0 || loginIds.length === 0) {
      throw new GatewayError('unknown-traveler', `no active Concur user of the company has ${what}`, [
        { path, message: 'matches no active Concur user of the company' },
      ]);
    }
    if (totalResults > 1 || loginIds.length > 1) {
      throw new GatewayError(
        'ambiguous-traveler',
        `several active Concur users of the company have ${what}: send the traveler's loginId instead`,
        [{ path, message: 'matches several active Concur users of the company' }],
      );
    }
    const resolvedAt = this.clock.now();
    await cache.put(companyId, traveler, {
      loginId: loginIds[0]!,
      resolvedAt,
      expiresAt: resolvedAt + this.ttlMs,
    });
    return loginIds[0]!;
  }
}
