/**
 * A local stand-in for Amazon SQS standard queues: the part of its JSON protocol (AWS JSON 1.0) the gateway
 * uses, over real HTTP, so the local default runs the same `@aws-sdk/client-sqs` adapter as AWS. It keeps
 * SQS's semantics that the processor relies on: a received message is invisible for its visibility timeout,
 * then comes back with its receive count raised; `DelaySeconds` and `ChangeMessageVisibility` postpone it;
 * after the redrive policy's `maxReceiveCount` receives it moves to the dead-letter queue. With `dataDir`, the
 * queues and their messages are kept there (local/sqs-journal.ts): every change is on disk before it is
 * answered, and a restart on the same folder finds them as they were, receive counts and visibility included.
 * Without it they live in memory only.
 *
 * `secondsScale` shortens time for tests: every duration the protocol gives in seconds lasts
 * `seconds × secondsScale` (1 by default).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { entriesOf, QueueJournal } from './sqs-journal';
import type { JournalEntry, JournalMessage, JournalState } from './sqs-journal';

export interface LocalSqsOptions {
  port?: number;
  host?: string;
  secondsScale?: number;
  /** The folder that keeps the queues and their messages across restarts; in memory only when absent. */
  dataDir?: string;
}

export interface RunningLocalSqs {
  endpoint: string;
  close(): Promise<void>;
}

type StoredMessage = JournalMessage;

interface Queue {
  name: string;
  url: string;
  arn: string;
  attributes: Record<string, string>;
  messages: Map<string, StoredMessage>;
  /** Long polls waiting for a message: woken when one is sent or made visible sooner. */
  waiters: Set<() => void>;
}

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const MAX_BODY_BYTES = 1024 * 1024;
const MAX_MESSAGE_BYTES = 256 * 1024;
const DEFAULT_ATTRIBUTES = { VisibilityTimeout: '30', DelaySeconds: '0', MessageRetentionPeriod: '345600' };

class SqsError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** An SQS action; `caller` aborts when the caller hangs up before its answer. */
type Operation = (input: Record<string, unknown>, caller: AbortSignal) => Promise<unknown>;

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
/** Wakes the queue's waiting long polls, to look again. */
function wake(queue: Queue): void {
  for (const waiter of [...queue.waiters]) waiter();
}

/** Waits until woken, `ms` passed or the caller went away. */
function waitOn(queue: Queue, ms: number, caller: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      queue.waiters.delete(done);
      caller.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    queue.waiters.add(done);
    caller.addEventListener('abort', done);
  });
}

/** When the next of the queue's hidden messages becomes visible; undefined when none is hidden. */
function nextVisibleAt(queue: Queue, now: number): number | undefined {
  let next: number | undefined;
  for (const message of queue.messages.values()) {
    if (message.visibleAt > now && (next === undefined || message.visibleAt < next)) next = message.visibleAt;
  }
  return next;
}

