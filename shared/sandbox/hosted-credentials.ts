/**
 * The company credentials of a stack with a hosted sandbox: the sandbox app and its connection to each sandbox
 * company follow from the sandbox's URL (see hosted.ts) instead of a secret; every other app and connection is
 * read and written as before. What a refresh answers for a sandbox connection is not kept: the sandbox keeps
 * the company's refresh token and static access token valid, so the derived connection always works again.
 */
import { CompanyCredentials } from '../tokens/company-credentials';
import type {
  AppCredentials,
  CompanyCredentialsOptions,
  CompanyTokens,
  ConnectionRef,
} from '../tokens/company-credentials';
import { SANDBOX_APP_ID, isSandboxCompany } from './index';
import { HOSTED_SANDBOX_CLIENT, hostedSandboxConnection } from './hosted';

export class HostedSandboxCredentials extends CompanyCredentials {
  constructor(
    options: CompanyCredentialsOptions,
    private readonly sandboxUrl: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    super(options);
  }

  override async readConnection(ref: ConnectionRef): Promise<CompanyTokens> {
    if (isHostedSandbox(ref)) return hostedSandboxConnection(this.sandboxUrl, ref.companyId, this.now());
    return super.readConnection(ref);
  }

  override async writeConnection(ref: ConnectionRef, tokens: CompanyTokens): Promise<void> {
    if (isHostedSandbox(ref)) return;
    return super.writeConnection(ref, tokens);
  }

  override async readApp(appId?: string): Promise<AppCredentials> {
    return appId === SANDBOX_APP_ID ? HOSTED_SANDBOX_CLIENT : super.readApp(appId);
  }
}

const isHostedSandbox = (ref: ConnectionRef): boolean =>
  ref.appId === SANDBOX_APP_ID && isSandboxCompany(ref.companyId);
