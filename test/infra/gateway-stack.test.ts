import { spawnSync } from 'node:child_process';
/**
 * The CDK stack, synthesized once in-process with cdk-nag's AWS Solutions rules registered the way infra/app.ts
 * registers them. Every function is bundled from a tiny fixture handler (one esbuild run for all of them), so
 * these tests do not depend on the real handlers.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/http/routes';
import { ConcurItineraryGatewayStack, defaultEntry, functionNames } from '../../infra/gateway-stack';

const fixtureHandler = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: { ruleName: string; severity: string }[];
  }[];
}

function readValidationReport(outdir: string): ValidationReport {
  return JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
}

/** An app with cdk-nag's AWS Solutions rules, as in infra/app.ts, writing to a fresh directory. */
function checkedApp(): { app: App; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'cgw-cdk-'));
  const app = new App({ outdir });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, outdir };
}

let template: Template;
let outdir: string;

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const checked = checkedApp();
  outdir = checked.outdir;
  const stack = new ConcurItineraryGatewayStack(checked.app, 'Gateway', { entryFor: () => fixtureHandler });
  // Throws, with cdk-nag's report, when a rule finds something not acknowledged with a reason.
  checked.app.synth();
  template = Template.fromStack(stack);
}, 120_000);

describe('cdk-nag (AWS Solutions rules)', () => {
  it('finds nothing unacknowledged in the stack', () => {
    const report = readValidationReport(outdir);
    const findings = report.pluginReports.flatMap((plugin) =>
      plugin.violations.map(
        (violation) => `${plugin.pluginName} ${violation.severity} ${violation.ruleName}`,
      ),
    );
    expect(findings).toEqual([]);
  });

  it('does stop the synthesis of a stack with an unacknowledged finding', () => {
    const { app, outdir: otherOutdir } = checkedApp();
    new Topic(new Stack(app, 'Careless'), 'PlainTopic');
    expect(() => app.synth()).toThrow(/AwsSolutions-SNS3/);
    const report = readValidationReport(otherOutdir);
    expect(report.pluginReports.map((plugin) => plugin.conclusion)).toEqual(['failure']);
  });
});

describe('functions and routes', () => {
  it('creates one function per function name of the route table, ARM64 on Node.js 24 with X-Ray', () => {
    const names = functionNames();
    expect(names).toEqual([...new Set(routes.map((route) => route.function))]);
    template.resourceCountIs('AWS::Lambda::Function', names.length);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 29,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: Match.anyValue() },
      Environment: {
        Variables: {
          STATE_TABLE_NAME: Match.anyValue(),
          IDEMPOTENCY_TABLE_NAME: Match.anyValue(),
          SECRET_PREFIX: 'concur-gateway',
          POWERTOOLS_SERVICE_NAME: 'concur-gateway',
          NODE_OPTIONS: '--enable-source-maps',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      },
    });
    template.resourceCountIs('AWS::Logs::LogGroup', names.length + 1);
    template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: Match.anyValue() });
  });

  it('points the real app at functions/http/<name>.ts for every function name', () => {
    for (const name of functionNames()) {
      const entry = defaultEntry(name);
      expect(entry.endsWith(join('functions', 'http', `${name}.ts`))).toBe(true);
      expect(existsSync(entry), entry).toBe(true);
    }
  });

  it('declares one route per route-table entry, integrated with the function the table names', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    const functions = template.findResources('AWS::Lambda::Function');
    const functionIdOf = (name: string) => {
      const ids = Object.keys(functions).filter((id) => id.startsWith(`${name}Function`));
      expect(ids).toHaveLength(1);
      return ids[0]!;
    };
    for (const route of routes) {
      const found = template.findResources('AWS::ApiGatewayV2::Route', {
        Properties: { RouteKey: `${route.method} ${route.path}` },
      });
      const [routeResource] = Object.values(found);
      expect(Object.keys(found), `${route.method} ${route.path}`).toHaveLength(1);
      const target = JSON.stringify(routeResource!.Properties.Target);
      const integrationId = Object.keys(integrations).find((id) => target.includes(id));
      expect(integrationId, `${route.method} ${route.path}`).toBeDefined();
      expect(JSON.stringify(integrations[integrationId!]!.Properties.IntegrationUri)).toContain(
        functionIdOf(route.function),
      );
    }
  });

  it('logs every request as JSON on a throttled $default stage', () => {
    const stage = template.findResources('AWS::ApiGatewayV2::Stage');
    const [properties] = Object.values(stage).map((resource) => resource.Properties);
    expect(properties.StageName).toBe('$default');
    expect(properties.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 });
    expect(Object.keys(JSON.parse(properties.AccessLogSettings.Format))).toEqual([
      'requestId',
      'routeKey',
      'status',
      'latency',
      'ip',
    ]);
  });
});

describe('state', () => {
  it('keeps state in two on-demand tables with the keys and TTL attributes the adapters use', () => {
    template.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    template.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [
          Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
        ],
      },
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });
});

describe('permissions', () => {
  const statements = () =>
    Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) =>
        policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
    );

  it('lets the functions use the company token secrets under concur-gateway/companies/ and read the app secret', () => {
    const companySecrets = statements().filter((s) =>
      JSON.stringify(s.Resource).includes('secret:concur-gateway/'),
    );
    expect(companySecrets).toHaveLength(functionNames().length);
    for (const statement of companySecrets) {
      expect(JSON.stringify(statement.Resource)).toContain(':secret:concur-gateway/companies/*');
      expect([statement.Action].flat().sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ]);
    }
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'concur-gateway/app' });
  });

  it('grants no wildcard actions, no managed policies, and nothing on * but X-Ray', () => {
    for (const statement of statements()) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*$/);
      if (statement.Resource === '*') {
        expect([statement.Action].flat().sort()).toEqual([
          'xray:PutTelemetryRecords',
          'xray:PutTraceSegments',
        ]);
      }
      if (JSON.stringify(statement.Action).includes('dynamodb:')) {
        expect(JSON.stringify(statement.Resource)).toMatch(/StateTable|IdempotencyTable/);
      }
    }
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  it('alarms on each function’s errors and throttles and on API 5xx, to an encrypted TLS-only topic', () => {
    const names = functionNames();
    template.resourceCountIs('AWS::CloudWatch::Alarm', names.length * 2 + 1);
    for (const metricName of ['Errors', 'Throttles']) {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/Lambda', MetricName: metricName },
      });
      expect(Object.keys(alarms)).toHaveLength(names.length);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
    });
    template.allResourcesProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.anyValue() }] });

    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
  });

  it('outputs the API URL, the table names and the app secret ARN', () => {
    const outputs = Object.keys(template.findOutputs('*'));
    expect(outputs).toEqual(
      expect.arrayContaining(['ApiUrl', 'StateTableName', 'IdempotencyTableName', 'AppSecretArn']),
    );
  });
});

describe('npx cdk synth', () => {
  it(
    'synthesizes the real app offline, bundling the real handlers, with nothing unacknowledged',
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
