/**
 * `startSimulator()`: a stateful SAP Concur Itinerary v1.1 sandbox on a local port, with its state, faults,
 * request log and tokens at hand for tests.
 */
import type { AddressInfo } from 'node:net';
import type { Itinerary } from '../../shared/concur';
import { createSimulatorFaults } from './controls';
import type { SimulatorFaults } from './controls';
import { FaultSets } from './faults';
import { createSimulatorServer } from './http/server';
import { IdGenerator } from './ids';
import { UserDirectory } from './identity';
import type { IdentityUser, UserOptions } from './identity';
import { resolveOptions } from './options';
import type { SimulatorOptions } from './options';
import { renderItinerary } from './render';
import type { Viewer } from './render';
import { RequestLog } from './request-log';
import { TripStore } from './store';
import { EssPublisher } from './ess';
import type { EssAttempt, EssSubscription } from './ess';
import { TravelerActions } from './traveler-actions';
import type { TravelerChange } from './traveler-actions';
import { persistTrips } from './persistence';
import type { StoredTrip } from './stored-trip';
import { SNAPSHOT_FORMAT } from './snapshot';
import type { SimulatorSnapshot } from './snapshot';
import { TokenRegistry } from './tokens';
import type { ClientOptions, IssueOptions, ResolvedCompany, TokenPair } from './tokens';

/** The stored trips, read-only (copies), and the flags the API cannot set. */
export interface SimulatorState {
  trips(companyId?: string): StoredTrip[];
  trip(tripId: string): StoredTrip | undefined;
  /** The trip as `GET /api/travel/trip/v1.1/{tripId}` answers it, in the JSON form. */
  itinerary(tripId: string, viewer?: Viewer): Itinerary | undefined;
  /** Marks a trip virtual (offline Travel Request) or a guest booking: such trips are listed only on request. */
  setTripFlags(tripId: string, flags: { virtual?: boolean; guest?: boolean }): void;
}

export interface SimulatorTokens {
  accessTokenFor(companyId?: string): string;
  refreshTokenFor(companyId?: string): string;
  clientFor(companyId?: string): Pick<ClientOptions, 'clientId' | 'clientSecret'>;
  /** A fresh access and refresh token, optionally for another client, traveler or booking source. */
  issueTokenPair(companyId?: string, options?: IssueOptions): TokenPair;
  /**
   * Whether the client's refreshes answer a new refresh token (the old one then refused) or the one they were given
   * (the default, as Concur mostly does); `undefined` goes back to the options. Until the next reset.
   */
  setRefreshRotation(clientId: string, rotate: boolean | undefined): void;
  /** The `scope` the token endpoint answers the client (default: the company's first) at the company. */
  grantedScope(companyId?: string, clientId?: string): string;
}

/** The companies' users, as Identity v4.1 search finds them. */
export interface SimulatorUsers {
  /** Adds a user to a company (gone again after a reset); answers it as Identity shows it. */
  add(companyId: string, user: UserOptions): IdentityUser;
  of(companyId?: string): IdentityUser[];
}

/** Concur's Event Subscription Service for the itinerary topic, and the traveler's own changes in Concur. */
export interface SimulatorEss {
  /** Verifies `Concur-Signature` (PEM): what the gateway is configured with instead of Concur's published key. */
  publicKeyPem: string;
  subscribe(endpoint: string, options?: { companyIds?: string[] }): EssSubscription;
  unsubscribe(id: string): boolean;
  attempts(): EssAttempt[];
}

export interface SimulatorTraveler {
  cancelTrip(tripId: string): void;
  changeBooking(tripId: string, change: TravelerChange): void;
  deleteTrip(tripId: string): void;
  anonymizeTrip(tripId: string): void;
}