export async function startLocalSqs(options: LocalSqsOptions = {}): Promise<RunningLocalSqs> {
  const scale = options.secondsScale ?? 1;
  const ms = (seconds: number) => seconds * 1000 * scale;
  const queues = new Map<string, Queue>();
  const host = options.host ?? '127.0.0.1';
  let endpoint = '';
  let closing = false;
  const newQueue = (name: string, attributes: Record<string, string>): Queue => ({
    name,
    url: `${endpoint}/${ACCOUNT}/${name}`,
    arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
    attributes,
    messages: new Map(),
    waiters: new Set(),
  });
  const opened = options.dataDir
    ? await QueueJournal.open(options.dataDir, () => entriesOf(stateOf(queues)))
    : undefined;
  const journal = opened?.journal;
  /** Resolves once the change is kept (at once in memory only). */
  const persist = async (entries: JournalEntry[]): Promise<void> => {
    if (journal) await Promise.all(entries.map((entry) => journal.append(entry)));
  };

  const queueOf = (input: Record<string, unknown>): Queue => {
    const url = stringField(input, 'QueueUrl');
    const name = url.slice(url.lastIndexOf('/') + 1);
    const queue = queues.get(name);
    if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return queue;
  };
  const byArn = (arn: string) => [...queues.values()].find((queue) => queue.arn === arn);

  /** Moves messages received too often to the dead-letter queue, as SQS does when they become visible again. */
  const redrive = (queue: Queue, message: StoredMessage, now: number, changes: JournalEntry[]): boolean => {
    const policy = queue.attributes.RedrivePolicy;
    if (!policy) return false;
    const { deadLetterTargetArn, maxReceiveCount } = JSON.parse(policy) as {
      deadLetterTargetArn: string;
      maxReceiveCount: number | string;
    };
    if (message.receiveCount < Number(maxReceiveCount)) return false;
    const target = byArn(deadLetterTargetArn);
    queue.messages.delete(message.id);
    changes.push({ op: 'delete', queue: queue.name, id: message.id });
    if (target) {
      const moved: StoredMessage = { ...message, visibleAt: now, receiptHandle: undefined };
      target.messages.set(message.id, moved);
      changes.push({ op: 'put', queue: target.name, message: moved });
      wake(target);
    }
    return true;
  };

  /** Deletes the message the handle names; like SQS, an outdated handle (received again since) is no error. */
  const deleteByHandle = (queue: Queue, handle: string): JournalEntry[] => {
    const message = queue.messages.get(handle.split('#')[0]!);
    if (!message || message.receiptHandle !== handle) return [];
    queue.messages.delete(message.id);
    return [{ op: 'delete', queue: queue.name, id: message.id }];
  };

  const visibleMessages = (queue: Queue, max: number, changes: JournalEntry[]): StoredMessage[] => {
    const now = Date.now();
    const found: StoredMessage[] = [];
    for (const message of queue.messages.values()) {
      if (found.length >= max) break;
      if (message.visibleAt > now) continue;
      if (redrive(queue, message, now, changes)) continue;
      found.push(message);
    }
    return found;
  };

  const operations: Record<string, Operation> = {
    CreateQueue: async (input) => {
      const name = stringField(input, 'QueueName');
      if (!/^[\w-]{1,80}$/.test(name)) throw new SqsError('InvalidParameterValue', 'invalid queue name');
      const attributes = { ...DEFAULT_ATTRIBUTES, ...stringRecord(input.Attributes) };
      const existing = queues.get(name);
      if (existing) return { QueueUrl: existing.url };
      const queue = newQueue(name, attributes);
      queues.set(name, queue);
      await persist([{ op: 'queue', name, attributes }]);
      return { QueueUrl: queue.url };
    },
    GetQueueUrl: async (input) => {
      const queue = queues.get(stringField(input, 'QueueName'));
      if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
      return { QueueUrl: queue.url };
    },
    GetQueueAttributes: async (input) => {
      const queue = queueOf(input);
      const now = Date.now();
      const messages = [...queue.messages.values()];
      const inFlight = messages.filter((m) => m.visibleAt > now && m.receiptHandle !== undefined).length;
      const delayed = messages.filter((m) => m.visibleAt > now && m.receiptHandle === undefined).length;
      return {
        Attributes: {
          ...queue.attributes,
          QueueArn: queue.arn,
          ApproximateNumberOfMessages: String(messages.length - inFlight - delayed),
          ApproximateNumberOfMessagesNotVisible: String(inFlight),
          ApproximateNumberOfMessagesDelayed: String(delayed),
        },
      };
    },
    SetQueueAttributes: async (input) => {
      const queue = queueOf(input);
      Object.assign(queue.attributes, stringRecord(input.Attributes));
      await persist([{ op: 'queue', name: queue.name, attributes: queue.attributes }]);
      return {};
    },
    SendMessage: async (input) => {
      const queue = queueOf(input);
      const body = stringField(input, 'MessageBody');
      if (Buffer.byteLength(body) > MAX_MESSAGE_BYTES || body === '')
        throw new SqsError('InvalidParameterValue', 'the message body must have 1 to 262144 bytes');
      const delay = secondsField(input, 'DelaySeconds', Number(queue.attributes.DelaySeconds), 900);
      const now = Date.now();
      const message: StoredMessage = {
        id: randomUUID(),
        body,
        md5: md5(body),
        sentAt: now,
        visibleAt: now + ms(delay),
        receiveCount: 0,
      };
      queue.messages.set(message.id, message);
      wake(queue);
      await persist([{ op: 'put', queue: queue.name, message }]);
      return { MessageId: message.id, MD5OfMessageBody: message.md5 };
    },
    ReceiveMessage: async (input, caller) => {
      const queue = queueOf(input);
      const max = Math.min(Math.max(Number(input.MaxNumberOfMessages ?? 1), 1), 10);
      const visibility = secondsField(input, 'VisibilityTimeout', Number(queue.attributes.VisibilityTimeout));
      const waitUntil = Date.now() + ms(secondsField(input, 'WaitTimeSeconds', 0, 20));
      const changes: JournalEntry[] = [];
      let found = visibleMessages(queue, max, changes);
      // A long poll sleeps until a message is sent, the next hidden one becomes visible, or its wait ends.
      for (
        let now = Date.now();
        found.length === 0 && now < waitUntil && !closing && !caller.aborted;
        now = Date.now()
      ) {
        const until = Math.min(waitUntil, nextVisibleAt(queue, now) ?? waitUntil);
        await waitOn(queue, Math.max(1, until - now), caller);
        found = visibleMessages(queue, max, changes);
      }
      // A poller that stopped waiting takes nothing: what it would get stays visible for the next one.
      if (caller.aborted) return { Messages: [] };
      const now = Date.now();
      for (const message of found) {
        message.receiveCount += 1;
        message.firstReceivedAt ??= now;
        message.visibleAt = now + ms(visibility);
        message.receiptHandle = `${message.id}#${randomUUID()}`;
        changes.push({ op: 'put', queue: queue.name, message: { ...message } });
      }
      await persist(changes);
      return {
        Messages: found.map((message) => {
          return {
            MessageId: message.id,
            ReceiptHandle: message.receiptHandle,
            MD5OfBody: message.md5,
            Body: message.body,
            Attributes: {
              ApproximateReceiveCount: String(message.receiveCount),
              SentTimestamp: String(message.sentAt),
              ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt),
            },
          };
        }),
      };
    },
    DeleteMessage: async (input) => {
      const queue = queueOf(input);
      await persist(deleteByHandle(queue, stringField(input, 'ReceiptHandle')));
      return {};
    },
    // What Lambda's event source mapping deletes a batch's messages with: one request, one journal write.
    DeleteMessageBatch: async (input) => {
      const queue = queueOf(input);
      const entries = batchEntries(input);
      await persist(entries.flatMap((entry) => deleteByHandle(queue, entry.ReceiptHandle)));
      return { Successful: entries.map((entry) => ({ Id: entry.Id })), Failed: [] };
    },
    ChangeMessageVisibility: async (input) => {
      const queue = queueOf(input);
      const handle = stringField(input, 'ReceiptHandle');
      const message = queue.messages.get(handle.split('#')[0]!);
      if (!message || message.receiptHandle !== handle || message.visibleAt <= Date.now()) {
        throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
      }
      message.visibleAt = Date.now() + ms(secondsField(input, 'VisibilityTimeout', 0, 43_200));
      wake(queue);
      await persist([{ op: 'put', queue: queue.name, message: { ...message } }]);
      return {};
    },
    PurgeQueue: async (input) => {
      const queue = queueOf(input);
      queue.messages.clear();
      await persist([{ op: 'purge', queue: queue.name }]);
      return {};
    },
  };

  const server = createServer((request, response) => {
    // A caller that hangs up before its answer (a poller stopping) ends its long poll.
    const caller = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) caller.abort();
    });
    handle(request, operations, caller.signal).then(
      (body) => send(response, 200, body),
      (error: unknown) => {
        if (error instanceof SqsError)
          send(response, 400, { __type: `com.amazonaws.sqs#${error.code}`, message: error.message });
        else send(response, 500, { __type: 'com.amazonaws.sqs#InternalError', message: 'internal error' });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  endpoint = `http://${host}:${(server.address() as AddressInfo).port}`;
  // Restored queues get this run's URL; their messages keep their receive counts and visibility.
  for (const [name, stored] of opened?.state ?? []) {
    queues.set(name, { ...newQueue(name, stored.attributes), messages: stored.messages });
  }
  return {
    endpoint,
    close: async () => {
      closing = true;
      for (const queue of queues.values()) wake(queue);
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      await journal?.close();
    },
  };
}

function stateOf(queues: Map<string, Queue>): JournalState {
  return new Map(
    [...queues.values()].map((queue) => [
      queue.name,
      { attributes: queue.attributes, messages: queue.messages },
    ]),
  );
}

async function handle(
  request: IncomingMessage,
  operations: Record<string, Operation>,
  caller: AbortSignal,
): Promise<unknown> {
  const target = String(request.headers['x-amz-target'] ?? '');
  const prefix = 'AmazonSQS.';
  const operation = target.startsWith(prefix) ? operations[target.slice(prefix.length)] : undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new SqsError('InvalidParameterValue', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  if (request.method !== 'POST' || !operation) {
    throw new SqsError('UnsupportedOperation', `unsupported operation ${target || '(none)'}`);
  }
  let input: unknown;
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    input = text === '' ? {} : JSON.parse(text);
  } catch {
    throw new SqsError('InvalidParameterValue', 'request body is not JSON');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SqsError('InvalidParameterValue', 'request body is not a JSON object');
  }
  return operation(input as Record<string, unknown>, caller);
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response
    .writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(text),
      'x-amzn-requestid': randomUUID(),
    })
    .end(text);
}

