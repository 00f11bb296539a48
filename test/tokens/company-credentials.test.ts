import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppNotConfiguredError,
  CompanyCredentials,
  CompanyNotConfiguredError,
  MalformedSecretError,
  type CompanyTokens,
} from '../../shared/tokens';
import { startTestSecretsManager, type TestSecretsManager } from '../support/secrets-manager';

let secrets: TestSecretsManager;
let credentials: CompanyCredentials;

beforeAll(async () => {
  secrets = await startTestSecretsManager();
  credentials = new CompanyCredentials({ store: secrets.store, prefix: 'test-stage' });
});
afterAll(() => secrets.close());

const tokens: CompanyTokens = {
  accessToken: 'access-SECRET-1',
  refreshToken: 'refresh-SECRET-1',
  expiresAt: '2025-03-01T11:00:00.000Z',
  baseUrl: 'https://us2.api.concursolutions.com',
};

async function caught(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('CompanyCredentials', () => {
  it('names secrets under the configured prefix', () => {
    expect(credentials.companySecretId('c1')).toBe('test-stage/companies/c1');
    expect(credentials.appSecretId()).toBe('test-stage/app');
    expect(new CompanyCredentials({ store: secrets.store }).appSecretId()).toBe('concur-gateway/app');
  });

  it('writes a new company, reads it back, and overwrites it', async () => {
    await credentials.writeCompany('c-write', tokens);
    expect(await credentials.readCompany('c-write')).toEqual(tokens);
    const rotated = { ...tokens, refreshToken: 'refresh-SECRET-2', authScheme: 'OAuth' as const };
    await credentials.writeCompany('c-write', rotated);
    expect(await credentials.readCompany('c-write')).toEqual(rotated);
    expect(JSON.parse((await secrets.store.getSecretString('test-stage/companies/c-write')) ?? '')).toEqual(
      rotated,
    );
  });

  it('reports a company without a secret as not configured', async () => {
    const error = await caught(credentials.readCompany('c-missing'));
    expect(error).toBeInstanceOf(CompanyNotConfiguredError);
  });

  it('refuses company ids that are not secret name characters', async () => {
    await credentials.writeCompany('c-victim', tokens);
    const error = await caught(credentials.readCompany('c victim'));
    expect(error).toBeInstanceOf(CompanyNotConfiguredError);
  });

  it('reports invalid fields by name without their values', async () => {
    await secrets.store.createSecret(
      'test-stage/companies/c-bad',
      JSON.stringify({ ...tokens, expiresAt: 'tomorrow SECRET', baseUrl: 'ftp://SECRET' }),
    );
    const error = await caught(credentials.readCompany('c-bad'));
    expect(error).toBeInstanceOf(MalformedSecretError);
    expect((error as MalformedSecretError).fields).toEqual(['expiresAt', 'baseUrl']);
    expect(error.message).not.toContain('SECRET');
  });

  it('reports a secret that is not JSON without quoting it', async () => {
    await secrets.store.createSecret('test-stage/companies/c-text', '{"accessToken": SECRET-token');
    const error = await caught(credentials.readCompany('c-text'));
    expect(error).toBeInstanceOf(MalformedSecretError);
    expect(error.message).not.toContain('SECRET');
  });

  it('refuses to write malformed tokens', async () => {
    const error = await caught(credentials.writeCompany('c-new', { ...tokens, accessToken: '' }));
    expect(error).toBeInstanceOf(MalformedSecretError);
    expect(await secrets.store.getSecretString('test-stage/companies/c-new')).toBeUndefined();
  });

  it('reads the OAuth client and reports it missing or malformed', async () => {
    const other = new CompanyCredentials({ store: secrets.store, prefix: 'app-test' });
    expect(await caught(other.readApp())).toBeInstanceOf(AppNotConfiguredError);
    await secrets.store.createSecret('app-test/app', JSON.stringify({ clientId: 'id' }));
    const malformed = await caught(other.readApp());
    expect(malformed).toBeInstanceOf(MalformedSecretError);
    expect((malformed as MalformedSecretError).fields).toEqual(['clientSecret']);
    await secrets.store.putSecretString(
      'app-test/app',
      JSON.stringify({ clientId: 'id', clientSecret: 's' }),
    );
    expect(await other.readApp()).toEqual({ clientId: 'id', clientSecret: 's' });
  });
});
