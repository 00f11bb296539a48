/**
 * The guard of a stage with AWS WAF in front (shared/edge): on when the deployment names the origin-verify secret
 * (`ORIGIN_VERIFY_SECRET_ARN`, with the distribution's URL in `API_BASE_URL`), off otherwise (no WAF, `npm start`).
 */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerStore } from '../adapters/secrets';
import { edgeGuard as guardOf } from '../edge';
import type { EdgeGuard } from '../edge';
import { once, requiredEnv } from './container';

export const edgeGuard = (): EdgeGuard | undefined =>
  once('edge-guard', () => {
    const secretId = process.env.ORIGIN_VERIFY_SECRET_ARN;
    if (!secretId) return undefined;
    const store = new SecretsManagerStore(new SecretsManagerClient({}));
    return guardOf({
      readSecret: () => store.getSecretString(secretId),
      origin: requiredEnv('API_BASE_URL'),
    });
  });
