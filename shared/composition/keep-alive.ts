/** The keep-alive of Concur connections, on the functions' own token provider and credentials. */
import { ConnectionKeepAlive } from '../keep-alive/keep-alive';
import { companyCredentials, tokenProvider } from './concur';
import { once } from './container';
import { gatewayLogger, gatewayMetrics } from './logging';

export const connectionKeepAlive = (): ConnectionKeepAlive =>
  once(
    'keepAlive',
    () =>
      new ConnectionKeepAlive({
        connections: companyCredentials(),
        tokens: tokenProvider(),
        logger: gatewayLogger(),
        metrics: gatewayMetrics(),
      }),
  );
