/** `npx cdk deploy`: the gateway's CDK app, checked by cdk-nag's AWS Solutions rules at synth. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConcurItineraryGatewayStack } from './gateway-stack';

const app = new App();
new ConcurItineraryGatewayStack(app, 'ConcurItineraryGateway', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
