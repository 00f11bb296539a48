/**
 * The secrets behind Concur access: one per Concur app (its OAuth client and the booking sources Concur approved
 * for it) and one per connection, an app's tokens for one company (its tokens, geolocation and scopes). The
 * default app keeps the secret names the gateway had before it knew of several apps (`{prefix}/app`,
 * `{prefix}/companies/{companyId}`), so a deployment from before works unchanged. Reads are validated; errors name
 * the secret and the bad fields, never the values.
 */
import * as z from '../zod';
import { MIN_APP_RATE_PER_MINUTE } from '../app-limits';
import type { SecretStore } from '../adapters/secrets';
import { DEFAULT_APP_ID } from '../gateway/ports';
import type { ConnectionRef } from '../gateway/ports';

export const DEFAULT_SECRET_PREFIX = 'concur-gateway';
export { DEFAULT_APP_ID, type ConnectionRef };

export const AUTH_SCHEMES = ['Bearer', 'OAuth'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

/** A company's secret: its tokens and what the gateway remembers of them (docs/data-model.md lists each field). */
export const companyTokensSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: z.string().check(z.minLength(1)),
  /** When the access token expires, an ISO instant with an offset or Z. */
  expiresAt: z.iso.datetime({ offset: true }),
  /**
   * When the refresh token stops working (Concur's `refresh_expires_in`), an ISO instant. Refreshing does not
   * move it: before it passes, the company must be connected again. Absent for tokens stored before it was kept.
   */
  refreshExpiresAt: z.optional(z.iso.datetime({ offset: true })),
  /** The company's Concur geolocation, e.g. `https://us2.api.concursolutions.com`. */
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** How to send the token; Concur's current docs say Bearer, the seeds show OAuth. Bearer when absent. */
  authScheme: z.optional(z.enum(AUTH_SCHEMES)),
  /**
   * The refresh token used before a refresh rotated it, kept until the new one has been used successfully:
   * should Concur refuse the new one, the previous one is tried before the company is given up.
   */
  previousRefreshToken: z.optional(z.string().check(z.minLength(1))),
  /** Set when Concur refused every refresh token held: the company must be connected again. */
  refreshRefusedAt: z.optional(z.iso.datetime({ offset: true })),
  /** The `scope` of Concur's last token answer (space-separated), e.g. `openid ITINER`; absent before it was kept. */
  scope: z.optional(z.string()),
  /** When Concur last issued tokens for the connection (a connect or a refresh). */
  refreshedAt: z.optional(z.iso.datetime({ offset: true })),
});
export type CompanyTokens = z.infer<typeof companyTokensSchema>;

/** Concur's BookingSource limit. */
const bookingSourceSchema = z.string().check(z.minLength(1), z.maxLength(32));

export const appCredentialsSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
  /**
   * The booking sources Concur approved for the app at its review: a post for another one is refused before any
   * call. Absent: the app may post any source (a TMC's app, or one stored before apps were known); Concur decides.
   */
  bookingSources: z.optional(z.array(bookingSourceSchema)),
  /**
   * The app's own outbound limits (requests a minute, an hour), for all its connections together; absent: the
   * deployment's defaults (shared/app-limits). Concur counts per app.
   */
  ratePerMinute: z.optional(z.number().check(z.int(), z.gte(MIN_APP_RATE_PER_MINUTE))),
  ratePerHour: z.optional(z.number().check(z.int(), z.gte(1))),
});
export type AppCredentials = z.infer<typeof appCredentialsSchema>;

/** Characters Secrets Manager allows in a name, so an id cannot reach another secret's name (no `/`). */
const SECRET_NAME_PART = /^[A-Za-z0-9_+=.@-]{1,128}$/;
/** App ids also name secrets. */
export const APP_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export class CompanyNotConfiguredError extends Error {
  constructor(
    readonly companyId: string,
    readonly appId: string = DEFAULT_APP_ID,
  ) {
    super(
      appId === DEFAULT_APP_ID
        ? `company ${companyId} has no Concur credentials configured`
        : `company ${companyId} has no Concur credentials configured for app ${appId}`,
    );
    this.name = 'CompanyNotConfiguredError';
  }
}

/** Concur refused the company's refresh tokens: only connecting the company again (new tokens) helps. */
export class CompanyAuthRefusedError extends Error {
  constructor(readonly companyId: string) {
    super(
      `Concur refused the refresh token of company ${companyId}; an operator must connect the company to Concur again (store new tokens for it)`,
    );
    this.name = 'CompanyAuthRefusedError';
  }
}

export class AppNotConfiguredError extends Error {
  constructor(
    readonly secretId: string,
    readonly appId: string = DEFAULT_APP_ID,
  ) {
    super(`the Concur app ${appId} is not configured: its secret ${secretId} does not exist`);
    this.name = 'AppNotConfiguredError';
  }
}

export class MalformedSecretError extends Error {
  constructor(
    readonly secretId: string,
    /** Paths of the offending fields; never their values. */
    readonly fields: readonly string[],
  ) {
    super(
      fields.length > 0
        ? `secret ${secretId} is malformed: invalid ${fields.join(', ')}`
        : `secret ${secretId} is malformed: not JSON`,
    );
    this.name = 'MalformedSecretError';
  }
}

export interface CompanyCredentialsOptions {
  store: SecretStore;
  /** Prefix of every secret id; `concur-gateway` unless set (e.g. one per deployment stage). */
  prefix?: string;
}

