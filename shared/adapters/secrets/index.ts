export {
  localSecretsManagerClient,
  SecretAlreadyExistsError,
  SecretsManagerStore,
  type SecretStore,
} from './secret-store';
