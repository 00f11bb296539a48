import type * as z from '../zod';
import { toFieldProblems } from '../concur';
import type { FieldProblem } from '../problem';

/** The kinds of refusal the use cases produce; the HTTP layer gives each its status and problem type. */
export type GatewayErrorKind =
  | 'validation'
  | 'forbidden'
  | 'booking-source-mismatch'
  | 'not-found'
  | 'stale'
  | 'conflict'
  | 'busy'
  /** The traveler's email or employee id matches no active Concur user of the company. */
  | 'unknown-traveler'
  /** It matches several: the gateway does not guess. */
  | 'ambiguous-traveler'
  /** Concur did not approve the supplier's booking source for the supplier's Concur app. */
  | 'booking-source-not-approved'
  /** The connection's scopes do not allow searching users (Identity v4.1): name the traveler by login. */
  | 'traveler-lookup-unavailable'
  /** A sandbox control (its faults) asked for with a live key. */
  | 'test-mode-only'
  /** The sandbox (the Concur simulator of test keys) failed or gave no answer. */
  | 'sandbox-unavailable';

/** A request the gateway refuses before or instead of reaching Concur. */
export class GatewayError extends Error {
  constructor(
    readonly kind: GatewayErrorKind,
    message: string,
    readonly problems: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The value as the schema reads it, or a `validation` GatewayError naming every problem by its path. */
export function validated<T>(schema: z.ZodMiniType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new GatewayError('validation', `${what} is not valid`, toFieldProblems(result.error));
  return result.data;
}
