/**
 * The gateway's log lines and metrics (one JSON object per line) go to process.stdout and stderr, past vitest's
 * console capture: about 11,000 lines in a run of the suite, burying its report. They are held here instead,
 * and written out only for a test that fails: the lines its file wrote outside any test (starting and seeding
 * the gateway), then the test's own. A file whose hooks fail writes what it held. `TEST_LOGS=all` writes every
 * line as it comes. Tests that read the logs spy on the streams' `write` as before, over this one.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';

/** Lines held outside tests, at most: a long file's older lines matter least to a failure. */
const OUTSIDE_LIMIT = 2_000;

interface Held {
  outside: string[];
  current: string[] | undefined;
  passOn: (text: string) => void;
}

const HELD = Symbol.for('concur-gateway.test.held-logs');

/** Holds the process's JSON lines from now on; once per process, whichever test file comes first. */
function holdLines(): Held {
  const existing = (globalThis as { [HELD]?: Held })[HELD];
  if (existing) return existing;
  const stdoutWrite = process.stdout.write;
  const held: Held = {
    outside: [],
    current: undefined,
    passOn: (text) => void stdoutWrite.call(process.stdout, text),
  };
  // Powertools writes WARN and ERROR lines to stderr, the others to stdout.
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write as (...args: unknown[]) => boolean;
    stream.write = function heldWrite(chunk: string | Uint8Array, ...rest: unknown[]): boolean {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (!text.startsWith('{')) return original.call(stream, chunk, ...rest);
      const lines = held.current ?? held.outside;
      lines.push(text);
      if (lines === held.outside && lines.length > OUTSIDE_LIMIT) lines.shift();
      const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
      if (callback) queueMicrotask(callback);
      return true;
    } as typeof stream.write;
  }
  (globalThis as { [HELD]?: Held })[HELD] = held;
  return held;
}

if (process.env.TEST_LOGS !== 'all') {
  const held = holdLines();

  /** Writes the lines and lets them go: a second failure in the file does not repeat them. */
  const writeOut = (heading: string, lines: string[]) => {
    if (lines.length === 0) return;
    held.passOn(`--- ${heading} (${lines.length} lines) ---\n`);
    for (const line of lines.splice(0)) held.passOn(line);
  };

  beforeAll(() => {
    held.outside.length = 0;
  });

  beforeEach(({ task, onTestFailed, onTestFinished }) => {
    const lines: string[] = [];
    held.current = lines;
    onTestFinished(() => {
      held.current = undefined;
    });
    onTestFailed(() => {
      writeOut(`logged outside the tests of ${task.file.name}`, held.outside);
      writeOut(`logged by "${task.name}"`, lines);
    });
  });

  // vitest reads the hook's first parameter as its fixtures, and insists on an object pattern there.
  // eslint-disable-next-line no-empty-pattern
  afterAll(({}, suite) => {
    if ((suite.result?.errors?.length ?? 0) > 0)
      writeOut(`logged by ${suite.name}, whose hooks failed`, held.outside);
  });
}
