import { Logger } from '@aws-lambda-powertools/logger';
import type { GatewayMetrics } from '../observability/counter';
import { powertoolsMetrics } from '../observability/powertools-metrics';
import { once } from './container';

const serviceName = () => process.env.POWERTOOLS_SERVICE_NAME ?? 'concur-gateway';

/** The container's structured logger. */
export const gatewayLogger = (): Logger => once('logger', () => new Logger({ serviceName: serviceName() }));

/** The container's gateway metrics (EMF). */
export const gatewayMetrics = (): GatewayMetrics =>
  once('metrics', () =>
    powertoolsMetrics({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ConcurGateway',
      serviceName: serviceName(),
    }),
  );
