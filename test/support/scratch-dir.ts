/**
 * Vitest global setup: every temporary directory of a run (data directories, synthesized stages, clones) is made
 * inside one directory of its own, which the run removes at its end, so test runs do not fill the machine's
 * temporary directory. The tests and the processes they start find it as their TMPDIR.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'cgw-run-'));
  process.env.TMPDIR = scratch;
  return () => rmSync(scratch, { recursive: true, force: true, maxRetries: 3 });
}
