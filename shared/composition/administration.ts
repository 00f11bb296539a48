/**
 * Operations for onboarding and the local default, never reachable through the supplier API and never part of
 * a Lambda function.
 */
import type { Supplier } from '../gateway/ports';
import { generateApiKey } from '../suppliers/api-keys';
import type { AppCredentials, CompanyTokens } from '../tokens/company-credentials';
import { companyCredentials, secretStore } from './concur';
import { supplierDirectory } from './dynamodb';
import { webhookSecrets } from './events';

export interface Administration {
  configureApp(app: AppCredentials): Promise<void>;
  configureCompany(companyId: string, tokens: CompanyTokens): Promise<void>;
  readCompany(companyId: string): Promise<CompanyTokens>;
  registerSupplier(supplier: Supplier, apiKey: string): Promise<void>;
  /** The supplier's webhook signing secrets (`whsec_…`), newest first. */
  configureWebhookSecrets(supplierId: string, secrets: string[]): Promise<void>;
  generateApiKey(): string;
}

export function administration(): Administration {
  return {
    configureApp: async (app) => {
      const id = companyCredentials().appSecretId();
      const text = JSON.stringify({ clientId: app.clientId, clientSecret: app.clientSecret });
      if ((await secretStore().getSecretString(id)) === undefined) await secretStore().createSecret(id, text);
      else await secretStore().putSecretString(id, text);
    },
    configureCompany: (companyId, tokens) => companyCredentials().writeCompany(companyId, tokens),
    readCompany: (companyId) => companyCredentials().readCompany(companyId),
    registerSupplier: async (supplier, apiKey) => {
      await supplierDirectory().registerSupplier(supplier);
      await supplierDirectory().addApiKey(supplier.id, apiKey);
    },
    configureWebhookSecrets: (supplierId, secrets) => webhookSecrets().write(supplierId, secrets),
    generateApiKey,
  };
}
