/**
 * Lambda: the change poller, run on a schedule (EventBridge Scheduler on AWS, every CHANGE_POLL_INTERVAL; a timer in
 * `npm start`). Lists the modified trips of the travelers of companies set to `poll` and applies them as ESS
 * events are applied. A traveler whose poll failed is listed again at the next run; the run then fails, so the
 * operator's alarm on the function's errors sees it.
 */
import { changePoller } from '../../shared/composition/change-notices';
import { gatewayLogger, gatewayMetrics } from '../../shared/composition/logging';
import { GATEWAY_METRICS } from '../../shared/observability/metric-names';

export const handler = async (): Promise<{
  companies: number;
  travelers: number;
  polled: number;
  trips: number;
  announced: number;
  failed: number;
}> => {
  const { failures, ...counts } = await changePoller().run();
  const metrics = gatewayMetrics();
  if (counts.polled > 0) metrics.count(GATEWAY_METRICS.changePollTravelers, counts.polled);
  if (counts.announced > 0) metrics.count(GATEWAY_METRICS.concurChangesAnnounced, counts.announced);
  if (failures.length > 0) metrics.count(GATEWAY_METRICS.changePollFailures, failures.length);
  const summary = { ...counts, failed: failures.length };
  gatewayLogger().info('changes polled', summary);
  if (failures.length > 0) {
    for (const failure of failures) gatewayLogger().error('change poll of a traveler failed', failure);
    throw new Error(
      `the change poll of ${failures.length} traveler(s) failed; they are listed again next run`,
    );
  }
  return summary;
};
