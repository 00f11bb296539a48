/**
 * `npx cdk deploy -c stage=NAME --all`: one stage of the gateway (default `dev`), checked by cdk-nag's AWS
 * Solutions rules at synth. `-c throttleRate=N -c throttleBurst=N` change the stage's API throttling;
 * `-c eventSources='{"com.acme.reservations":"acme"}'` names the partner bus sources and their suppliers.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STAGE, InvalidStageError, STAGE_NAME_PATTERN } from '../shared/stage';
import { DEFAULT_THROTTLES } from './api-stack';
import { defineGatewayStage } from './gateway';

/** A context value the app cannot use: one line naming it and exit 1, never a stack trace. */
function refuse(message: string): never {
  console.error(`cdk app: ${message}`);
  process.exit(1);
}

const app = new App();
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined ? undefined : String(value);
};
const positive = (key: string, fallback: number): number => {
  const text = context(key);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) refuse(`-c ${key}=${text}: a positive number is needed`);
  return value;
};

function eventSources(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    refuse(`-c eventSources=${text}: not JSON; a JSON object of source → supplier id is needed`);
  }
  const valid =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((supplierId) => typeof supplierId === 'string');
  if (!valid) refuse(`-c eventSources=${text}: a JSON object of source → supplier id is needed`);
  return value as Record<string, string>;
}

function stage(): string {
  const name = context('stage') ?? DEFAULT_STAGE;
  if (!STAGE_NAME_PATTERN.test(name)) refuse(`-c stage=${name}: ${new InvalidStageError(name).message}`);
  return name;
}

defineGatewayStage(app, {
  stage: stage(),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  throttle: {
    stage: {
      rateLimit: positive('throttleRate', DEFAULT_THROTTLES.stage.rateLimit),
      burstLimit: positive('throttleBurst', DEFAULT_THROTTLES.stage.burstLimit),
    },
    concurWrites: DEFAULT_THROTTLES.concurWrites,
  },
  eventSources: eventSources(context('eventSources')),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
