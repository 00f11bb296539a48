/**
 * One stage of the gateway: its stateful stack (tables, secrets) and its stateless stack (functions, API,
 * alarms), named from the stage. infra/app.ts and the tests build stages through this one function.
 */
import type { App, Environment } from 'aws-cdk-lib';
import { stageNames } from '../shared/stage';
import { GatewayApiStack } from './api-stack';
import type { ApiThrottles, GatewayApiStackProps } from './api-stack';
import { GatewayStateStack } from './state-stack';

export interface GatewayStageOptions {
  stage: string;
  env?: Environment;
  throttle?: ApiThrottles;
  entryFor?: GatewayApiStackProps['entryFor'];
  /** EventBridge `source` → supplier id (see docs/events.md). */
  eventSources?: Record<string, string>;
}

export interface GatewayStage {
  stateful: GatewayStateStack;
  stateless: GatewayApiStack;
}

export function defineGatewayStage(app: App, options: GatewayStageOptions): GatewayStage {
  const names = stageNames(options.stage);
  const tags = { 'concur-gateway:stage': names.stage };
  const stateful = new GatewayStateStack(app, names.statefulStack, {
    env: options.env,
    names,
    eventSources: options.eventSources,
    description: `concur-gateway ${names.stage}: tables, secrets and the events queues (retained when deleted)`,
    tags,
  });
  const stateless = new GatewayApiStack(app, names.statelessStack, {
    env: options.env,
    state: stateful.state,
    throttle: options.throttle,
    entryFor: options.entryFor,
    description: `concur-gateway ${names.stage}: functions, HTTP API, alarms`,
    tags,
  });
  return { stateful, stateless };
}
