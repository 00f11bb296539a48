/**
 * What a platform engineer checks in the templates before the first production deploy: the address suppliers
 * keep, data that cannot be deleted by accident, the partner bus, alarms, logs, any region, and what the
 * functions and the command line need at run time. Stages are synthesized in-process from a tiny fixture
 * handler, with cdk-nag's rules as in infra/app.ts, and from `-c` context the way `cdk synth` passes it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ALARM_THRESHOLDS,
  API_UNAUTHORIZED_METRIC,
  BUNDLE_TARGET,
  changesData,
  FUNCTION_ACCESS,
  functionNames,
  RUNTIME,
} from '../../infra/api-stack';
import { stageOptionsFromContext } from '../../infra/context';
import { defineGatewayStage } from '../../infra/gateway';
import type { GatewayStage } from '../../infra/gateway';
import { PARTNER_DELIVERY } from '../../infra/state-stack';
import { EVENT_TYPES } from '../../shared/events/envelope';
import { CONCUR_OPERATIONS, GATEWAY_METRICS } from '../../shared/observability/metric-names';

const fixtureHandler = fileURLToPath(new URL('./fixtures/handler.ts', import.meta.url));
const PARTNER_ACCOUNTS = ['111122223333', '444455556666'];

/** A stage from `-c` context, as `npx cdk synth -c key=value …` gives it, checked by cdk-nag. */
function stageFromContext(context: Record<string, string>): { stage: GatewayStage; outdir: string } {
  const outdir = mkdtempSync(join(tmpdir(), 'cgw-cdk-prod-'));
  const app = new App({ outdir, context });
  const stage = defineGatewayStage(app, { ...stageOptionsFromContext(app), entryFor: () => fixtureHandler });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return { stage, outdir };
}

let prod: GatewayStage;
let prodOutdir: string;
let api: Template;
let state: Template;

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  ({ stage: prod, outdir: prodOutdir } = stageFromContext({
    stage: 'prod',
    domainName: 'concur.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    hostedZoneName: 'example.com',
    eventSources: '{"com.acme.reservations":"acme","com.globex.trips":"globex"}',
    partnerAccounts: PARTNER_ACCOUNTS.join(','),
    logRetentionDays: '90',
    alarmEmail: 'oncall@example.com',
    supplierRate: '35',
  }));
  api = Template.fromStack(prod.stateless);
  state = Template.fromStack(prod.stateful);
}, 180_000);

describe('cdk-nag with every option set', () => {
  it('finds nothing unacknowledged', () => {
    const report = JSON.parse(readFileSync(join(prodOutdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations: { ruleName: string }[] }[];
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations.map((v) => v.ruleName))).toEqual([]);
  });
});

