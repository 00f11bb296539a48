/**
 * RFC 9457 problem details: the one error shape the gateway speaks, over HTTP, on stderr and in events.
 */
export interface FieldProblem {
  /** JSON path of the offending value, e.g. `booking.segments[0].vendor`; `""` for the document itself. */
  path: string;
  message: string;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Base of every problem `type` URI (a URN: nothing to dereference); the suffix is stable per kind of problem. */
export const PROBLEM_TYPE_BASE = 'urn:concur-gateway:problem:';

export function problemType(kind: string): string {
  return `${PROBLEM_TYPE_BASE}${kind}`;
}

/** Formats a JSON path from its segments: `['booking', 'segments', 0, 'vendor']` → `booking.segments[0].vendor`. */
export function formatPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
