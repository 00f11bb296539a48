/**
 * The events side of the composition: webhook secrets, the intake of webhooks, and the processor that applies
 * events through the booking and trip use cases (operation records and the queue are in async-requests.ts).
 */
import { parkedOperations } from '../events/parked';
import type { ParkedOperations } from '../events/parked';
import { DEFAULT_EVENT_RETRY, EventProcessor } from '../events/processor';
import { WebhookSecrets } from '../events/webhooks';
import type { EventIntake } from '../events/http-routes';
import type { Supplier } from '../gateway/ports';
import { DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS } from '../suppliers/cached-authenticator';
import { DEFAULT_SECRET_PREFIX } from '../tokens/company-credentials';
import { bookingService, secretStore, tripKeyService, tripService } from './concur';
import { eventIngress, eventsQueue, operations, operationSweeper } from './async-requests';
import { once } from './container';
import { supplierDirectory } from './dynamodb';
import { gatewayLogger, gatewayMetrics } from './logging';
import { operationAnnouncer } from './webhooks-out';

/** Partner events and asynchronous operations, applied (the processor) and operated (parked ones). */
export interface EventServices extends EventIntake {
  processor: EventProcessor;
  /** The operator's view of parked operations. */
  parked: ParkedOperations;
}

export const webhookSecrets = (): WebhookSecrets =>
  once(
    'webhookSecrets',
    () =>
      new WebhookSecrets({
        store: secretStore(),
        prefix: process.env.SECRET_PREFIX || DEFAULT_SECRET_PREFIX,
      }),
  );

// Every webhook and every event needs its supplier: a warm container remembers one for 60 s, like API keys.
const knownSuppliers = () =>
  once('knownSuppliers', () => new Map<string, { supplier: Supplier; until: number }>());
const supplierOf = async (supplierId: string): Promise<Supplier | undefined> => {
  const known = knownSuppliers().get(supplierId);
  if (known && known.until > Date.now()) return known.supplier;
  const supplier = await supplierDirectory().getSupplier(supplierId);
  if (supplier) {
    if (knownSuppliers().size >= 1_000) knownSuppliers().delete(knownSuppliers().keys().next().value!);
    knownSuppliers().set(supplierId, { supplier, until: Date.now() + DEFAULT_SUPPLIER_CACHE_MAX_AGE_MS });
  }
  return supplier;
};

export const eventIntake = (): EventIntake => ({
  ingress: eventIngress(),
  operations: operations(),
  webhookSecrets: webhookSecrets(),
  supplierOf,
});

export const eventServices = (): EventServices =>
  once('events', () => ({
    ...eventIntake(),
    processor: new EventProcessor({
      operations: operations(),
      queue: eventsQueue(),
      useCases: { bookings: bookingService(), trips: tripService(), tripKeys: tripKeyService() },
      supplierOf,
      eventSources: process.env.EVENT_SOURCES
        ? (JSON.parse(process.env.EVENT_SOURCES) as Record<string, string>)
        : {},
      retry: {
        baseSeconds: Number(process.env.EVENT_RETRY_BASE_SECONDS ?? DEFAULT_EVENT_RETRY.baseSeconds),
        maxSeconds: Number(process.env.EVENT_RETRY_MAX_SECONDS ?? DEFAULT_EVENT_RETRY.maxSeconds),
        maxReceives: Number(process.env.EVENT_MAX_RECEIVES ?? DEFAULT_EVENT_RETRY.maxReceives),
        attemptTimeoutSeconds: Number(
          process.env.EVENT_ATTEMPT_TIMEOUT_SECONDS ?? DEFAULT_EVENT_RETRY.attemptTimeoutSeconds,
        ),
      },
      logger: gatewayLogger(),
      metrics: gatewayMetrics(),
      announce: operationAnnouncer(),
    }),
    parked: parkedOperations({ operations: operations(), queue: eventsQueue(), sweeper: operationSweeper() }),
  }));