describe('a stable address', () => {
  it('keeps the custom domain, its certificate and DNS records in the stateful stack', () => {
    state.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'concur.example.com',
      DomainNameConfigurations: [
        Match.objectLike({ CertificateArn: { Ref: Match.stringLikeRegexp('^ApiCertificate') } }),
      ],
    });
    state.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'concur.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: 'concur.example.com', HostedZoneId: 'Z0123456789ABCDEFGHIJ' }],
    });
    for (const type of ['A', 'AAAA']) {
      state.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'concur.example.com.',
        Type: type,
        HostedZoneId: 'Z0123456789ABCDEFGHIJ',
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiDomain'), 'RegionalDomainName'] },
          HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiDomain'), 'RegionalHostedZoneId'] },
        },
      });
    }
    // Nothing of the address is in the stack that is destroyed and deployed again: only the mapping.
    for (const type of [
      'AWS::ApiGatewayV2::DomainName',
      'AWS::CertificateManager::Certificate',
      'AWS::Route53::RecordSet',
    ]) {
      api.resourceCountIs(type, 0);
    }
  });

  it('maps the API’s $default stage to the domain and outputs the domain as the URL suppliers use', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::ApiMapping', {
      ApiId: { Ref: Match.stringLikeRegexp('^Api') },
      DomainName: { 'Fn::ImportValue': Match.stringLikeRegexp('ApiDomain') },
      Stage: '$default',
    });
    expect(api.findOutputs('SupplierUrl').SupplierUrl!.Value).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::ImportValue': expect.stringContaining('ApiDomain') }]],
    });
  });

  it('takes a certificate by ARN without a hosted zone, and outputs where the CNAME must point', () => {
    const { stage } = stageFromContext({
      stage: 'cert',
      domainName: 'gateway.example.org',
      certificateArn: 'arn:aws:acm:eu-west-1:111122223333:certificate/0c1d2e3f-aaaa-bbbb-cccc-000011112222',
    });
    const stateful = Template.fromStack(stage.stateful);
    stateful.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'gateway.example.org',
      DomainNameConfigurations: [
        Match.objectLike({
          CertificateArn:
            'arn:aws:acm:eu-west-1:111122223333:certificate/0c1d2e3f-aaaa-bbbb-cccc-000011112222',
          SecurityPolicy: 'TLS_1_2',
        }),
      ],
    });
    stateful.resourceCountIs('AWS::Route53::RecordSet', 0);
    stateful.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    expect(stateful.findOutputs('ApiDomainTarget').ApiDomainTarget!.Value).toEqual({
      'Fn::GetAtt': [expect.stringMatching(/^ApiDomain/), 'RegionalDomainName'],
    });
  }, 120_000);

  it('outputs the API’s own URL as the suppliers’ URL when there is no domain, and refuses half a domain', () => {
    const app = new App({ context: { stage: 'plain' } });
    const plain = defineGatewayStage(app, {
      ...stageOptionsFromContext(app),
      entryFor: () => fixtureHandler,
    });
    const template = Template.fromStack(plain.stateless);
    expect(template.findOutputs('SupplierUrl').SupplierUrl!.Value).toEqual(
      template.findOutputs('ApiUrl').ApiUrl!.Value,
    );
    template.resourceCountIs('AWS::ApiGatewayV2::ApiMapping', 0);
    expect(() =>
      defineGatewayStage(new App(), { stage: 'half', domain: { domainName: 'x.example.com' } }),
    ).toThrow(/certificateArn|hostedZoneId/);
    expect(() => stageOptionsFromContext(new App({ context: { certificateArn: 'arn:aws:acm:…' } }))).toThrow(
      /need -c domainName/,
    );
    expect(() =>
      stageOptionsFromContext(new App({ context: { domainName: 'x.example.com', hostedZoneId: 'Z1' } })),
    ).toThrow(/go together/);
  }, 120_000);
});

describe('the partner bus', () => {
  it('lets only the named accounts put events, and only of the configured sources', () => {
    const policies = Object.values(state.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    const statement = policies[0]!.Properties.Statement as Record<string, unknown>;
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 'events:PutEvents',
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^PartnerEventBus/), 'Arn'] },
      Condition: { StringEquals: { 'events:source': ['com.acme.reservations', 'com.globex.trips'] } },
    });
    const principals = JSON.stringify(statement.Principal);
    for (const account of PARTNER_ACCOUNTS) expect(principals).toContain(`:iam::${account}:root`);
    expect(principals).not.toContain('"*"');
    expect(JSON.stringify(policies[0]!.Properties.EventBusName)).toContain('PartnerEventBus');
  });

  it('routes only those sources to the events queue, retrying, with a dead-letter queue', () => {
    state.resourceCountIs('AWS::Events::Rule', 1);
    state.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['com.acme.reservations', 'com.globex.trips'],
        'detail-type': [...EVENT_TYPES],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsQueue'), 'Arn'] },
          RetryPolicy: {
            MaximumRetryAttempts: PARTNER_DELIVERY.retryAttempts,
            MaximumEventAgeInSeconds: PARTNER_DELIVERY.maxEventAge.toSeconds(),
          },
          DeadLetterConfig: {
            Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PartnerEventsDeadLetterQueue'), 'Arn'] },
          },
        }),
      ],
    });
    // EventBridge may send to both queues, each for this rule only.
    for (const queue of ['EventsQueue', 'PartnerEventsDeadLetterQueue']) {
      state.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: Match.stringLikeRegexp(`^${queue}`) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'events.amazonaws.com' },
              Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } },
            }),
          ]),
        },
      });
    }
    state.hasResource('AWS::SQS::Queue', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ QueueName: 'concur-gateway-prod-partner-events-dlq' }),
    });
  });

  it('refuses partner accounts without sources, and account ids that are not ones', () => {
    expect(() =>
      defineGatewayStage(new App(), { stage: 'nosource', partnerAccounts: ['111122223333'] }),
    ).toThrow(/eventSources/);
    expect(() => stageOptionsFromContext(new App({ context: { partnerAccounts: '1234,acme' } }))).toThrow(
      /12-digit/,
    );
  });
});

