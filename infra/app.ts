/**
 * `npx cdk deploy -c stage=NAME --all`: one stage of the gateway (default `dev`), checked by cdk-nag's AWS
 * Solutions rules at synth. `-c throttleRate=N -c throttleBurst=N` change the stage's API throttling.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STAGE } from '../shared/stage';
import { DEFAULT_THROTTLES } from './api-stack';
import { defineGatewayStage } from './gateway';

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined ? undefined : String(value);
};
const positive = (key: string, fallback: number): number => {
  const text = context(key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`-c ${key}=${text}: a positive number is needed`);
  return value;
};

defineGatewayStage(app, {
  stage: context('stage') ?? DEFAULT_STAGE,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  throttle: {
    stage: {
      rateLimit: positive('throttleRate', DEFAULT_THROTTLES.stage.rateLimit),
      burstLimit: positive('throttleBurst', DEFAULT_THROTTLES.stage.burstLimit),
    },
    concurWrites: DEFAULT_THROTTLES.concurWrites,
  },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
