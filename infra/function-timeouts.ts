/**
 * How long each kind of function may run, and what follows from it: the events queue's visibility timeout is
 * derived from the processor's timeout here, so the two stacks cannot drift apart.
 */
import { Duration } from 'aws-cdk-lib';
import { CHANGE_NOTICES_VISIBILITY_TIMEOUT_SECONDS } from '../shared/change-notices/ports';

/** An HTTP function: API Gateway's integration limit. */
export const HTTP_FUNCTION_TIMEOUT = Duration.seconds(29);
/** One batch of events: ten records in parallel, each within the Concur budget (25 s) and a lease wait. */
export const PROCESSOR_TIMEOUT = Duration.seconds(60);
/**
 * AWS advises a queue's visibility timeout of at least six times the timeout of the function it feeds: Lambda's
 * poller may retry a throttled invocation of a batch it already received, and the message must stay hidden
 * meanwhile.
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function eventsVisibilityTimeout(): Duration {
  return Duration.seconds(PROCESSOR_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
}

/** One batch of itinerary events: each reads one trip at Concur (25 s budget) and writes a few mappings. */
export const CHANGE_APPLIER_TIMEOUT = Duration.seconds(
  CHANGE_NOTICES_VISIBILITY_TIMEOUT_SECONDS / VISIBILITY_TIMEOUT_FACTOR,
);

/** The change notices queue's visibility timeout (also the local queue's), six times the applier's timeout. */
export function changeNoticesVisibilityTimeout(): Duration {
  return Duration.seconds(CHANGE_APPLIER_TIMEOUT.toSeconds() * VISIBILITY_TIMEOUT_FACTOR);
}

/**
 * One run of the change poller: every polled traveler's list and its modified trips, one call after another. Well
 * inside the shortest interval (ten minutes), so one run ends before the next begins.
 */
export const CHANGE_POLLER_TIMEOUT = Duration.minutes(5);
