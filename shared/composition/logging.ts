import { Logger } from '@aws-lambda-powertools/logger';
import type { CountEvent } from '../observability/counter';
import { powertoolsCounter } from '../observability/powertools-counter';
import { once } from './container';

const serviceName = () => process.env.POWERTOOLS_SERVICE_NAME ?? 'concur-gateway';

/** The container's structured logger. */
export const gatewayLogger = (): Logger => once('logger', () => new Logger({ serviceName: serviceName() }));

/** The container's counter of gateway metrics (EMF). */
export const gatewayCounter = (): CountEvent =>
  once('counter', () =>
    powertoolsCounter({
      namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ConcurGateway',
      serviceName: serviceName(),
    }),
  );
