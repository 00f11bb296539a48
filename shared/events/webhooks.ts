/**
 * Standard Webhooks signatures: each supplier has one or more `whsec_…` secrets (several while rotating) in
 * Secrets Manager, `{prefix}/suppliers/{supplierId}/webhook` = `{"secrets": ["whsec_…", …]}`. A request is
 * authentic when one of its signatures matches one of the secrets and its timestamp is within 5 minutes.
 */
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { SecretStore } from '../adapters/secrets/secret-store';
import type { Clock } from '../gateway/ports';

const webhookSecretValueSchema = z.object({
  secrets: z.array(z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/)).min(1),
});

/** Supplier ids usable in a secret name and a URL path. */
export const SUPPLIER_ID_PATTERN = /^[A-Za-z0-9_+=.@-]{1,64}$/;

export interface WebhookSecretsOptions {
  store: SecretStore;
  prefix: string;
  /** How long a container remembers a supplier's secrets (or that it has none). */
  maxAgeMs?: number;
  clock?: Clock;
}

export class WebhookSecrets {
  private readonly cache = new Map<string, { secrets: string[]; until: number }>();

  constructor(private readonly options: WebhookSecretsOptions) {}

  secretId(supplierId: string): string {
    return `${this.options.prefix}/suppliers/${supplierId}/webhook`;
  }

  /** The supplier's secrets, newest first; empty when it has none (or the stored value is unusable). */
  async secretsOf(supplierId: string): Promise<string[]> {
    if (!SUPPLIER_ID_PATTERN.test(supplierId)) return [];
    const now = (this.options.clock ?? Date).now();
    const cached = this.cache.get(supplierId);
    if (cached && cached.until > now) return cached.secrets;
    const text = await this.options.store.getSecretString(this.secretId(supplierId));
    let secrets: string[] = [];
    if (text !== undefined) {
      try {
        secrets = webhookSecretValueSchema.parse(JSON.parse(text)).secrets;
      } catch {
        secrets = [];
      }
    }
    if (this.cache.size >= 1_000) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(supplierId, { secrets, until: now + (this.options.maxAgeMs ?? 60_000) });
    return secrets;
  }

  /** Stores the supplier's secrets (onboarding, rotation: put the new one first, keep the old while senders move). */
  async write(supplierId: string, secrets: string[]): Promise<void> {
    const value = JSON.stringify(webhookSecretValueSchema.parse({ secrets }));
    const id = this.secretId(supplierId);
    if ((await this.options.store.getSecretString(id)) === undefined)
      await this.options.store.createSecret(id, value);
    else await this.options.store.putSecretString(id, value);
    this.cache.delete(supplierId);
  }
}

/** True when the headers carry a valid signature of `body` by one of `secrets`, made within ±5 minutes. */
export function isAuthentic(
  secrets: readonly string[],
  body: string,
  headers: Record<string, string | undefined>,
): boolean {
  const signed = {
    'webhook-id': headers['webhook-id'] ?? '',
    'webhook-timestamp': headers['webhook-timestamp'] ?? '',
    'webhook-signature': headers['webhook-signature'] ?? '',
  };
  if (!signed['webhook-id'] || !signed['webhook-timestamp'] || !signed['webhook-signature']) return false;
  return secrets.some((secret) => {
    try {
      new Webhook(secret).verify(body, signed, { jsonParse: false });
      return true;
    } catch {
      return false;
    }
  });
}
