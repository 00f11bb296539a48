/**
 * The stage a `cdk synth` or `cdk deploy` describes, read from its `-c key=value` context (README and
 * docs/operations.md list the keys). Nothing here reads the environment: the stacks are the same in every
 * region and account.
 */
import type { App } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DEFAULT_STAGE, InvalidStageError, STAGE_NAME_PATTERN } from '../shared/stage';
import { MAX_SUPPLIER_RATE_PER_SECOND } from '../shared/suppliers/supplier-directory';
import { pollIntervalFromEnv } from '../shared/change-polling/interval';
import { DEFAULT_THROTTLES } from './api-stack';
import { MAX_WAF_RATE_LIMIT_PER_MINUTE, MIN_WAF_RATE_LIMIT_PER_MINUTE } from './edge-stack';
import type { GatewayStageOptions } from './gateway';

/** A `-c` value the app cannot use; its message names the key and the value. */
export class ContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContextError';
  }
}

const RETENTION_DAYS = new Set(
  Object.values(RetentionDays).filter((days): days is number => typeof days === 'number'),
);

export function stageOptionsFromContext(app: App): GatewayStageOptions {
  const context = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined ? undefined : String(value);
  };
  const positive = (key: string, fallback: number): number => {
    const text = context(key);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isFinite(value) || value <= 0)
      throw new ContextError(`-c ${key}=${text}: a positive number is needed`);
    return value;
  };
  const wholeUpTo = (key: string, max: number): number | undefined => {
    const text = context(key);
    if (text === undefined) return undefined;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max)
      throw new ContextError(`-c ${key}=${text}: a whole number from 1 to ${max} is needed`);
    return value;
  };
  const flag = (key: string): boolean => {
    const text = context(key);
    if (text === undefined || text === 'false') return false;
    if (text === 'true') return true;
    throw new ContextError(`-c ${key}=${text}: true or false is needed`);
  };
  const stage = context('stage') ?? DEFAULT_STAGE;
  if (!STAGE_NAME_PATTERN.test(stage))
    throw new ContextError(`-c stage=${stage}: ${new InvalidStageError(stage).message}`);
  const domainName = context('domainName');
  const hostedZoneId = context('hostedZoneId');
  const hostedZoneName = context('hostedZoneName');
  if ((hostedZoneId === undefined) !== (hostedZoneName === undefined))
    throw new ContextError('-c hostedZoneId and -c hostedZoneName go together');
  if (domainName === undefined && (context('certificateArn') ?? hostedZoneId) !== undefined)
    throw new ContextError('-c certificateArn and -c hostedZoneId need -c domainName');
  if (domainName !== undefined && (context('certificateArn') ?? hostedZoneId) === undefined)
    throw new ContextError(
      `-c domainName=${domainName} needs -c certificateArn=… or -c hostedZoneId=… -c hostedZoneName=…`,
    );
  const sources = eventSources(context('eventSources'));
  const accounts = partnerAccounts(context('partnerAccounts'));
  if (accounts && Object.keys(sources ?? {}).length === 0)
    throw new ContextError('-c partnerAccounts needs -c eventSources: the sources those accounts may put');
  const waf = flag('waf');
  const wafRateLimit = wholeUpTo('wafRateLimit', MAX_WAF_RATE_LIMIT_PER_MINUTE);
  if (!waf && wafRateLimit !== undefined) throw new ContextError('-c wafRateLimit needs -c waf=true');
  if (waf && wafRateLimit !== undefined && wafRateLimit < MIN_WAF_RATE_LIMIT_PER_MINUTE)
    throw new ContextError(
      `-c wafRateLimit=${wafRateLimit}: AWS WAF counts at least ${MIN_WAF_RATE_LIMIT_PER_MINUTE} requests a window`,
    );
  if (waf && domainName !== undefined)
    throw new ContextError(
      '-c waf=true with -c domainName is not supported: the custom domain points at the HTTP API itself, around the CloudFront distribution that carries the web ACL',
    );
  const alarmEmail = context('alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(alarmEmail))
    throw new ContextError(`-c alarmEmail=${alarmEmail}: an e-mail address is needed`);

  return {
    stage,
    throttle: {
      stage: {
        rateLimit: positive('throttleRate', DEFAULT_THROTTLES.stage.rateLimit),
        burstLimit: positive('throttleBurst', DEFAULT_THROTTLES.stage.burstLimit),
      },
      concurWrites: DEFAULT_THROTTLES.concurWrites,
    },
    eventSources: sources,
    partnerAccounts: accounts,
    domain:
      domainName === undefined
        ? undefined
        : {
            domainName,
            certificateArn: context('certificateArn'),
            hostedZone: hostedZoneId === undefined ? undefined : { id: hostedZoneId, name: hostedZoneName! },
          },
    logRetention: logRetention(context('logRetentionDays')),
    supplierRatePerSecond: wholeUpTo('supplierRate', MAX_SUPPLIER_RATE_PER_SECOND),
    changePollIntervalMs: changePollInterval(context('changePollInterval')),
    alarmEmail,
    ...(waf ? { waf: { rateLimitPerMinute: wafRateLimit } } : {}),
    sandbox: context('sandbox') === undefined || flag('sandbox'),
  };
}

function eventSources(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ContextError(
      `-c eventSources=${text}: not JSON; a JSON object of source → supplier id is needed`,
    );
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((supplierId) => typeof supplierId === 'string');
  if (!valid)
    throw new ContextError(`-c eventSources=${text}: a JSON object of source → supplier id is needed`);
  return value as Record<string, string>;
}

function partnerAccounts(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const accounts = text.split(',').map((account) => account.trim());
  for (const account of accounts) {
    if (!/^\d{12}$/.test(account))
      throw new ContextError(
        `-c partnerAccounts=${text}: 12-digit AWS account ids, separated by commas, are needed`,
      );
  }
  return accounts;
}

function logRetention(text: string | undefined): RetentionDays | undefined {
  if (text === undefined) return undefined;
  const days = Number(text);
  if (!RETENTION_DAYS.has(days) || days === RetentionDays.INFINITE)
    throw new ContextError(
      `-c logRetentionDays=${text}: one of CloudWatch Logs' retention periods is needed (${[...RETENTION_DAYS].filter((d) => d !== RetentionDays.INFINITE).join(', ')})`,
    );
  return days as RetentionDays;
}

/** `-c changePollInterval=15m`: whole minutes, never less than Concur's polling rule allows (ten). */
function changePollInterval(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  let ms: number;
  try {
    ms = pollIntervalFromEnv(text);
  } catch (error) {
    throw new ContextError(
      `-c changePollInterval=${text}: ${(error as Error).message.replace(/^CHANGE_POLL_INTERVAL: /, '')}`,
    );
  }
  if (ms % 60_000 !== 0) throw new ContextError(`-c changePollInterval=${text}: whole minutes are needed`);
  return ms;
}