describe('per-supplier rate', () => {
  it('gives the functions of authenticated routes the stage’s default rate from -c supplierRate', () => {
    const functions = Object.values(api.findResources('AWS::Lambda::Function'));
    for (const [name, access] of Object.entries(FUNCTION_ACCESS)) {
      const fn = functions.find((f) => f.Properties.FunctionName === `concur-gateway-prod-${name}`)!;
      expect(fn.Properties.Environment.Variables.SUPPLIER_RATE_PER_SECOND, name).toBe(
        access.supplierLimits ? '35' : undefined,
      );
    }
    expect(() => stageOptionsFromContext(new App({ context: { supplierRate: '0' } }))).toThrow(
      /whole number from 1 to 10000/,
    );
  });
});

describe('alarms', () => {
  const alarms = () => Object.values(api.findResources('AWS::CloudWatch::Alarm'));
  const alarmNamed = (suffix: string) => {
    const found = alarms().filter((alarm) => alarm.Properties.AlarmName === `concur-gateway-prod-${suffix}`);
    expect(found, suffix).toHaveLength(1);
    return found[0]!.Properties as Record<string, unknown>;
  };

  it('alarms on each function’s p99 duration at half its timeout, for three periods', () => {
    const functions = Object.values(api.findResources('AWS::Lambda::Function'));
    for (const name of Object.keys(FUNCTION_ACCESS)) {
      const fn = functions.find((f) => f.Properties.FunctionName === `concur-gateway-prod-${name}`)!;
      expect(alarmNamed(`${name}LatencyAlarm`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        ExtendedStatistic: 'p99',
        Threshold: (fn.Properties.Timeout as number) * 1000 * ALARM_THRESHOLDS.p99OfTimeout,
        EvaluationPeriods: 3,
      });
    }
  });

  it('alarms on Concur’s 5xx and 429 answers summed over every operation', () => {
    for (const [suffix, status, threshold] of [
      ['Concur5xxAlarm', '5xx', ALARM_THRESHOLDS.concur5xx],
      ['Concur429Alarm', '429', ALARM_THRESHOLDS.concur429],
    ] as const) {
      const alarm = alarmNamed(suffix);
      expect(alarm.Threshold).toBe(threshold);
      const queries = alarm.Metrics as { Expression?: string; MetricStat?: { Metric: unknown } }[];
      const stats = queries.filter((query) => query.MetricStat).map((query) => query.MetricStat!.Metric);
      expect(stats).toHaveLength(CONCUR_OPERATIONS.length);
      for (const operation of CONCUR_OPERATIONS) {
        expect(stats).toContainEqual({
          Namespace: 'ConcurGateway/prod',
          MetricName: GATEWAY_METRICS.concurErrors,
          Dimensions: expect.arrayContaining([
            { Name: 'operation', Value: operation },
            { Name: 'status', Value: status },
            { Name: 'service', Value: 'concur-gateway' },
          ]),
        });
      }
      expect(queries.find((query) => query.Expression)!.Expression).toBe(
        CONCUR_OPERATIONS.map((_, index) => `e${index}`).join(' + '),
      );
    }
  });

  it('counts 401 answers from the access log and alarms on a surge of them', () => {
    api.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^ApiAccessLogs') },
      FilterPattern: '{ $.status = "401" }',
      MetricTransformations: [
        { MetricNamespace: 'ConcurGateway/prod', MetricName: API_UNAUTHORIZED_METRIC, MetricValue: '1' },
      ],
    });
    expect(alarmNamed('ApiUnauthorizedSurgeAlarm')).toMatchObject({
      Namespace: 'ConcurGateway/prod',
      MetricName: API_UNAUTHORIZED_METRIC,
      Statistic: 'Sum',
      Threshold: ALARM_THRESHOLDS.unauthorized,
    });
  });

  it('alarms on the outbound limiter’s rejections, DynamoDB throttles and partner dead letters', () => {
    expect(alarmNamed('LimiterRejectionsAlarm')).toMatchObject({
      Namespace: 'ConcurGateway/prod',
      MetricName: GATEWAY_METRICS.limiterRejections,
      Threshold: ALARM_THRESHOLDS.limiterRejections,
    });
    for (const [suffix, table] of [
      ['StateTableThrottlesAlarm', 'StateTable'],
      ['IdempotencyTableThrottlesAlarm', 'IdempotencyTable'],
    ]) {
      const alarm = alarmNamed(suffix!);
      const metrics = (alarm.Metrics as { MetricStat?: { Metric: { MetricName: string } } }[])
        .filter((query) => query.MetricStat)
        .map((query) => query.MetricStat!.Metric);
      expect(metrics.map((metric) => metric.MetricName).sort()).toEqual([
        'ReadThrottleEvents',
        'WriteThrottleEvents',
      ]);
      expect(JSON.stringify(metrics)).toContain(table);
    }
    expect(JSON.stringify(alarmNamed('PartnerEventsDeadLettersAlarm').Dimensions)).toContain(
      'PartnerEventsDeadLetterQueue',
    );
  });

  it('mails the address given by -c alarmEmail, and every alarm says when it is over', () => {
    api.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: { Ref: Match.stringLikeRegexp('^AlarmTopic') },
    });
    for (const alarm of alarms()) expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
    expect(() => stageOptionsFromContext(new App({ context: { alarmEmail: 'oncall' } }))).toThrow(/e-mail/);
  });
});

