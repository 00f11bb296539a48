import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSecretsManagerClient, SecretAlreadyExistsError } from '../../shared/adapters/secrets';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager';

describe('SecretsManagerStore against the local Secrets Manager (in memory)', () => {
  let secrets: TestSecretsManager;
  beforeAll(async () => {
    secrets = await startTestSecretsManager();
  });
  afterAll(() => secrets.close());

  it('answers undefined for a secret that does not exist', async () => {
    expect(await secrets.store.getSecretString('missing/secret')).toBeUndefined();
  });

  it('creates, reads and replaces a secret', async () => {
    await secrets.store.createSecret('app/one', '{"a":1}');
    expect(await secrets.store.getSecretString('app/one')).toBe('{"a":1}');
    await secrets.store.putSecretString('app/one', '{"a":2}');
    expect(await secrets.store.getSecretString('app/one')).toBe('{"a":2}');
  });

  it('lists the names under a prefix, with when each changed, and never a value', async () => {
    await secrets.store.createSecret('listed/companies/a', 'value-a');
    await secrets.store.createSecret('listed/companies/b', 'value-b');
    await secrets.store.createSecret('listed/app', 'value-app');
    await secrets.store.createSecret('listed-other/companies/c', 'value-c');
    const listed = await secrets.store.listSecrets('listed/companies/');
    expect(listed.map((secret) => secret.name)).toEqual(['listed/companies/a', 'listed/companies/b']);
    for (const secret of listed) expect(secret.lastChangedAt).toBeInstanceOf(Date);
    expect(JSON.stringify(listed)).not.toContain('value-');
  });

  it('refuses to create a secret twice and keeps the first value', async () => {
    await secrets.store.createSecret('app/two', 'first');
    await expect(secrets.store.createSecret('app/two', 'second')).rejects.toBeInstanceOf(
      SecretAlreadyExistsError,
    );
    expect(await secrets.store.getSecretString('app/two')).toBe('first');
  });

  it('refuses to put a value into a secret that does not exist', async () => {
    await expect(secrets.store.putSecretString('app/none', 'x')).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(await secrets.store.getSecretString('app/none')).toBeUndefined();
  });

  it('describes a secret and finds it by ARN, as the SDK expects', async () => {
    await secrets.store.createSecret('app/three', 'value');
    const client = localSecretsManagerClient(secrets.endpoint);
    try {
      const described = await client.send(new DescribeSecretCommand({ SecretId: 'app/three' }));
      expect(described.Name).toBe('app/three');
      expect(described.CreatedDate).toBeInstanceOf(Date);
      const byArn = await client.send(new GetSecretValueCommand({ SecretId: described.ARN }));
      expect(byArn.SecretString).toBe('value');
    } finally {
      client.destroy();
    }
  });

  it('answers an unknown operation with a typed error', async () => {
    const response = await fetch(secrets.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'secretsmanager.RotateSecret',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});

describe('the local Secrets Manager with a data directory', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cgw-secrets-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('keeps secrets across restarts in a file only its owner can read, leaving no temporary files', async () => {
    const first = await startTestSecretsManager(dataDir);
    await first.store.createSecret('company/a', 'token-a');
    await first.store.putSecretString('company/a', 'token-a2');
    await first.store.createSecret('company/b', 'token-b');
    await first.close();

    expect(await readdir(dataDir)).toEqual(['secrets.json']);
    expect((await stat(join(dataDir, 'secrets.json'))).mode & 0o777).toBe(0o600);

    const second = await startTestSecretsManager(dataDir);
    try {
      expect(await second.store.getSecretString('company/a')).toBe('token-a2');
      expect(await second.store.getSecretString('company/b')).toBe('token-b');
    } finally {
      await second.close();
    }
  });
});
