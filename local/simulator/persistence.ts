/**
 * The simulator's trips kept in a file, so that a restart of `npm start` finds the bookings its gateway mapped.
 * Written a moment after requests (coalesced, only when something changed) and on close, through a temporary
 * file and a rename, so a crash leaves either the old file or the new one.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { StoredTrip } from './stored-trip';
import type { TripStore } from './store';

const FORMAT = 1;
const WRITE_DELAY_MS = 200;

export interface TripPersistence {
  /** Something may have changed: write soon. */
  touch(): void;
  /** Writes now if anything changed. */
  flush(): Promise<void>;
}

export async function persistTrips(store: TripStore, file: string): Promise<TripPersistence> {
  let written: string | undefined;
  try {
    written = await readFile(file, 'utf8');
    const saved = JSON.parse(written) as { format?: unknown; trips?: unknown };
    if (saved.format !== FORMAT || !Array.isArray(saved.trips)) throw new Error('not a simulator state file');
    store.restore(saved.trips as StoredTrip[]);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `the simulator's state in ${file} cannot be read (${(error as Error).message}); remove it to start afresh`,
      );
    }
  }
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = async () => {
    const text = JSON.stringify({ format: FORMAT, trips: store.all() });
    if (text === written) return;
    await writeFile(`${file}.tmp`, text, { mode: 0o600 });
    await rename(`${file}.tmp`, file);
    written = text;
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    writing = writing.then(write);
    return writing;
  };
  return {
    touch() {
      timer ??= setTimeout(() => void flush(), WRITE_DELAY_MS);
    },
    flush,
  };
}
