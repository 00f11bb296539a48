/**
 * The events a supplier's webhook endpoints receive. Each is a Standard Webhooks message whose body is
 * `{"type", "timestamp", "data"}` (docs/events.md).
 */
export const SUPPLIER_EVENT_TYPES = [
  /** An operation of the supplier's (a partner event, a `Prefer: respond-async` request) ended: `data` is it. */
  'operation.succeeded',
  'operation.parked',
  'operation.failed',
  /** Changes made in Concur by someone other than this gateway, to the supplier's bookings and trips. */
  'booking.changed_in_concur',
  'booking.cancelled_in_concur',
  'trip.changed_in_concur',
  'trip.cancelled_in_concur',
  /** Sent by `POST /v1/webhook-endpoints/{id}/test`, to that endpoint only. */
  'ping',
] as const;

export type SupplierEventType = (typeof SUPPLIER_EVENT_TYPES)[number];

/** What any part of the gateway tells a supplier. */
export interface SupplierEvent {
  type: SupplierEventType;
  data: unknown;
}

/** The body every endpoint receives. */
export interface SupplierEventBody {
  type: SupplierEventType;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  /** Stripe's `livemode`: false for an event of a test key's sandbox, true for a live one. */
  livemode: boolean;
  data: unknown;
}
