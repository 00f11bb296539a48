/** Signed webhooks and operation polling against a local gateway. */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { api } from '../gateway/support';
import type { Answer } from '../gateway/support';

export interface SignedDelivery {
  id?: string;
  /** Seconds since the epoch; now by default. */
  timestamp?: number;
  /** Signs with each of these secrets (a sender in the middle of a rotation sends several signatures). */
  secrets: string[];
  /** Sent instead of the signed body (a tampered delivery). */
  sentBody?: string;
}

export async function postWebhook(
  gateway: { url: string },
  supplierId: string,
  payload: unknown,
  delivery: SignedDelivery,
): Promise<Answer & { webhookId: string }> {
  const id = delivery.id ?? `msg_${randomUUID()}`;
  const timestamp = delivery.timestamp ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify(payload);
  const signature = delivery.secrets
    .map((secret) => new Webhook(secret).sign(id, new Date(timestamp * 1000), body))
    .join(' ');
  const answer = await api(gateway).post(`/v1/webhooks/${supplierId}`, delivery.sentBody ?? body, {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signature,
  });
  return { ...answer, webhookId: id };
}

const FINAL = new Set(['succeeded', 'skipped', 'failed', 'parked']);

/** Polls the operation until it is final (or the time is up). */
export async function awaitOperation(
  gateway: { url: string },
  apiKey: string,
  href: string,
  timeoutMs = 20_000,
): Promise<Answer> {
  const path = new URL(href).pathname;
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await api(gateway, apiKey).get(path);
    if (answer.status !== 200 || FINAL.has(answer.body.operation.status) || Date.now() > until) return answer;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function bookingEvent(
  confirmationNumber: string,
  data: Record<string, unknown>,
  type = 'booking.upserted',
) {
  return { type, timestamp: new Date().toISOString(), data: { confirmationNumber, ...data } };
}
