import { problemType } from '../problem';
import type { FieldProblem, ProblemDetails } from '../problem';

/** A Concur document that cannot be read, built or accepted; `problems` lists every problem with its JSON path. */
export class ConcurDocumentError extends Error {
  constructor(
    readonly kind: 'invalid-document' | 'malformed-xml',
    message: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(message);
    this.name = 'ConcurDocumentError';
  }
}

const TITLES: Record<ConcurDocumentError['kind'], string> = {
  'invalid-document': 'The document is not valid',
  'malformed-xml': 'The XML cannot be used',
};

/** The problem+json form of a document error, the same for the HTTP API, the CLI and events. */
export function documentProblem(
  error: ConcurDocumentError,
  extensions: Record<string, unknown> = {},
): ProblemDetails {
  return {
    type: problemType(error.kind),
    title: TITLES[error.kind],
    status: 400,
    detail: error.message,
    errors: [...error.problems],
    ...extensions,
  };
}
