/**
 * The names of the gateway's own metrics (namespace `ConcurGateway/<stage>`, dimension `service` always), in one
 * place: the functions publish them and the CDK app graphs and alarms on them.
 */
export const GATEWAY_METRICS = {
  /** Milliseconds of one Concur operation as the gateway sees it (retries, limiter waits, a refresh included); by `operation` and `status`. */
  concurLatency: 'ConcurLatency',
  /** Concur operations that ended in an error; by `operation` and `status`. */
  concurErrors: 'ConcurErrors',
  /** Concur refused the gateway access with a 403 that is no token trouble (no refresh was tried); by `operation`. */
  concurForbidden: 'ConcurForbidden',
  /** Token refreshes tried. */
  tokenRefreshes: 'ConcurTokenRefreshes',
  /** Token refreshes that failed; by `status` (4xx: Concur refused the refresh token, a person must act). */
  tokenRefreshFailures: 'ConcurTokenRefreshFailures',
  /**
   * A company's refresh token ends within 30 days: counted when its access token is read, and by each keep-alive
   * run once per such connection (its expiry did not move on with the refreshes).
   */
  refreshTokenExpiring: 'ConcurRefreshTokenExpiring',
  /** Each keep-alive run: connections it refreshed, whose refresh Concur refused, whose refresh failed otherwise. */
  keepAliveRefreshed: 'KeepAliveRefreshed',
  keepAliveRefused: 'KeepAliveRefused',
  keepAliveFailed: 'KeepAliveFailed',
  /** Each keep-alive run: connections not refreshed for 14 days (their refreshes keep failing). */
  connectionsStale: 'ConnectionsStale',
  /** Requests that waited for a slot of the outbound rate limit, how long (ms), and those that found none in time. */
  limiterWaits: 'ConcurLimiterWaits',
  limiterWaitTime: 'ConcurLimiterWaitTime',
  limiterRejections: 'ConcurLimiterRejections',
  /** How operations of events and asynchronous requests ended, and how often one waits for another attempt. */
  eventsApplied: 'EventsApplied',
  eventsSkipped: 'EventsSkipped',
  eventsFailed: 'EventsFailed',
  eventsParked: 'EventsParked',
  eventsRetried: 'EventsRetried',
  /** Operations the sweeper (or a redelivery, or a replay) queued again: open long after their next step was due. */
  eventsRequeued: 'EventsRequeued',
  /** Webhooks to suppliers' endpoints: delivered, failed for good, attempts that failed, endpoints disabled. */
  webhooksDelivered: 'WebhooksDelivered',
  webhooksFailed: 'WebhooksFailed',
  webhookAttemptsFailed: 'WebhookAttemptsFailed',
  webhookEndpointsDisabled: 'WebhookEndpointsDisabled',
  /** ESS deliveries whose Concur-Signature did not verify (401), and itinerary events queued to be applied. */
  essSignatureFailures: 'EssSignatureFailures',
  concurEventsReceived: 'ConcurEventsReceived',
  /** Changes made in Concur told to suppliers (booking.changed_in_concur, booking.cancelled_in_concur). */
  concurChangesAnnounced: 'ConcurChangesAnnounced',
  /** The change poller: travelers whose trip list it read, and those whose poll failed (listed again later). */
  changePollTravelers: 'ChangePollTravelers',
  changePollFailures: 'ChangePollFailures',
} as const;

/** The `operation` dimension: the gateway's Concur operations (Itinerary v1.1, and the Identity v4.1 user search). */
export const CONCUR_OPERATIONS = [
  'postBooking',
  'cancelBooking',
  'createTrip',
  'updateTrip',
  'cancelTrip',
  'getTrip',
  'listTrips',
  'findUsers',
  'getTripV4',
] as const;
export type ConcurOperationName = (typeof CONCUR_OPERATIONS)[number];

/** The `status` dimension: an HTTP status class, Concur's throttling apart, or `none` when no answer came. */
export const STATUS_CLASSES = ['2xx', '3xx', '4xx', '429', '5xx', 'none'] as const;
