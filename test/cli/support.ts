/**
 * The operator's command line as a user runs it: `npm start` as a child process on a fresh data directory, and
 * `bin/concur-gateway.mjs` spawned against it (or against the data alone once it stopped).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runningEndpoints } from '../../local/data-dir';
import type { RunningEndpoints } from '../../local/data-dir';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'bin', 'concur-gateway.mjs');

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the command line with `args`, asynchronously (the test process may be serving what it calls). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: root,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs it with `--json` and parses what it printed; fails with its stderr when it failed. */
export async function runJson<T = Record<string, unknown>>(
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<T> {
  const result = await runCli([...args, '--json'], env);
  if (result.status !== 0) throw new Error(`concur-gateway ${args.join(' ')} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as T;
}

export interface LocalStart {
  dataDir: string;
  endpoints: RunningEndpoints;
  output: () => string;
  stop(): Promise<void>;
}

export function freshDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'cgw-cli-'));
}

/** `npm start` (local/server/main.ts) on free ports, until it has published its endpoints; `env` adds to its own. */
export async function startNpmStart(dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<LocalStart> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(root, 'local/server/main.ts')],
    {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SIMULATOR_PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    const endpoints = /listening on/.test(output) ? await runningEndpoints(dataDir) : undefined;
    if (endpoints && endpoints.pid === child.pid) {
      return {
        dataDir,
        endpoints,
        output: () => output,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`npm start did not come up:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
