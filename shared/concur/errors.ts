import type { FieldProblem } from '../problem';

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
