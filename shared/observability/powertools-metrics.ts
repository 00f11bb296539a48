import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GatewayMetrics, MetricDimensions } from './counter';

/**
 * Gateway metrics that publish each data point at once (Powertools' single metric), so that they need no flush
 * at the end of an invocation and work the same in every function and locally (EMF lines on stdout).
 */
export function powertoolsMetrics(options: { namespace: string; serviceName: string }): GatewayMetrics {
  const metrics = new Metrics({ namespace: options.namespace, serviceName: options.serviceName });
  const publish = (
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: MetricDimensions = {},
  ) => {
    const single = metrics.singleMetric();
    for (const [dimension, dimensionValue] of Object.entries(dimensions))
      if (dimensionValue !== undefined) single.addDimension(dimension, dimensionValue);
    single.addMetric(name, unit, value);
  };
  return {
    count: (name, value = 1, dimensions) => publish(name, MetricUnit.Count, value, dimensions),
    time: (name, milliseconds, dimensions) =>
      publish(name, MetricUnit.Milliseconds, Math.round(milliseconds), dimensions),
  };
}
