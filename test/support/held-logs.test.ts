/**
 * The suite's JSON log lines are held and written out only for a failing test or hook. Runs vitest, in a process
 * of its own, on fixture files with a passing test, a failing test and a failing hook.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const config = fileURLToPath(new URL('./held-logs-fixtures/vitest.config.ts', import.meta.url));
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));

function runFixture(env: Record<string, string> = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitest, 'run', '--config', config, '--reporter', 'default'],
      { env: { ...process.env, TEST_LOGS: '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, output: stdout + stderr }),
    );
  });
}

describe('held log lines', () => {
  let held: ReturnType<typeof runFixture>;
  beforeAll(() => {
    held = runFixture();
  });

  it('writes out the lines of a failing test and of its file outside tests, never those of a passing test', async () => {
    const { code, output } = await held;
    expect(code).toBe(1);
    expect(output).toContain('"marker":"of-the-failing-test"');
    expect(output).toContain('"marker":"started-outside-tests"');
    expect(output).not.toContain('"marker":"of-the-passing-test"');
    expect(output).not.toContain('"marker":"warned-by-the-passing-test"');
    expect(output).toContain('plain text of the passing test');
  }, 60_000);

  it('writes out what a file logged before its hooks failed', async () => {
    const { output } = await held;
    expect(output).toContain('"marker":"before-the-hook-failed"');
  }, 60_000);

  it('writes every line as it comes with TEST_LOGS=all', async () => {
    const { output } = await runFixture({ TEST_LOGS: 'all' });
    expect(output).toContain('"marker":"of-the-passing-test"');
    expect(output).toContain('"marker":"warned-by-the-passing-test"');
  }, 60_000);
});
