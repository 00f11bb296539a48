/**
 * Operations for onboarding and the local default, never reachable through the supplier API and never part of
 * a Lambda function.
 */
import type { ConnectionRef, Supplier } from '../gateway/ports';
import { generateApiKey } from '../suppliers/api-keys';
import type { AppCredentials, CompanyTokens } from '../tokens/company-credentials';
import { companyCredentials } from './concur';
import { supplierDirectory } from './dynamodb';
import { webhookSecrets } from './events';

export interface Administration {
  configureApp(appId: string, app: AppCredentials): Promise<void>;
  readApp(appId: string): Promise<AppCredentials>;
  configureConnection(connection: ConnectionRef, tokens: CompanyTokens): Promise<void>;
  readConnection(connection: ConnectionRef): Promise<CompanyTokens>;
  registerSupplier(supplier: Supplier, apiKey: string): Promise<void>;
  /** Another key of the supplier: a live one, or a test one (`cgw_test_…`). */
  addApiKey(supplierId: string, apiKey: string): Promise<void>;
  /** The supplier's webhook signing secrets (`whsec_…`), newest first. */
  configureWebhookSecrets(supplierId: string, secrets: string[]): Promise<void>;
  generateApiKey(): string;
}

export function administration(): Administration {
  return {
    configureApp: (appId, app) => companyCredentials().writeApp(appId, app),
    readApp: (appId) => companyCredentials().readApp(appId),
    configureConnection: (connection, tokens) => companyCredentials().writeConnection(connection, tokens),
    readConnection: (connection) => companyCredentials().readConnection(connection),
    registerSupplier: async (supplier, apiKey) => {
      await supplierDirectory().registerSupplier(supplier);
      await supplierDirectory().addApiKey(supplier.id, apiKey);
    },
    addApiKey: (supplierId, apiKey) => supplierDirectory().addApiKey(supplierId, apiKey),
    configureWebhookSecrets: (supplierId, secrets) => webhookSecrets().write(supplierId, secrets),
    generateApiKey,
  };
}
