import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { CountEvent } from './counter';

/**
 * A counter that publishes each event at once (Powertools' single metric), so that it needs no flush at the
 * end of an invocation and works the same in every function and locally (EMF lines on stdout).
 */
export function powertoolsCounter(options: { namespace: string; serviceName: string }): CountEvent {
  const metrics = new Metrics({ namespace: options.namespace, serviceName: options.serviceName });
  return (name, value = 1) => metrics.singleMetric().addMetric(name, MetricUnit.Count, value);
}