function stringField(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '')
    throw new SqsError('MissingParameter', `${field} is required`);
  return value;
}

/** A batch request's entries: 1 to 10, each with an `Id` of its own and a receipt handle. */
function batchEntries(input: Record<string, unknown>): { Id: string; ReceiptHandle: string }[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new SqsError('EmptyBatchRequest', 'the batch request holds no entries');
  if (entries.length > 10)
    throw new SqsError('TooManyEntriesInBatchRequest', 'a batch request holds at most 10 entries');
  const parsed = entries.map((entry: unknown) => {
    if (typeof entry !== 'object' || entry === null)
      throw new SqsError('InvalidParameterValue', 'each entry must be an object');
    const fields = entry as Record<string, unknown>;
    return { Id: stringField(fields, 'Id'), ReceiptHandle: stringField(fields, 'ReceiptHandle') };
  });
  if (new Set(parsed.map((entry) => entry.Id)).size !== parsed.length)
    throw new SqsError('BatchEntryIdsNotDistinct', 'two entries of the batch have the same Id');
  return parsed;
}

function secondsField(input: Record<string, unknown>, field: string, fallback: number, max = 43_200): number {
  const value = input[field] ?? fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > max) {
    throw new SqsError('InvalidParameterValue', `${field} must be an integer from 0 to ${max}`);
  }
  return value;
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SqsError('InvalidAttributeName', 'Attributes must be an object');
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, String(v)]));
}
