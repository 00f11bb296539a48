/**
 * Who is making the changes of the current invocation: an API request, or an operation (a partner event or an
 * asynchronous request) the processor applies. It belongs to the invocation, like the request id of a log
 * line, so it travels with the asynchronous context instead of through every use case's parameters: the
 * booking history reads it where a mapping is stored.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type ChangeActor =
  | { kind: 'api'; requestId: string }
  | { kind: 'operation'; operationId: string; trigger: 'webhook' | 'api' | 'eventbridge'; eventId: string };

const current = new AsyncLocalStorage<ChangeActor>();

/** Runs `work` with `actor` as the maker of every change it stores. */
export function withChangeActor<T>(actor: ChangeActor, work: () => Promise<T>): Promise<T> {
  return current.run(actor, work);
}

/** The actor of the running invocation; undefined outside one (a test calling a use case directly). */
export function currentChangeActor(): ChangeActor | undefined {
  return current.getStore();
}
