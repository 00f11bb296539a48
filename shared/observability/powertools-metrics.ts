import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GatewayMetrics, MetricDimensions } from './counter';

/**
 * Gateway metrics that publish each data point at once (Powertools' single-metric mode), so that they need no
 * flush at the end of an invocation and work the same in every function and locally (EMF lines on stdout).
 * One instance serves every data point: `singleMetric()` would build a new Metrics, and with it a new Console,
 * for each one. Sharing it is safe because a data point's dimensions and its metric are added without an
 * `await` between them, and publishing clears the dimensions again.
 */
export function powertoolsMetrics(options: { namespace: string; serviceName: string }): GatewayMetrics {
  const metrics = new Metrics({
    namespace: options.namespace,
    serviceName: options.serviceName,
    singleMetric: true,
  });
  const publish = (
    name: string,
    unit: (typeof MetricUnit)[keyof typeof MetricUnit],
    value: number,
    dimensions: MetricDimensions = {},
  ) => {
    for (const [dimension, dimensionValue] of Object.entries(dimensions))
      if (dimensionValue !== undefined) metrics.addDimension(dimension, dimensionValue);
    metrics.addMetric(name, unit, value);
  };
  return {
    count: (name, value = 1, dimensions) => publish(name, MetricUnit.Count, value, dimensions),
    time: (name, milliseconds, dimensions) =>
      publish(name, MetricUnit.Milliseconds, Math.round(milliseconds), dimensions),
  };
}
