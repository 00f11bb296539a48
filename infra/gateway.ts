/**
 * One stage of the gateway: its stateful stack (tables, secrets) and its stateless stack (functions, API,
 * alarms), named from the stage. infra/app.ts and the tests build stages through this one function.
 *
 * The stacks have no environment of their own: every region and account in their templates is the deployment's
 * (`AWS::Region`, `AWS::AccountId`), so one synthesized template deploys to any region of any account.
 */
import type { App } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { stageNames } from '../shared/stage';
import { GatewayApiStack } from './api-stack';
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
}

export interface GatewayStage {
  stateful: GatewayStateStack;
  stateless: GatewayApiStack;
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
  const stateless = new GatewayApiStack(app, names.statelessStack, {
    state: stateful.state,
    throttle: options.throttle,
    entryFor: options.entryFor,
    logRetention: options.logRetention,
    alarmEmail: options.alarmEmail,
    supplierRatePerSecond: options.supplierRatePerSecond,
    description: `concur-gateway ${names.stage}: functions, HTTP API, alarms`,
    tags,
  });
  return { stateful, stateless };
}
