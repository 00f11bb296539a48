/**
 * Derived message ids are what makes telling the same thing twice one message, also across versions of the
 * gateway: a message published before an upgrade and again after it (a queue message redelivered meanwhile)
 * must keep its id, or its endpoints hear of it twice. The ids below were published before; they must not move.
 */
import { describe, expect, it } from 'vitest';
import type { OperationRecord } from '../../shared/events/operations';
import { messageIdOf, newMessageId } from '../../shared/webhooks-out/message-ids';
import { operationMessageId } from '../../shared/webhooks-out/operation-events';

describe('message ids', () => {
  it('derived from the same parts stay the ids published before', () => {
    // An operation's ending: its id, status and when it ended.
    const ended = {
      id: 'op_1',
      status: 'succeeded',
      updatedAt: '2029-01-01T00:00:00.000Z',
    } as OperationRecord;
    expect(operationMessageId(ended)).toBe('msg_762ff25cdb381726bc374315f0');
    expect(messageIdOf('op_1', 'succeeded', '2029-01-01T00:00:00.000Z')).toBe(operationMessageId(ended));
    // A change made in Concur, told of a supplier's booking, and of a trip it created.
    expect(messageIdOf('evt-1', 'acme', 'CONF-1')).toBe('msg_bb812f9a217c0833267330134c');
    expect(messageIdOf('evt-1', 'acme', 'trip', 'T1')).toBe('msg_97935e5647a80455a387582c4e');
  });

  it('differ when a part, or the parts’ order, does', () => {
    const id = messageIdOf('evt-1', 'acme', 'CONF-1');
    expect(messageIdOf('evt-1', 'acme', 'CONF-2')).not.toBe(id);
    expect(messageIdOf('evt-1', 'other', 'CONF-1')).not.toBe(id);
    expect(messageIdOf('acme', 'evt-1', 'CONF-1')).not.toBe(id);
  });

  it('made new are each different, and sort by when they were made', async () => {
    const first = newMessageId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const ids = Array.from({ length: 100 }, () => newMessageId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id > first).toBe(true);
    expect(first).toMatch(/^msg_[0-9a-z]{10}[0-9a-f]{16}$/);
  });
});
