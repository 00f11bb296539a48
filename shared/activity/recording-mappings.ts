/**
 * Booking mappings that keep each booking's history: every stored change (the one way a mapping changes is a
 * lease holder's save) appends its record once the mapping is written. A record that cannot be written is
 * reported, not thrown: the change is done at Concur and in the mapping, and a failed request would make the
 * supplier repeat what already happened.
 */
import type { BookingLease, BookingMapping, BookingMappings, MappingWrite } from '../gateway/ports';
import { historyEntryOf } from './history';
import type { BookingHistory } from './history';

export function recordingHistory(
  mappings: BookingMappings,
  history: BookingHistory,
  onLost: (error: unknown, lease: BookingLease) => void,
): BookingMappings {
  // Every other method is the wrapped adapter's own, reached through the prototype.
  const recording: BookingMappings = Object.create(mappings) as BookingMappings;
  recording.saveAndRelease = async (lease: BookingLease, write: MappingWrite): Promise<BookingMapping> => {
    const saved = await mappings.saveAndRelease(lease, write);
    try {
      await history.append(lease.key, historyEntryOf(saved, write.change));
    } catch (error) {
      onLost(error, lease);
    }
    return saved;
  };
  return recording;
}
