/**
 * Where the gateway keeps secrets (Concur tokens, the OAuth client). In AWS this is Secrets Manager; locally it
 * is the same SDK client pointed at the local Secrets Manager, so one adapter serves both.
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

export interface SecretStore {
  /** The secret's current string value; undefined when no such secret exists. */
  getSecretString(id: string): Promise<string | undefined>;
  /** Stores a new current value of an existing secret. */
  putSecretString(id: string, value: string): Promise<void>;
  /** Throws SecretAlreadyExistsError when the secret exists. */
  createSecret(id: string, value: string): Promise<void>;
}

export class SecretAlreadyExistsError extends Error {
  constructor(readonly secretId: string) {
    super(`secret ${secretId} already exists`);
    this.name = 'SecretAlreadyExistsError';
  }
}

export class SecretsManagerStore implements SecretStore {
  constructor(private readonly client: SecretsManagerClient) {}

  async getSecretString(id: string): Promise<string | undefined> {
    try {
      const { SecretString } = await this.client.send(new GetSecretValueCommand({ SecretId: id }));
      return SecretString;
    } catch (error) {
      if (hasName(error, 'ResourceNotFoundException')) return undefined;
      throw error;
    }
  }

  async putSecretString(id: string, value: string): Promise<void> {
    await this.client.send(new PutSecretValueCommand({ SecretId: id, SecretString: value }));
  }

  async createSecret(id: string, value: string): Promise<void> {
    try {
      await this.client.send(new CreateSecretCommand({ Name: id, SecretString: value }));
    } catch (error) {
      if (hasName(error, 'ResourceExistsException')) throw new SecretAlreadyExistsError(id);
      throw error;
    }
  }
}

/** A client for the local Secrets Manager: its endpoint, any region, credentials it does not check. */
export function localSecretsManagerClient(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

function hasName(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}
