export {
  localSecretsManagerClient,
  SecretAlreadyExistsError,
  SecretsManagerStore,
  type SecretStore,
  type SecretSummary,
} from './secret-store';
