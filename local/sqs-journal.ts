/**
 * Where the local SQS stand-in keeps its queues and messages between runs: an append-only journal of changes
 * (one JSON line each) in its own folder. Every change is on disk, written and `fdatasync`ed, before the call that
 * made it is answered, so a message SendMessage acknowledged survives a `kill -9` of the process and a crash of
 * the machine. Changes that arrive while a write is in flight go out together in the next one (group commit):
 * one `fdatasync` serves a whole burst. At start the journal is read back (a torn last line, from a crash in the
 * middle of a write, was never acknowledged and is dropped) and rewritten as a snapshot of what it holds; it is
 * compacted the same way whenever it has grown large.
 */
import {
  closeSync,
  fdatasyncSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** A message as the queue keeps it. */
export interface JournalMessage {
  id: string;
  body: string;
  md5: string;
  sentAt: number;
  firstReceivedAt?: number;
  visibleAt: number;
  receiveCount: number;
  /** The handle of the latest receive; older handles no longer change the message. */
  receiptHandle?: string;
}

/** One change: a queue created or its attributes set, a message stored (sent, received, delayed) or removed. */
export type JournalEntry =
  | { op: 'queue'; name: string; attributes: Record<string, string> }
  | { op: 'put'; queue: string; message: JournalMessage }
  | { op: 'delete'; queue: string; id: string }
  | { op: 'purge'; queue: string };

/** What the journal holds: each queue's attributes and messages, in the order they were sent. */
export type JournalState = Map<
  string,
  { attributes: Record<string, string>; messages: Map<string, JournalMessage> }
>;

const FILE = 'journal.ndjson';
/** The journal is rewritten as a snapshot once it has grown past this and past four times the snapshot. */
const COMPACT_AFTER_BYTES = 4 * 1024 * 1024;

interface Pending {
  line: string;
  done: () => void;
  failed: (error: unknown) => void;
}

export class QueueJournal {
  private handle?: FileHandle;
  private pending: Pending[] = [];
  private flushing?: Promise<void>;
  private bytes = 0;
  private snapshotBytes = 0;

  private constructor(
    private readonly folder: string,
    private readonly snapshot: () => JournalEntry[],
  ) {}

  /**
   * Reads the journal in `folder` (created when missing) and answers what it holds; `snapshot` answers the
   * queue's current state as entries, for compaction.
   */
  static async open(
    folder: string,
    snapshot: () => JournalEntry[],
  ): Promise<{ journal: QueueJournal; state: JournalState }> {
    mkdirSync(folder, { recursive: true });
    const journal = new QueueJournal(folder, snapshot);
    const state = readState(join(folder, FILE));
    journal.rewrite(entriesOf(state));
    journal.handle = await open(join(folder, FILE), 'a');
    return { journal, state };
  }

  /** Resolves once the change is on disk. */
  append(entry: JournalEntry): Promise<void> {
    return new Promise((done, failed) => {
      this.pending.push({ line: `${JSON.stringify(entry)}\n`, done, failed });
      this.flushing ??= this.flush().finally(() => (this.flushing = undefined));
    });
  }

  async close(): Promise<void> {
    await this.flushing;
    await this.handle?.close();
    this.handle = undefined;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      const text = batch.map((entry) => entry.line).join('');
      try {
        await this.handle!.write(text);
        await this.handle!.datasync();
        this.bytes += Buffer.byteLength(text);
      } catch (error) {
        for (const entry of batch) entry.failed(error);
        continue;
      }
      for (const entry of batch) entry.done();
      if (this.bytes > COMPACT_AFTER_BYTES && this.bytes > 4 * this.snapshotBytes) await this.compact();
    }
  }

  /** Replaces the journal with a snapshot of the queues' state (what is held in memory is what is on disk). */
  private async compact(): Promise<void> {
    await this.handle!.close();
    this.rewrite(this.snapshot());
    this.handle = await open(join(this.folder, FILE), 'a');
  }

  /** Writes `entries` to a new file, on disk before it replaces the journal (rename, then the folder synced). */
  private rewrite(entries: JournalEntry[]): void {
    const text = entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
    const temporary = join(this.folder, `${FILE}.new`);
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, text);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, join(this.folder, FILE));
    const folder = openSync(this.folder, 'r');
    try {
      fsyncSync(folder);
    } finally {
      closeSync(folder);
    }
    this.bytes = Buffer.byteLength(text);
    this.snapshotBytes = this.bytes;
  }
}

function readState(file: string): JournalState {
  const state: JournalState = new Map();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return state;
    throw error;
  }
  const lines = text.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line === '') continue;
    let entry: JournalEntry;
    try {
      entry = JSON.parse(line) as JournalEntry;
    } catch (error) {
      // Only the last line can be torn (the process died mid-write): that change was never acknowledged.
      if (index >= lines.length - 2) break;
      throw new Error(
        `the queue journal ${file} is damaged at line ${index + 1}: ${(error as Error).message}`,
      );
    }
    apply(state, entry);
  }
  return state;
}

function apply(state: JournalState, entry: JournalEntry): void {
  if (entry.op === 'queue') {
    const queue = state.get(entry.name);
    if (queue) queue.attributes = entry.attributes;
    else state.set(entry.name, { attributes: entry.attributes, messages: new Map() });
    return;
  }
  const queue = state.get(entry.queue);
  if (!queue) return;
  if (entry.op === 'put') queue.messages.set(entry.message.id, entry.message);
  else if (entry.op === 'delete') queue.messages.delete(entry.id);
  else queue.messages.clear();
}

/** The entries that rebuild `state`. */
export function entriesOf(state: JournalState): JournalEntry[] {
  return [...state].flatMap(([name, queue]): JournalEntry[] => [
    { op: 'queue', name, attributes: queue.attributes },
    ...[...queue.messages.values()].map((message): JournalEntry => ({ op: 'put', queue: name, message })),
  ]);
}
