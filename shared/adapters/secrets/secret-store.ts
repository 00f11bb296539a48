/**
 * Where the gateway keeps secrets (Concur tokens, the OAuth client). In AWS this is Secrets Manager; locally it
 * is the same SDK client pointed at the local Secrets Manager, so one adapter serves both.
 */
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
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
  /** Deletes the secret at once, without a recovery window; a missing secret is not an error. */
  deleteSecret(id: string): Promise<void>;
  /** Names (never values) of the secrets whose name starts with `prefix`, and when each last changed. */
  listSecrets(prefix: string): Promise<SecretSummary[]>;
}

export interface SecretSummary {
  name: string;
  /** When its value was last put; undefined when the store does not say. */
  lastChangedAt?: Date;
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

  async deleteSecret(id: string): Promise<void> {
    try {
      await this.client.send(new DeleteSecretCommand({ SecretId: id, ForceDeleteWithoutRecovery: true }));
    } catch (error) {
      if (!hasName(error, 'ResourceNotFoundException')) throw error;
    }
  }

  async listSecrets(prefix: string): Promise<SecretSummary[]> {
    const summaries: SecretSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], NextToken: nextToken }),
      );
      for (const secret of page.SecretList ?? []) {
        // Secrets Manager's name filter matches prefixes of words too: keep only true prefixes.
        if (!secret.Name?.startsWith(prefix)) continue;
        summaries.push({ name: secret.Name, lastChangedAt: secret.LastChangedDate });
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return summaries.sort((a, b) => a.name.localeCompare(b.name));
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
