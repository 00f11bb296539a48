import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppNotConfiguredError,
  CompanyCredentials,
  CompanyNotConfiguredError,
  DEFAULT_APP_ID,
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

const at = (companyId: string) => ({ appId: DEFAULT_APP_ID, companyId });

async function caught(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('CompanyCredentials', () => {
  it('names secrets under the configured prefix; the default app keeps the names from before apps', () => {
    expect(credentials.connectionSecretId(at('c1'))).toBe('test-stage/companies/c1');
    expect(credentials.connectionSecretId({ appId: 'acme', companyId: 'c1' })).toBe(
      'test-stage/companies/c1/apps/acme',
    );
    expect(credentials.appSecretId()).toBe('test-stage/app');
    expect(credentials.appSecretId('acme')).toBe('test-stage/apps/acme');
    expect(new CompanyCredentials({ store: secrets.store }).appSecretId()).toBe('concur-gateway/app');
    expect(credentials.connectionOfSecret('test-stage/companies/c1')).toEqual(at('c1'));
    expect(credentials.connectionOfSecret('test-stage/companies/c1/apps/acme')).toEqual({
      appId: 'acme',
      companyId: 'c1',
    });
    for (const name of [
      'test-stage/companies/c1/x/acme',
      'test-stage/companies/c1/apps/a/b',
      'other/companies/c1',
    ])
      expect(credentials.connectionOfSecret(name)).toBeUndefined();
  });

  it('keeps an app’s connection to a company apart from the default app’s', async () => {
    await credentials.writeConnection(at('c-two'), tokens);
    const other = { ...tokens, accessToken: 'access-SECRET-other' };
    await credentials.writeConnection({ appId: 'acme', companyId: 'c-two' }, other);
    expect(await credentials.readConnection(at('c-two'))).toEqual(tokens);
    expect(await credentials.readConnection({ appId: 'acme', companyId: 'c-two' })).toEqual(other);
    const missing = await caught(credentials.readConnection({ appId: 'globex', companyId: 'c-two' }));
    expect(missing).toBeInstanceOf(CompanyNotConfiguredError);
    expect(missing.message).toContain('app globex');
  });

  it('stores apps with their approved booking sources and lists them', async () => {
    const apps = new CompanyCredentials({ store: secrets.store, prefix: 'apps-test' });
    expect(await apps.listAppIds()).toEqual([]);
    await apps.writeApp('default', { clientId: 'id', clientSecret: 'SECRET' });
    await apps.writeApp('acme', { clientId: 'acme-id', clientSecret: 'SECRET', bookingSources: ['Acme'] });
    expect(await apps.listAppIds()).toEqual(['acme', 'default']);
    expect(await apps.readApp('acme')).toEqual({
      clientId: 'acme-id',
      clientSecret: 'SECRET',
      bookingSources: ['Acme'],
    });
    expect(await caught(apps.readApp('../app'))).toBeInstanceOf(AppNotConfiguredError);
    const tooLong = await caught(
      apps.writeApp('acme', { clientId: 'x', clientSecret: 'y', bookingSources: ['x'.repeat(33)] }),
    );
    expect((tooLong as MalformedSecretError).fields).toEqual(['bookingSources.0']);
  });

  it('writes a new company, reads it back, and overwrites it', async () => {
    await credentials.writeConnection(at('c-write'), tokens);
    expect(await credentials.readConnection(at('c-write'))).toEqual(tokens);
    const rotated = { ...tokens, refreshToken: 'refresh-SECRET-2', authScheme: 'OAuth' as const };
    await credentials.writeConnection(at('c-write'), rotated);
    expect(await credentials.readConnection(at('c-write'))).toEqual(rotated);
    expect(JSON.parse((await secrets.store.getSecretString('test-stage/companies/c-write')) ?? '')).toEqual(
      rotated,
    );
  });

  it('reports a company without a secret as not configured', async () => {
    const error = await caught(credentials.readConnection(at('c-missing')));
    expect(error).toBeInstanceOf(CompanyNotConfiguredError);
  });

  it('refuses company ids that are not secret name characters', async () => {
    await credentials.writeConnection(at('c-victim'), tokens);
    const error = await caught(credentials.readConnection(at('c victim')));
    expect(error).toBeInstanceOf(CompanyNotConfiguredError);
  });

  it('reports invalid fields by name without their values', async () => {
    await secrets.store.createSecret(
      'test-stage/companies/c-bad',
      JSON.stringify({ ...tokens, expiresAt: 'tomorrow SECRET', baseUrl: 'ftp://SECRET' }),
    );
    const error = await caught(credentials.readConnection(at('c-bad')));
    expect(error).toBeInstanceOf(MalformedSecretError);
    expect((error as MalformedSecretError).fields).toEqual(['expiresAt', 'baseUrl']);
    expect(error.message).not.toContain('SECRET');
  });

  it('reports a secret that is not JSON without quoting it', async () => {
    await secrets.store.createSecret('test-stage/companies/c-text', '{"accessToken": SECRET-token');
    const error = await caught(credentials.readConnection(at('c-text')));
    expect(error).toBeInstanceOf(MalformedSecretError);
    expect(error.message).not.toContain('SECRET');
  });

  it('refuses to write malformed tokens', async () => {
    const error = await caught(credentials.writeConnection(at('c-new'), { ...tokens, accessToken: '' }));
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
