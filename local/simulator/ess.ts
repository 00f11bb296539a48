/**
 * The Event Subscription Service as Concur runs it for the `public.concur.travel.itinerary` topic: subscriptions
 * to an endpoint, an event on every change of a trip (ItineraryCreated, …Updated, …Cancelled, …Deleted,
 * …Anonymized; the last two without `hrefs`), each body signed in the `Concur-Signature` header with the
 * simulator's own RSA key (RSA-SHA256 over the raw body, base64: the scheme the gateway assumes of Concur's), and
 * ESS's delivery rules: one event at a time per subscription, retried on 5xx, 401, 403, 429 and any I/O error
 * (60 s answer limit), not retried on 2xx or another 4xx, given up once the retry delays run out (Concur: after
 * 72 hours).
 */
import { generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { TripChange } from './store';
import type { StoredTrip } from './stored-trip';
import { v4TripHref, v4TripId, v4UserId } from './itinerary-v4';

export const ITINERARY_TOPIC = 'public.concur.travel.itinerary';
export const SIGNATURE_HEADER = 'Concur-Signature';

const EVENT_TYPES: Record<TripChange, string> = {
  created: 'ItineraryCreated',
  updated: 'ItineraryUpdated',
  cancelled: 'ItineraryCancelled',
  deleted: 'ItineraryDeleted',
  anonymized: 'ItineraryAnonymized',
};

export interface EssSubscription {
  id: string;
  topic: typeof ITINERARY_TOPIC;
  endpoint: string;
  /** The companies whose events it receives; empty: every company the simulator serves. */
  companyIds: string[];
}

export interface EssEvent {
  id: string;
  correlationId: string;
  eventType: string;
  topic: typeof ITINERARY_TOPIC;
  timeStamp: string;
  facts: { id: string; companyId: string; userId: string; hrefs?: { v4: string } };
}

/** One attempt to deliver an event, as `GET /_sim/ess/deliveries` shows it. */
export interface EssAttempt {
  subscriptionId: string;
  eventId: string;
  eventType: string;
  tripId: string;
  at: string;
  /** The endpoint's status code, or the I/O error. */
  status?: number;
  error?: string;
  /** `delivered`, `refused` (a 4xx ESS does not retry), `retrying`, or `abandoned` after the last retry. */
  outcome: 'delivered' | 'refused' | 'retrying' | 'abandoned';
}

export interface EssOptions {
  baseUrl: () => string;
  /** Waits between attempts of one event (Concur retries for 72 hours); default 1 s, 5 s, 30 s, 2 min, 10 min. */
  retryDelaysMs?: readonly number[];
  /** How long an endpoint may take to answer; 60 s as at Concur. */
  answerTimeoutMs?: number;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000, 30_000, 120_000, 600_000];
const RETRIED_STATUSES = new Set([401, 403, 429]);
const ATTEMPTS_KEPT = 1_000;

export class EssPublisher {
  /** Made on first use: an RSA key takes a moment, and a simulator started for one request never signs. */
  private keys?: { publicKeyPem: string; privateKey: KeyObject };
  private readonly subscriptions = new Map<string, EssSubscription>();
  /** Per subscription, the chain of its deliveries: one event at a time, in order. */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  private readonly aborts = new Set<AbortController>();
  private attemptLog: EssAttempt[] = [];
  private closed = false;

  constructor(private readonly options: EssOptions) {}

  /** The public key that verifies `Concur-Signature`, as PEM (SPKI): what the gateway is configured with. */
  get publicKeyPem(): string {
    return this.signingKeys().publicKeyPem;
  }

  private signingKeys(): { publicKeyPem: string; privateKey: KeyObject } {
    if (!this.keys) {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      this.keys = { publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), privateKey };
    }
    return this.keys;
  }

  subscribe(input: { endpoint: string; companyIds?: string[]; id?: string }): EssSubscription {
    const subscription: EssSubscription = {
      id: input.id ?? `sim-${randomUUID()}`,
      topic: ITINERARY_TOPIC,
      endpoint: input.endpoint,
      companyIds: input.companyIds ?? [],
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  unsubscribe(id: string): boolean {
    return this.subscriptions.delete(id);
  }

  list(): EssSubscription[] {
    return [...this.subscriptions.values()];
  }

  attempts(): EssAttempt[] {
    return [...this.attemptLog];
  }

  clearAttempts(): void {
    this.attemptLog = [];
  }

  /** The event of a change, queued for every subscription of the trip's company. */
  notify(trip: StoredTrip, change: TripChange): EssEvent | undefined {
    if (this.closed) return undefined;
    const targets = this.list().filter(
      (s) => s.companyIds.length === 0 || s.companyIds.includes(trip.companyId),
    );
    if (targets.length === 0) return undefined;
    const gone = change === 'deleted' || change === 'anonymized';
    const event: EssEvent = {
      id: randomUUID(),
      correlationId: randomUUID(),
      eventType: EVENT_TYPES[change],
      topic: ITINERARY_TOPIC,
      timeStamp: new Date().toISOString(),
      facts: {
        id: v4TripId(trip),
        companyId: trip.companyId,
        userId: v4UserId(trip.companyId, trip.traveler),
        ...(gone ? {} : { hrefs: { v4: v4TripHref(this.options.baseUrl(), trip) } }),
      },
    };
    const body = JSON.stringify(event);
    const signature = sign('sha256', Buffer.from(body), this.signingKeys().privateKey).toString('base64');
    for (const subscription of targets) {
      const previous = this.chains.get(subscription.id) ?? Promise.resolve();
      const next = previous.then(() => this.deliver(subscription, event, trip.id, body, signature));
      this.chains.set(subscription.id, next);
    }
    return event;
  }

  /** Stops delivering: waits no more, ends attempts in flight. */
  async close(): Promise<void> {
    this.closed = true;
    for (const { timer, resolve } of this.timers) {
      clearTimeout(timer);
      resolve();
    }
    for (const abort of this.aborts) abort.abort();
    await Promise.allSettled(this.chains.values());
  }

  private async deliver(
    subscription: EssSubscription,
    event: EssEvent,
    tripId: string,
    body: string,
    signature: string,
  ): Promise<void> {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; !this.closed; attempt++) {
      const result = await this.post(subscription.endpoint, body, signature, event.correlationId);
      const retry =
        result.status === undefined || result.status >= 500 || RETRIED_STATUSES.has(result.status);
      const last = attempt >= delays.length;
      this.record({
        subscriptionId: subscription.id,
        eventId: event.id,
        eventType: event.eventType,
        tripId,
        at: new Date().toISOString(),
        ...result,
        outcome: !retry ? (result.status! < 300 ? 'delivered' : 'refused') : last ? 'abandoned' : 'retrying',
      });
      if (!retry || last) return;
      await this.wait(delays[attempt]!);
    }
  }

  private async post(
    endpoint: string,
    body: string,
    signature: string,
    correlationId: string,
  ): Promise<{ status?: number; error?: string }> {
    const abort = new AbortController();
    this.aborts.add(abort);
    const timer = setTimeout(() => abort.abort(), this.options.answerTimeoutMs ?? 60_000);
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          [SIGNATURE_HEADER]: signature,
          'Concur-CorrelationId': correlationId,
        },
        body,
        signal: abort.signal,
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
      return { status: response.status };
    } catch (error) {
      return { error: (error as Error).message };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(abort);
    }
  }

  private wait(milliseconds: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        timer: setTimeout(() => {
          this.timers.delete(entry);
          resolve();
        }, milliseconds),
        resolve,
      };
      this.timers.add(entry);
    });
  }

  private record(attempt: EssAttempt): void {
    this.attemptLog.push(attempt);
    if (this.attemptLog.length > ATTEMPTS_KEPT)
      this.attemptLog.splice(0, this.attemptLog.length - ATTEMPTS_KEPT);
  }
}
