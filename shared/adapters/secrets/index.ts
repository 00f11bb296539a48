export {
  localSecretsManagerClient,
  SecretAlreadyExistsError,
  SecretsManagerStore,
  type SecretStore,
} from './secret-store';
export {
  startLocalSecretsManager,
  type LocalSecretsManagerOptions,
  type RunningLocalSecretsManager,
} from './local-secrets-manager';
