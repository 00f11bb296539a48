/**
 * One stage of the gateway: its stateful stack (tables, secrets) and its stateless stack (functions, API,
 * alarms), named from the stage, and with AWS WAF its edge stack (the web ACL). infra/app.ts and the tests build
 * stages through this one function.
 *
 * The stacks have no environment of their own: every region and account in their templates is the deployment's
 * (`AWS::Region`, `AWS::AccountId`), so one synthesized template deploys to any region of any account. The edge
 * stack alone names a region, us-east-1, the only one where AWS WAF keeps web ACLs for CloudFront.
 */
import type { App } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { stageNames } from '../shared/stage';
import { DEFAULT_LOG_RETENTION, GatewayApiStack } from './api-stack';
import { GatewayEdgeStack } from './edge-stack';
import type { ApiThrottles, GatewayApiStackProps } from './api-stack';
import { GatewayStateStack } from './state-stack';
import type { ApiDomainOptions } from './state-stack';

export interface GatewayStageOptions {
  stage: string;
  throttle?: ApiThrottles;
  entryFor?: GatewayApiStackProps['entryFor'];
  /** EventBridge `source` → supplier id (see docs/events.md). */
  eventSources?: Record<string, string>;
  /** AWS accounts that may put events of those sources on the partner bus. */
  partnerAccounts?: string[];
  /** The address suppliers use, kept across deployments of the API. */
  domain?: ApiDomainOptions;
  logRetention?: RetentionDays;
  alarmEmail?: string;
  /** Requests a second of a supplier without a rate of its own. */
  supplierRatePerSecond?: number;
  /** AWS WAF in front of the API (`-c waf=true`): a web ACL in us-east-1 and a CloudFront distribution. */
  waf?: { rateLimitPerMinute?: number };
  /** The hosted sandbox for test keys (default true). */
  sandbox?: boolean;
  /** How often the change poller runs (whole minutes, at least ten). */
  changePollIntervalMs?: number;
}

export interface GatewayStage {
  stateful: GatewayStateStack;
  stateless: GatewayApiStack;
  /** The web ACL's stack in us-east-1, when the stage has AWS WAF. */
  edge?: GatewayEdgeStack;
}

export function defineGatewayStage(app: App, options: GatewayStageOptions): GatewayStage {
  const names = stageNames(options.stage);
  const tags = { 'concur-gateway:stage': names.stage };
  const stateful = new GatewayStateStack(app, names.statefulStack, {
    names,
    eventSources: options.eventSources,
    partnerAccounts: options.partnerAccounts,
    domain: options.domain,
    description: `concur-gateway ${names.stage}: tables, secrets, the events queues and bus, the API's domain (retained when deleted)`,
    tags,
  });
  const edge = options.waf
    ? new GatewayEdgeStack(app, names.edgeStack, {
        names,
        rateLimitPerMinute: options.waf.rateLimitPerMinute,
        logRetention: options.logRetention ?? DEFAULT_LOG_RETENTION,
        description: `concur-gateway ${names.stage}: the AWS WAF web ACL of the API's CloudFront distribution (us-east-1)`,
        tags,
      })
    : undefined;
  const stateless = new GatewayApiStack(app, names.statelessStack, {
    state: stateful.state,
    throttle: options.throttle,
    entryFor: options.entryFor,
    logRetention: options.logRetention,
    alarmEmail: options.alarmEmail,
    supplierRatePerSecond: options.supplierRatePerSecond,
    edge: edge !== undefined,
    sandbox: options.sandbox,
    description: `concur-gateway ${names.stage}: functions, HTTP API, alarms${edge ? ', the CloudFront distribution in front of the API' : ''}`,
    changePollIntervalMs: options.changePollIntervalMs,
    tags,
  });
  // The web ACL exists before the distribution that reads its ARN (`cdk deploy --all` follows this order).
  if (edge) stateless.addStackDependency(edge, 'the distribution reads the web ACL’s ARN');
  return { stateful, stateless, ...(edge ? { edge } : {}) };
}
