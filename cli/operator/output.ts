/**
 * How operator commands answer: one JSON document on stdout with `--json`, readable lines otherwise; a refusal
 * is a message on stderr (JSON with `--json`) and exit code 1. No secret goes through here except a new API key,
 * which the command that created it prints once.
 */

/** A refusal the operator can act on: its message is printed as it is, without a stack. */
export class OperatorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperatorError';
  }
}

export interface OutputOptions {
  json?: boolean;
}

/** Prints `value` as JSON, or the lines `human` makes of it. */
export function emit<T>(options: OutputOptions, value: T, human: (value: T) => string[]): void {
  if (options.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  else process.stdout.write(`${human(value).join('\n')}\n`);
}

/** A table of rows for people: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** Reports a failure of an operator command by its message, without a stack. */
export function reportFailure(options: OutputOptions, error: unknown): void {
  // The gateway's own errors say what is wrong and never carry a secret; so do the SDK's service errors.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    options.json ? `${JSON.stringify({ error: message })}\n` : `concur-gateway: ${message}\n`,
  );
  process.exitCode = 1;
}

/** `0`, `90s`, `30m`, `24h`, `7d` (a bare number is seconds) → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) throw new OperatorError(`"${text}" is not a duration: use e.g. 0, 90s, 30m, 24h, 7d`);
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return Math.round(Number(match[1]) * units[match[2] ?? 's']!);
}