describe('logs', () => {
  it('keeps events as long as -c logRetentionDays says, encrypted with the stage’s retained key', () => {
    const groups = api.findResources('AWS::Logs::LogGroup');
    expect(Object.keys(groups)).toHaveLength(Object.keys(FUNCTION_ACCESS).length + 1);
    for (const group of Object.values(groups)) {
      expect(group.Properties.RetentionInDays).toBe(90);
      expect(JSON.stringify(group.Properties.KmsKeyId)).toContain('LogsKey');
    }
    state.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: {
        EnableKeyRotation: true,
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Principal: {
                Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] },
              },
              Action: Match.arrayWith(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
              Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
            }),
          ]),
        },
      },
    });
    expect(() => stageOptionsFromContext(new App({ context: { logRetentionDays: '31' } }))).toThrow(
      /retention periods/,
    );
  });

  it('keeps the log groups of the functions that change data when the stack goes, and only those', () => {
    const groups = api.findResources('AWS::Logs::LogGroup');
    for (const [name, access] of Object.entries(FUNCTION_ACCESS)) {
      const ids = Object.keys(groups).filter((id) => id.startsWith(`${name}Logs`));
      expect(ids, name).toHaveLength(1);
      expect(groups[ids[0]!]!.DeletionPolicy, name).toBe(changesData(access) ? 'Retain' : 'Delete');
    }
    // Every function that writes bookings, trips, operations or endpoints keeps its logs.
    for (const [name, access] of Object.entries(FUNCTION_ACCESS))
      expect(changesData(access), name).toBe(access.state === 'readWrite' || access.state === 'operations');
    expect(changesData(FUNCTION_ACCESS.bookings)).toBe(true);
    expect(changesData(FUNCTION_ACCESS.meta)).toBe(false);
  });
});

