/** Input and output of the command line: read a file or stdin, answer problems as problem+json on stderr. */
import { readFile } from 'node:fs/promises';
import { problemType } from '../shared/problem';
import type { ProblemDetails } from '../shared/problem';

/** The input, or undefined after answering a problem+json naming why it cannot be read (a missing file, …). */
export async function readInput(file: string | undefined): Promise<string | undefined> {
  const name = file !== undefined && file !== '-' ? file : 'stdin';
  try {
    if (name !== 'stdin') return await readFile(name, 'utf8');
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'a directory, not a file'
          : code === 'EACCES'
            ? 'not readable (permission denied)'
            : message;
    failWith({
      type: problemType('unreadable-input'),
      title: 'The input cannot be read',
      status: 400,
      detail: `${name}: ${reason}`,
      errors: [{ path: '', message: reason }],
    });
    return undefined;
  }
}

/** Writes the problem to stderr and sets exit code 1: the one way the command line reports a refusal. */
export function failWith(problem: ProblemDetails): void {
  process.stderr.write(`${JSON.stringify(problem, null, 2)}\n`);
  process.exitCode = 1;
}