export interface Simulator {
  /** `http://127.0.0.1:{port}`: the base URL of every API, and the `geolocation` the token endpoint answers. */
  url: string;
  port: number;
  defaultCompanyId: string;
  companies: readonly ResolvedCompany[];
  state: SimulatorState;
  faults: SimulatorFaults;
  requests: RequestLog;
  tokens: SimulatorTokens;
  users: SimulatorUsers;
  ess: SimulatorEss;
  traveler: SimulatorTraveler;
  /** The company's current access token (default: the first company). */
  accessTokenFor(companyId?: string): string;
  /** The trips, tokens, faults and id generator as plain data: what `restore` (an option) starts from again. */
  snapshot(): SimulatorSnapshot;
  /** Forgets all trips, requests, faults and issued tokens; generated ids and tokens start over. */
  reset(): void;
  close(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const settings = resolveOptions(options);
  const { clock, seed } = settings;
  const tokens = new TokenRegistry(settings, clock);
  const ids = new IdGenerator(seed);
  const store = new TripStore(ids, clock);
  const faultController = new FaultSets(seed, settings.faults);
  const faults = createSimulatorFaults(faultController, tokens);
  const log = new RequestLog();
  const users = new UserDirectory(new Map(settings.companies.map((c) => [c.id, c.users])));
  let url = '';
  const ess = new EssPublisher({
    baseUrl: () => url,
    ...(settings.essRetryDelaysMs ? { retryDelaysMs: settings.essRetryDelaysMs } : {}),
  });
  store.observe((trip, change) => ess.notify(trip, change));
  const traveler = new TravelerActions(store);
  const reset = () => {
    store.reset();
    users.reset();
    ids.reset();
    tokens.reset();
    faultController.reset();
    log.clear();
  };

  if (options.restore) {
    store.restore(structuredClone(options.restore.trips));
    ids.restore(options.restore.ids);
    tokens.restore(structuredClone(options.restore.tokens));
    faultController.restore(options.restore.faults);
  }
  const persistence = options.stateFile ? await persistTrips(store, options.stateFile) : undefined;
  const { server, abortInFlight } = createSimulatorServer({
    api: { store, tokens, users, clock, baseUrl: () => url },
    admin: { faults, log, store, tokens, users, reset, concur: { ess, traveler, users, baseUrl: () => url } },
    faults: faultController,
    log,
    clock,
    maxBodyBytes: settings.maxBodyBytes,
  });
  if (persistence) server.on('request', (_request, response) => response.once('close', persistence.touch));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = options.publicUrl ?? `http://${urlHost(settings.host)}:${port}`;

  const defaultCompanyId = settings.companies[0]!.id;
  const company = (companyId?: string) => companyId ?? defaultCompanyId;
  let closing: Promise<void> | undefined;

  return {
    url,
    port,
    defaultCompanyId,
    companies: settings.companies,
    state: {
      trips: (companyId) => structuredClone(companyId ? store.companyTrips(companyId) : [...store.all()]),
      trip: (tripId) => {
        const trip = store.byId(tripId);
        return trip && structuredClone(trip);
      },
      itinerary: (tripId, viewer = {}) => {
        const trip = store.byId(tripId);
        return trip && renderItinerary(trip, url, viewer);
      },
      setTripFlags: (tripId, flags) => store.setTripFlags(tripId, flags),
    },
    faults,
    requests: log,
    tokens: {
      accessTokenFor: (companyId) => tokens.accessTokenFor(company(companyId)),
      refreshTokenFor: (companyId) => tokens.refreshTokenFor(company(companyId)),
      clientFor: (companyId) => {
        const { clientId, clientSecret } = tokens.clientFor(company(companyId));
        return { clientId, clientSecret };
      },
      issueTokenPair: (companyId, issueOptions) => tokens.issueTokenPair(company(companyId), issueOptions),
      setRefreshRotation: (clientId, rotate) => tokens.setRefreshRotation(clientId, rotate),
      grantedScope: (companyId, clientId) => {
        const id = company(companyId);
        const client =
          clientId === undefined
            ? tokens.clientFor(id)
            : tokens.clients.find((c) => c.clientId === clientId && c.companyId === id);
        if (!client) throw new Error(`unknown client "${clientId}" of company "${id}"`);
        return tokens.scopesOf(client).join(' ');
      },
    },
    users: {
      add: (companyId, user) => {
        if (!tokens.company(companyId)) throw new Error(`unknown company "${companyId}"`);
        return structuredClone(users.add(companyId, user));
      },
      of: (companyId) => structuredClone([...users.of(company(companyId))]),
    },
    ess: {
      get publicKeyPem() {
        return ess.publicKeyPem;
      },
      subscribe: (endpoint, subscribeOptions) => ess.subscribe({ endpoint, ...subscribeOptions }),
      unsubscribe: (id) => ess.unsubscribe(id),
      attempts: () => ess.attempts(),
    },
    traveler: {
      cancelTrip: (tripId) => void traveler.cancelTrip(tripId),
      changeBooking: (tripId, change) => void traveler.changeBooking(tripId, change),
      deleteTrip: (tripId) => void traveler.deleteTrip(tripId),
      anonymizeTrip: (tripId) => void traveler.anonymizeTrip(tripId),
    },
    accessTokenFor: (companyId) => tokens.accessTokenFor(company(companyId)),
    snapshot: () =>
      structuredClone({
        format: SNAPSHOT_FORMAT,
        trips: [...store.all()],
        ids: ids.snapshot(),
        tokens: tokens.snapshot(),
        faults: faultController.save(),
      }),
    reset,
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        abortInFlight();
      })
        .then(() => ess.close())
        .then(() => persistence?.flush());
      return closing;
    },
  };
}

/** A wildcard listen address is reachable at the loopback address; IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