describe('any region', () => {
  /** The templates of a stage synthesized as `cdk synth` does for an account and region. */
  function synthesizedFor(account: string, region: string): string[] {
    const saved = { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
    process.env.CDK_DEFAULT_ACCOUNT = account;
    process.env.CDK_DEFAULT_REGION = region;
    try {
      const app = new App({ context: { stage: 'prod', eventSources: '{"com.acme.reservations":"acme"}' } });
      const stage = defineGatewayStage(app, {
        ...stageOptionsFromContext(app),
        entryFor: () => fixtureHandler,
      });
      return [stage.stateful, stage.stateless].map((stack) =>
        JSON.stringify(Template.fromStack(stack).toJSON()),
      );
    } finally {
      process.env.CDK_DEFAULT_ACCOUNT = saved.account;
      process.env.CDK_DEFAULT_REGION = saved.region;
      if (saved.account === undefined) delete process.env.CDK_DEFAULT_ACCOUNT;
      if (saved.region === undefined) delete process.env.CDK_DEFAULT_REGION;
    }
  }

  it('gives the same templates for two regions and accounts, naming neither literally', () => {
    const europe = synthesizedFor('111122223333', 'eu-west-1');
    const pacific = synthesizedFor('444455556666', 'ap-southeast-2');
    for (const template of [...europe, ...pacific]) {
      for (const literal of ['eu-west-1', 'ap-southeast-2', '111122223333', '444455556666'])
        expect(template).not.toContain(literal);
      expect(template).toContain('{"Ref":"AWS::Region"}');
    }
    expect(pacific).toEqual(europe);
  }, 120_000);
});

describe('one Node version', () => {
  it('compiles the bundles for the Node.js of the Lambda runtime', () => {
    expect(RUNTIME.name).toBe('nodejs24.x');
    expect(BUNDLE_TARGET).toBe(RUNTIME.name.replace(/^nodejs(\d+)\.x$/, 'node$1'));
  });

  it('declares in engines the Node.js the tests run on, and the README says the same', () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
    const floor = /^>=(\d+)\.(\d+)$/.exec(manifest.engines.node);
    expect(floor, manifest.engines.node).not.toBeNull();
    const [major, minor] = process.versions.node.split('.').map(Number);
    expect(major! > Number(floor![1]) || (major === Number(floor![1]) && minor! >= Number(floor![2]))).toBe(
      true,
    );
    expect(readFileSync('README.md', 'utf8')).toContain(`Node.js ${floor![1]}.${floor![2]} or later`);
  });
});

describe('run-time dependencies', () => {
  const BUILD_TOOLS = ['aws-cdk-lib', 'cdk-nag', 'constructs', 'aws-cdk'];

  /** The packages a program imports, following its imports from its entry points through the sources. */
  async function packagesImportedBy(entryPoints: string[]): Promise<Set<string>> {
    const result = await build({
      entryPoints,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      outdir: mkdtempSync(join(tmpdir(), 'cgw-deps-')),
      logLevel: 'silent',
    });
    const packages = new Set<string>();
    for (const input of Object.values(result.metafile.inputs)) {
      for (const { path, external } of input.imports) {
        if (!external || path.startsWith('node:')) continue;
        const parts = path.split('/');
        packages.add(path.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
      }
    }
    return packages;
  }

  it('keeps the CDK with the tools that build the stack, out of what the functions and the CLI run', async () => {
    const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const tool of BUILD_TOOLS) {
      expect(manifest.dependencies[tool], tool).toBeUndefined();
      expect(manifest.devDependencies[tool], tool).toBeDefined();
    }
    const functions = [
      ...functionNames().map((name) => `functions/http/${name}.ts`),
      'functions/events/processor.ts',
    ];
    const cli = await packagesImportedBy(['cli/main.ts']);
    const runtime = await packagesImportedBy([...functions, 'cli/main.ts', 'local/server/main.ts']);
    expect(cli).toContain('@aws-sdk/client-cloudformation');
    for (const tool of BUILD_TOOLS) expect(runtime, tool).not.toContain(tool);
    // Everything they import is a run-time dependency (the AWS SDK is also the Lambda runtime's own).
    for (const used of runtime) expect(Object.keys(manifest.dependencies), used).toContain(used);
  }, 60_000);
});
