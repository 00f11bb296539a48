/**
 * Webhook message ids (the `webhook-id`, `msg_…`): a new one for a message told once, or one derived from what
 * the message tells, so that telling the same thing again (a retried caller, a redelivered queue message, an
 * event applied twice) publishes the same message, which the publisher records and queues once.
 */
import { createHash, randomBytes } from 'node:crypto';

/** A new message id: its time first, so ids sort roughly by creation. */
export const newMessageId = () =>
  `msg_${Date.now().toString(36).padStart(10, '0')}${randomBytes(8).toString('hex')}`;

/** The message id of what `parts` name: 26 hex digits of the SHA-256 of the parts, one a line. */
export const messageIdOf = (...parts: string[]) =>
  `msg_${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 26)}`;
