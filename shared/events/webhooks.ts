/**
 * Standard Webhooks signatures: each supplier has one or more `whsec_…` secrets (several while rotating) in
 * Secrets Manager, `{prefix}/suppliers/{supplierId}/webhook` = `{"secrets": ["whsec_…", …]}`. A secret being
 * retired is stored as `{"secret": "whsec_…", "validUntil": "<ISO time>"}` and stops verifying at that time
 * (checked on every request, cached or not). A request is authentic when one of its signatures matches one of
 * the valid secrets and its timestamp is within 5 minutes.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import * as z from '../zod';
import type { SecretStore } from '../adapters/secrets/secret-store';
import type { Clock } from '../gateway/ports';

const webhookSecretSchema = z.string().check(z.regex(/^whsec_[A-Za-z0-9+/=]+$/));
const webhookSecretValueSchema = z.object({
  secrets: z
    .array(
      z.union([webhookSecretSchema, z.object({ secret: webhookSecretSchema, validUntil: z.iso.datetime() })]),
    )
    .check(z.minLength(1)),
});
type StoredWebhookSecret = z.infer<typeof webhookSecretValueSchema>['secrets'][number];

/** A supplier's secret as the verifier uses it: `validUntil` (epoch ms) only on one being retired. */
interface WebhookSecretEntry {
  secret: string;
  validUntil?: number;
}

/** A new signing secret: `whsec_` and 32 random bytes in base64, as Standard Webhooks recommends (24–64). */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

export interface WebhookSecretRotation {
  /** The new secret, to be given to the sender once. */
  secret: string;
  /** The other secrets, each valid until then (none after a grace of 0). */
  retiring: { validUntil: string }[];
}

/** Supplier ids usable in a secret name and a URL path. */
export const SUPPLIER_ID_PATTERN = /^[A-Za-z0-9_+=.@-]{1,64}$/;

/** How long a warm function remembers a supplier's secrets: a rotation or an ended secret is seen within it. */
export const DEFAULT_WEBHOOK_SECRETS_MAX_AGE_MS = 60_000;

export interface WebhookSecretsOptions {
  store: SecretStore;
  prefix: string;
  /**
   * The secret's name for a key (by default a supplier id: `{prefix}/suppliers/{supplierId}/webhook`), or
   * undefined for a key that cannot name one.
   */
  secretIdOf?: (key: string) => string | undefined;
  /** How long a container remembers a supplier's secrets (or that it has none). */
  maxAgeMs?: number;
  clock?: Clock;
}

export class WebhookSecrets {
  private readonly cache = new Map<string, { entries: WebhookSecretEntry[]; until: number }>();

  constructor(private readonly options: WebhookSecretsOptions) {}

  private secretId(key: string): string | undefined {
    if (this.options.secretIdOf) return this.options.secretIdOf(key);
    return SUPPLIER_ID_PATTERN.test(key) ? `${this.options.prefix}/suppliers/${key}/webhook` : undefined;
  }

  /** The key's secrets valid now, newest first; empty when it has none (or the stored value is unusable). */
  async secretsOf(supplierId: string): Promise<string[]> {
    if (this.secretId(supplierId) === undefined) return [];
    const now = this.now();
    const cached = this.cache.get(supplierId);
    let entries: WebhookSecretEntry[];
    if (cached && cached.until > now) entries = cached.entries;
    else {
      entries = await this.read(supplierId);
      if (this.cache.size >= 1_000) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(supplierId, {
        entries,
        until: now + (this.options.maxAgeMs ?? DEFAULT_WEBHOOK_SECRETS_MAX_AGE_MS),
      });
    }
    return entries
      .filter((entry) => entry.validUntil === undefined || entry.validUntil > now)
      .map((e) => e.secret);
  }

  /** Stores the supplier's secrets (onboarding: the first one; several while a sender moves to a new one). */
  async write(supplierId: string, secrets: string[]): Promise<void> {
    await this.store(supplierId, secrets);
  }

  /**
   * Puts a new secret first; the others keep verifying for `graceMs` (or less, when they were already being
   * retired sooner), and none of them after a grace of 0. Expired ones are dropped.
   */
  async rotate(supplierId: string, graceMs: number): Promise<WebhookSecretRotation> {
    const now = this.now();
    const graceEnd = now + graceMs;
    const retiring =
      graceMs <= 0
        ? []
        : (await this.read(supplierId))
            .map((entry) => ({
              secret: entry.secret,
              validUntil: Math.min(entry.validUntil ?? graceEnd, graceEnd),
            }))
            .filter((entry) => entry.validUntil > now)
            .map((entry) => ({ secret: entry.secret, validUntil: new Date(entry.validUntil).toISOString() }));
    const secret = generateWebhookSecret();
    await this.store(supplierId, [secret, ...retiring]);
    return { secret, retiring: retiring.map(({ validUntil }) => ({ validUntil })) };
  }

  /** Deletes the key's secrets (a webhook endpoint that is deleted). */
  async delete(key: string): Promise<void> {
    await this.options.store.deleteSecret(this.requiredSecretId(key));
    this.cache.delete(key);
  }

  private requiredSecretId(key: string): string {
    const id = this.secretId(key);
    if (id === undefined) throw new Error(`no webhook secret can be named for ${key.slice(0, 64)}`);
    return id;
  }

  private async read(supplierId: string): Promise<WebhookSecretEntry[]> {
    const text = await this.options.store.getSecretString(this.requiredSecretId(supplierId));
    if (text === undefined) return [];
    try {
      return webhookSecretValueSchema
        .parse(JSON.parse(text))
        .secrets.map((stored) =>
          typeof stored === 'string'
            ? { secret: stored }
            : { secret: stored.secret, validUntil: Date.parse(stored.validUntil) },
        );
    } catch {
      return [];
    }
  }

  private async store(supplierId: string, secrets: StoredWebhookSecret[]): Promise<void> {
    const value = JSON.stringify(webhookSecretValueSchema.parse({ secrets }));
    const id = this.requiredSecretId(supplierId);
    if ((await this.options.store.getSecretString(id)) === undefined)
      await this.options.store.createSecret(id, value);
    else await this.options.store.putSecretString(id, value);
    this.cache.delete(supplierId);
  }

  private now(): number {
    return (this.options.clock ?? Date).now();
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
