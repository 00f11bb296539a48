/**
 * `npx cdk deploy -c stage=NAME --all`: one stage of the gateway (default `dev`), checked by cdk-nag's AWS
 * Solutions rules at synth. The other `-c` keys (throttling, partner bus, custom domain, logs, alarm e-mail)
 * are read in infra/context.ts and listed in docs/operations.md.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ContextError, stageOptionsFromContext } from './context';
import type { GatewayStageOptions } from './gateway';
import { defineGatewayStage } from './gateway';

/** A context value the app cannot use: one line naming it and exit 1, never a stack trace. */
function optionsOrExit(app: App): GatewayStageOptions {
  try {
    return stageOptionsFromContext(app);
  } catch (error) {
    if (!(error instanceof ContextError)) throw error;
    console.error(`cdk app: ${error.message}`);
    process.exit(1);
  }
}

const app = new App();
defineGatewayStage(app, optionsOrExit(app));
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
