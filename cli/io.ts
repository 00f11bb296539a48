/** Input and output of the command line: read a file or stdin, answer problems as problem+json on stderr. */
import { readFile } from 'node:fs/promises';
import type { ProblemDetails } from '../shared/problem';

export async function readInput(file: string | undefined): Promise<string> {
  if (file !== undefined && file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes the problem to stderr and sets exit code 1: the one way the command line reports a refusal. */
export function failWith(problem: ProblemDetails): void {
  process.stderr.write(`${JSON.stringify(problem, null, 2)}\n`);
  process.exitCode = 1;
}
