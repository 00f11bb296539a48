import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../functions/http/routes';
import { ConcurItineraryGatewayStack } from '../../infra/gateway-stack';

let template: Template;

beforeAll(() => {
  // The real handlers, bundled by the local esbuild as `cdk deploy` would, and cdk-nag's AWS Solutions rules:
  // synth throws when a rule finds something not acknowledged with a reason.
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cgw-cdk-')) });
  const stack = new ConcurItineraryGatewayStack(app, 'Gateway');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  template = Template.fromStack(stack);
}, 180_000);

describe('the CDK stack', () => {
  it('passes cdk-nag and gives every route of the route table to its function', () => {
    const functions = new Set(routes.map((r) => r.function));
    template.resourceCountIs('AWS::Lambda::Function', functions.size);
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    for (const route of routes) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `${route.method} ${route.path}`,
      });
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 29,
      TracingConfig: { Mode: 'Active' },
      Environment: { Variables: Match.objectLike({ SECRET_PREFIX: 'concur-gateway' }) },
    });
  });

  it('keeps state in two tables with the keys and TTL attributes the adapters use', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
  });

  it('lets the functions use only the company token secrets and the app secret', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('secret:concur-gateway/companies/*');
    expect(policies).toContain('secretsmanager:PutSecretValue');
    expect(policies).not.toMatch(/"Action":"secretsmanager:\*"/);
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('raises alarms on function errors and throttles and on API 5xx, to an encrypted topic', () => {
    const functions = new Set(routes.map((r) => r.function)).size;
    template.resourceCountIs('AWS::CloudWatch::Alarm', functions * 2 + 1);
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });
});

describe('npx cdk synth', () => {
  it(
    'synthesizes the app offline, with the CLI, and cdk-nag finds nothing unacknowledged',
    { timeout: 180_000 },
    () => {
      const output = mkdtempSync(join(tmpdir(), 'cgw-cdk-cli-'));
      const result = spawnSync('npx', ['cdk', 'synth', '--no-notices', '-q', '--output', output], {
        encoding: 'utf8',
        env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
      });
      expect(result.stderr).not.toContain('ERROR');
      expect(result.status).toBe(0);
    },
  );
});
