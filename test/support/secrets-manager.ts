/**
 * A local Secrets Manager over real HTTP and the adapter over the real SDK client pointed at it.
 */
import { localSecretsManagerClient, SecretsManagerStore } from '../../shared/adapters/secrets';
import { startLocalSecretsManager, type RunningLocalSecretsManager } from '../../local/secrets-manager';

export interface TestSecretsManager extends RunningLocalSecretsManager {
  store: SecretsManagerStore;
}

export async function startTestSecretsManager(dataDir?: string): Promise<TestSecretsManager> {
  const server = await startLocalSecretsManager({ dataDir });
  const client = localSecretsManagerClient(server.endpoint);
  return {
    endpoint: server.endpoint,
    store: new SecretsManagerStore(client),
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