export class CompanyCredentials {
  private readonly store: SecretStore;
  private readonly prefix: string;

  constructor(options: CompanyCredentialsOptions) {
    this.store = options.store;
    this.prefix = options.prefix ?? DEFAULT_SECRET_PREFIX;
  }

  /** The secret of an app's connection to a company; the default app's keep their names from before apps. */
  connectionSecretId({ appId, companyId }: ConnectionRef): string {
    const company = `${this.prefix}/companies/${companyId}`;
    return appId === DEFAULT_APP_ID ? company : `${company}/apps/${appId}`;
  }

  /** The secret of every connection: `{prefix}/companies/`, followed by the company id (and `/apps/{appId}`). */
  connectionsPrefix(): string {
    return `${this.prefix}/companies/`;
  }

  /** The connection a secret name (under connectionsPrefix) holds; undefined for another name. */
  connectionOfSecret(name: string): ConnectionRef | undefined {
    if (!name.startsWith(this.connectionsPrefix())) return undefined;
    const [companyId = '', apps, appId, ...rest] = name.slice(this.connectionsPrefix().length).split('/');
    if (!SECRET_NAME_PART.test(companyId) || rest.length > 0) return undefined;
    if (apps === undefined) return { appId: DEFAULT_APP_ID, companyId };
    return apps === 'apps' && appId !== undefined && APP_ID_PATTERN.test(appId)
      ? { appId, companyId }
      : undefined;
  }

  /** Every connection, each with when its secret last changed (when the store says). */
  async listConnections(): Promise<{ ref: ConnectionRef; lastChangedAt?: Date }[]> {
    const found: { ref: ConnectionRef; lastChangedAt?: Date }[] = [];
    for (const { name, lastChangedAt } of await this.store.listSecrets(this.connectionsPrefix())) {
      const ref = this.connectionOfSecret(name);
      if (ref !== undefined) found.push({ ref, ...(lastChangedAt ? { lastChangedAt } : {}) });
    }
    return found;
  }

  appSecretId(appId: string = DEFAULT_APP_ID): string {
    return appId === DEFAULT_APP_ID ? `${this.prefix}/app` : `${this.prefix}/apps/${appId}`;
  }

  async readConnection(ref: ConnectionRef): Promise<CompanyTokens> {
    if (!this.validRef(ref)) throw new CompanyNotConfiguredError(ref.companyId, ref.appId);
    const id = this.connectionSecretId(ref);
    const text = await this.store.getSecretString(id);
    if (text === undefined) throw new CompanyNotConfiguredError(ref.companyId, ref.appId);
    return parseSecret(id, text, companyTokensSchema);
  }

  /** Replaces the connection's tokens, creating the secret when the connection is new. */
  async writeConnection(ref: ConnectionRef, tokens: CompanyTokens): Promise<void> {
    if (!this.validRef(ref)) throw new CompanyNotConfiguredError(ref.companyId, ref.appId);
    await this.write(this.connectionSecretId(ref), companyTokensSchema, tokens);
  }

  async readApp(appId: string = DEFAULT_APP_ID): Promise<AppCredentials> {
    const id = this.appSecretId(appId);
    const text = APP_ID_PATTERN.test(appId) ? await this.store.getSecretString(id) : undefined;
    if (text === undefined) throw new AppNotConfiguredError(id, appId);
    return parseSecret(id, text, appCredentialsSchema);
  }

  /** Creates or replaces an app's secret. */
  async writeApp(appId: string, app: AppCredentials): Promise<void> {
    if (!APP_ID_PATTERN.test(appId)) throw new AppNotConfiguredError(this.appSecretId(appId), appId);
    await this.write(this.appSecretId(appId), appCredentialsSchema, app);
  }

  /** Every app's id: the default one (when configured) and those under `{prefix}/apps/`. */
  async listAppIds(): Promise<string[]> {
    const ids: string[] = [];
    if ((await this.store.getSecretString(this.appSecretId())) !== undefined) ids.push(DEFAULT_APP_ID);
    const prefix = `${this.prefix}/apps/`;
    for (const { name } of await this.store.listSecrets(prefix)) {
      const appId = name.slice(prefix.length);
      if (APP_ID_PATTERN.test(appId) && appId !== DEFAULT_APP_ID) ids.push(appId);
    }
    return ids.sort((a, b) => a.localeCompare(b));
  }

  private validRef({ appId, companyId }: ConnectionRef): boolean {
    return SECRET_NAME_PART.test(companyId) && APP_ID_PATTERN.test(appId);
  }

  private async write<T>(id: string, schema: z.ZodMiniType<T>, value: T): Promise<void> {
    const checked = schema.safeParse(value);
    if (!checked.success) throw new MalformedSecretError(id, issuePaths(checked.error));
    const text = JSON.stringify(checked.data);
    try {
      await this.store.putSecretString(id, text);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
      await this.store.createSecret(id, text);
    }
  }
}

function parseSecret<T>(id: string, text: string, schema: z.ZodMiniType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error: that would be part of the secret.
    throw new MalformedSecretError(id, []);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new MalformedSecretError(id, issuePaths(parsed.error));
  return parsed.data;
}

function issuePaths(error: z.core.$ZodError): string[] {
  const paths = error.issues.map((issue) => (issue.path.length > 0 ? issue.path.join('.') : '(root)'));
  return [...new Set(paths)];
}
