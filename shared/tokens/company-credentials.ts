/**
 * The secrets behind Concur access: one per company (its tokens and geolocation) and one for the gateway's
 * OAuth client. Reads are validated; errors name the secret and the bad fields, never the values.
 */
import * as z from '../zod';
import type { SecretStore } from '../adapters/secrets';

export const DEFAULT_SECRET_PREFIX = 'concur-gateway';

export const AUTH_SCHEMES = ['Bearer', 'OAuth'] as const;
export type AuthScheme = (typeof AUTH_SCHEMES)[number];

const companyTokensSchema = z.object({
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
});
export type CompanyTokens = z.infer<typeof companyTokensSchema>;

const appCredentialsSchema = z.object({
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.string().check(z.minLength(1)),
});
export type AppCredentials = z.infer<typeof appCredentialsSchema>;

/** Characters Secrets Manager allows in a name, so a company id cannot reach another secret's name. */
const COMPANY_ID_PATTERN = /^[A-Za-z0-9_+=.@-]{1,128}$/;

export class CompanyNotConfiguredError extends Error {
  constructor(readonly companyId: string) {
    super(`company ${companyId} has no Concur credentials configured`);
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
  constructor(readonly secretId: string) {
    super(`the gateway's Concur OAuth client secret ${secretId} does not exist`);
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

  companySecretId(companyId: string): string {
    return `${this.prefix}/companies/${companyId}`;
  }

  appSecretId(): string {
    return `${this.prefix}/app`;
  }

  async readCompany(companyId: string): Promise<CompanyTokens> {
    if (!COMPANY_ID_PATTERN.test(companyId)) throw new CompanyNotConfiguredError(companyId);
    const id = this.companySecretId(companyId);
    const text = await this.store.getSecretString(id);
    if (text === undefined) throw new CompanyNotConfiguredError(companyId);
    return parseSecret(id, text, companyTokensSchema);
  }

  /** Replaces the company's tokens, creating the secret when the company is new. */
  async writeCompany(companyId: string, tokens: CompanyTokens): Promise<void> {
    if (!COMPANY_ID_PATTERN.test(companyId)) throw new CompanyNotConfiguredError(companyId);
    const id = this.companySecretId(companyId);
    const checked = companyTokensSchema.safeParse(tokens);
    if (!checked.success) throw new MalformedSecretError(id, issuePaths(checked.error));
    const text = JSON.stringify(checked.data);
    try {
      await this.store.putSecretString(id, text);
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ResourceNotFoundException')) throw error;
      await this.store.createSecret(id, text);
    }
  }

  async readApp(): Promise<AppCredentials> {
    const id = this.appSecretId();
    const text = await this.store.getSecretString(id);
    if (text === undefined) throw new AppNotConfiguredError(id);
    return parseSecret(id, text, appCredentialsSchema);
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
