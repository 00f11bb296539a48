import { CHANGE_NOTICES_MAX_RECEIVES } from '../../shared/change-notices/ports';
import { spawnSync } from 'node:child_process';
/**
 * The CDK app's two stacks of a stage, synthesized once in-process with cdk-nag's AWS Solutions rules registered
 * the way infra/app.ts registers them. Every function is bundled from a tiny fixture handler, so these tests do
 * not depend on the real handlers.
 */
import { ACCESS_LOG_FIELDS } from '../../local/server/lambda-http-server';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { routes } from '../../shared/http/routes';
import {
  DEFAULT_THROTTLES,
  defaultEntry,
  FUNCTION_ACCESS,
  functionNames,
  writesToConcur,
} from '../../infra/api-stack';
import type { FunctionAccess } from '../../infra/api-stack';
import { defineGatewayStage } from '../../infra/gateway';
import type { GatewayStage } from '../../infra/gateway';
import { InvalidStageError, stageNames } from '../../shared/stage';
import { EVENT_TYPES } from '../../shared/events/envelope';
import { CONCUR_OPERATIONS, GATEWAY_METRICS } from '../../shared/observability/metric-names';
import { DEFAULT_EVENT_RETRY } from '../../shared/events/processor';
import { DELIVERIES_MAX_RECEIVES } from '../../shared/webhooks-out/delivery';

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

const testStage = stageNames('test');
/** The stateless stack's template: functions, API, alarms. */
let template: Template;
/** The stateful stack's template: tables, secrets. */
let stateTemplate: Template;
let outdir: string;

beforeAll(() => {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  const checked = checkedApp();
  outdir = checked.outdir;
  const stage = defineGatewayStage(checked.app, { stage: 'test', entryFor: () => fixtureHandler });
  // Throws, with cdk-nag's report, when a rule finds something not acknowledged with a reason.
  checked.app.synth();
  template = Template.fromStack(stage.stateless);
  stateTemplate = Template.fromStack(stage.stateful);
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
    // The route table's functions, the events processor, the operations sweeper, the webhook sender, the
    // keep-alive of Concur connections, the change applier, the hosted sandbox and the change poller.
    template.resourceCountIs('AWS::Lambda::Function', names.length + 7);
    template.allResourcesProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: Match.anyValue(),
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogGroup: Match.anyValue() },
    });
    const timeouts = Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => [
      fn.Properties.FunctionName,
      fn.Properties.Timeout,
    ]);
    expect(Object.fromEntries(timeouts)).toEqual({
      ...Object.fromEntries(names.map((name) => [`concur-gateway-test-${name}`, 29])),
      'concur-gateway-test-processor': 60,
      'concur-gateway-test-sweeper': 60,
      'concur-gateway-test-deliveries': 30,
      'concur-gateway-test-keepalive': 600,
      'concur-gateway-test-changeApplier': 60,
      'concur-gateway-test-sandbox': 29,
      'concur-gateway-test-changePoller': 300,
    });
    for (const name of names) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `concur-gateway-test-${name}`,
      });
    }
    template.resourceCountIs('AWS::Logs::LogGroup', names.length + 8);
    template.allResourcesProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: { 'Fn::ImportValue': Match.stringLikeRegexp('LogsKey') },
    });
  });

  it('gives each function the settings of what its composition uses, and nothing more', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    for (const [name, access] of Object.entries(FUNCTION_ACCESS)) {
      const fn = functions.find((f) => f.Properties.FunctionName === `concur-gateway-test-${name}`);
      const variables = fn!.Properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables).sort(), name).toEqual(
        [
          ...(access.state || access.sandboxState ? ['STATE_TABLE_NAME'] : []),
          ...(access.idempotency ? ['IDEMPOTENCY_TABLE_NAME'] : []),
          // The functions that call Concur reach test keys' sandbox companies at the hosted sandbox.
          ...(access.concur ? ['SANDBOX_URL'] : []),
          ...(access.concur || access.webhookSecrets || access.endpointSecrets ? ['SECRET_PREFIX'] : []),
          ...(access.concur ? ['CONCUR_RATE_PER_MINUTE', 'CONCUR_RATE_PER_HOUR'] : []),
          ...(access.sendsEvents ? ['EVENTS_QUEUE_URL'] : []),
          ...(access.eventSources ? ['EVENT_SOURCES'] : []),
          ...(access.sendsDeliveries || access.receivesDeliveries ? ['DELIVERIES_QUEUE_URL'] : []),
          ...(access.changeNotices ? ['CHANGE_NOTICES_QUEUE_URL'] : []),
          ...(access.apiBaseUrl ? ['API_BASE_URL'] : []),
          ...(access.supplierLimits ? ['SUPPLIER_RATE_PER_SECOND'] : []),
          ...(name === 'changePoller' ? ['CHANGE_POLL_INTERVAL'] : []),
          'POWERTOOLS_SERVICE_NAME',
          'POWERTOOLS_METRICS_NAMESPACE',
          'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED',
        ].sort(),
      );
      if (variables.SECRET_PREFIX !== undefined) expect(variables.SECRET_PREFIX).toBe('concur-gateway/test');
      if (access.supplierLimits) expect(variables.SUPPLIER_RATE_PER_SECOND).toBe('20');
    }
  });

  it('points the real app at functions/http/<name>.ts for every function name', () => {
    for (const name of functionNames()) {
      const entry = defaultEntry(name);
      expect(entry.endsWith(join('functions', 'http', `${name}.ts`))).toBe(true);
      expect(existsSync(entry), entry).toBe(true);
    }
    for (const name of ['processor', 'sweeper'] as const) {
      expect(defaultEntry(name).endsWith(join('functions', 'events', `${name}.ts`))).toBe(true);
      expect(existsSync(defaultEntry(name)), name).toBe(true);
    }
    expect(defaultEntry('keepalive').endsWith(join('functions', 'connections', 'keep-alive.ts'))).toBe(true);
    expect(existsSync(defaultEntry('keepalive'))).toBe(true);
    expect(defaultEntry('changePoller').endsWith(join('functions', 'change-notices', 'poller.ts'))).toBe(
      true,
    );
    expect(existsSync(defaultEntry('changePoller'))).toBe(true);
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

  it('logs every request as JSON on a throttled $default stage, routes that write to Concur throttled harder', () => {
    const stage = template.findResources('AWS::ApiGatewayV2::Stage');
    const [resource] = Object.values(stage);
    const properties = resource!.Properties;
    expect(properties.StageName).toBe('$default');
    expect(properties.DefaultRouteSettings).toEqual({
      ThrottlingBurstLimit: DEFAULT_THROTTLES.stage.burstLimit,
      ThrottlingRateLimit: DEFAULT_THROTTLES.stage.rateLimit,
    });
    const writes = routes.filter(writesToConcur).map((route) => `${route.method} ${route.path}`);
    expect(writes).toContain('PUT /v1/companies/{companyId}/bookings/{confirmationNumber}');
    expect(writes.some((key) => key.startsWith('GET ') || key.includes('/translate/'))).toBe(false);
    expect(Object.keys(properties.RouteSettings).sort()).toEqual([...writes].sort());
    for (const key of writes) {
      expect(properties.RouteSettings[key]).toEqual({
        ThrottlingRateLimit: DEFAULT_THROTTLES.concurWrites.rateLimit,
        ThrottlingBurstLimit: DEFAULT_THROTTLES.concurWrites.burstLimit,
      });
    }
    // The stage may only be deployed once the routes its settings name exist.
    const routeIds = Object.keys(template.findResources('AWS::ApiGatewayV2::Route'));
    expect([...(resource!.DependsOn as string[])].sort()).toEqual(expect.arrayContaining(routeIds.sort()));
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { Name: 'concur-gateway-test' });
    // The local server writes the same fields (test/local/server): one way to read access logs, here and there.
    expect(Object.keys(JSON.parse(properties.AccessLogSettings.Format))).toEqual(ACCESS_LOG_FIELDS);
  });
});

describe('stages', () => {
  it('names the two stacks and every named resource from the stage', () => {
    expect(testStage.statefulStack).toBe('concur-gateway-test-state');
    expect(testStage.statelessStack).toBe('concur-gateway-test-api');
    stateTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'concur-gateway-test-state',
    });
    stateTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'concur-gateway-test-idempotency',
    });
    stateTemplate.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'concur-gateway/test/app' });
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmName).toMatch(/^concur-gateway-test-/);
    }
  });

  it('refuses a stage name that cannot be part of a stack, table or secret name', () => {
    for (const bad of ['', 'Prod', 'prod_1', '1prod', 'a'.repeat(21), 'prod/x']) {
      expect(() => stageNames(bad), bad).toThrow(InvalidStageError);
    }
  });

  it('lets two stages live in one account: no physical name is shared', () => {
    // Properties that set a name unique in an account and region (metric names, API stage names are not).
    const physicalNameProperties = new Set([
      'TableName',
      'Name',
      'FunctionName',
      'AlarmName',
      'DashboardName',
    ]);
    const app = new App();
    const [dev, prod] = ['dev', 'prod'].map((stage) =>
      defineGatewayStage(app, { stage, entryFor: () => fixtureHandler }),
    );
    const physicalNames = (defined: GatewayStage) =>
      [defined.stateful, defined.stateless].flatMap((stack) =>
        Object.values(Template.fromStack(stack).toJSON().Resources as Record<string, { Properties?: object }>)
          .flatMap((r) => Object.entries(r.Properties ?? {}))
          .filter(([key, value]) => physicalNameProperties.has(key) && typeof value === 'string')
          .map(([, value]) => value as string),
      );
    const devNames = physicalNames(dev!);
    const prodNames = physicalNames(prod!);
    expect(devNames).toContain('concur-gateway-dev-state');
    expect(prodNames).toContain('concur-gateway-prod-state');
    expect(devNames.length).toBeGreaterThan(5);
    expect(devNames.filter((name) => prodNames.includes(name))).toEqual([]);
  }, 120_000);
});

describe('state', () => {
  it('keeps every stateful resource when its stack is deleted or a change would replace it', () => {
    const resources = Object.entries(
      stateTemplate.toJSON().Resources as Record<string, Record<string, unknown>>,
    );
    expect(resources.map(([, r]) => r.Type).sort()).toEqual([
      'AWS::DynamoDB::GlobalTable',
      'AWS::DynamoDB::GlobalTable',
      'AWS::Events::Archive',
      'AWS::Events::EventBus',
      'AWS::KMS::Key',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::Queue',
      'AWS::SQS::QueuePolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SQS::QueuePolicy',
      'AWS::SecretsManager::Secret',
    ]);
    const kept = [
      'AWS::DynamoDB::GlobalTable',
      'AWS::SQS::Queue',
      'AWS::SecretsManager::Secret',
      'AWS::Events::EventBus',
      'AWS::Events::Archive',
      'AWS::KMS::Key',
    ];
    for (const [id, resource] of resources.filter(([, r]) => kept.includes(r.Type as string))) {
      expect(resource.DeletionPolicy, id).toBe('Retain');
      expect(resource.UpdateReplacePolicy, id).toBe('Retain');
    }
  });

  it('refuses to delete either table even when asked outside CloudFormation: deletion protection', () => {
    const tables = Object.values(stateTemplate.findResources('AWS::DynamoDB::GlobalTable'));
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.Properties.Replicas).toEqual([
        expect.objectContaining({ Region: { Ref: 'AWS::Region' }, DeletionProtectionEnabled: true }),
      ]);
    }
  });

  it('archives every partner event of the gateway’s types for 30 days, for a replay from EventBridge', () => {
    stateTemplate.hasResourceProperties('AWS::Events::Archive', {
      ArchiveName: 'concur-gateway-test-partners',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PartnerEventBus'), 'Arn'] },
      EventPattern: { 'detail-type': [...EVENT_TYPES] },
      RetentionDays: 30,
    });
  });

  it('keeps no state in the stateless stack: it takes its tables and secrets from the stateful one', () => {
    for (const type of [
      'AWS::DynamoDB::GlobalTable',
      'AWS::DynamoDB::Table',
      'AWS::SecretsManager::Secret',
      'AWS::SQS::Queue',
      'AWS::Events::EventBus',
    ]) {
      template.resourceCountIs(type, 0);
    }
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment.Variables)
      .filter((variable) => variable.STATE_TABLE_NAME !== undefined);
    expect(variables.length).toBe(
      Object.values(FUNCTION_ACCESS).filter((access) => access.state || access.sandboxState).length,
    );
    for (const variable of variables) {
      expect(JSON.stringify(variable.STATE_TABLE_NAME)).toContain('Fn::ImportValue');
      expect(JSON.stringify(variable.STATE_TABLE_NAME)).toContain('concur-gateway-test-state');
    }
  });

  it('keeps state in two on-demand tables with the keys and TTL attributes the adapters use', () => {
    stateTemplate.resourceCountIs('AWS::DynamoDB::GlobalTable', 2);
    stateTemplate.hasResource('AWS::DynamoDB::GlobalTable', {
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
        // The trip listing's index: a supplier's records (partition pk) by trip id; the activity index: a
        // supplier's mappings and operations by last change; the open operations by status and when they are
        // overdue (every operation has sk OPERATION; only open ones have sweepAt), keys only. Each came in a
        // deployment of its own.
        GlobalSecondaryIndexes: [
          {
            IndexName: 'trips-by-supplier',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'tripId', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'activity-by-supplier',
            KeySchema: [
              { AttributeName: 'activityKey', KeyType: 'HASH' },
              { AttributeName: 'updatedAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: 'open-operations',
            KeySchema: [
              { AttributeName: 'sk', KeyType: 'HASH' },
              { AttributeName: 'sweepAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          },
        ],
      },
    });
    stateTemplate.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
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

  const withAccess = (flag: keyof FunctionAccess) =>
    Object.values(FUNCTION_ACCESS).filter((access) => access[flag]).length;

  /** The statements of one function's role. */
  const statementsOf = (name: string) =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith(`${name}Role`)),
      )
      .flatMap(
        (policy) =>
          policy.Properties.PolicyDocument.Statement as {
            Sid?: string;
            Action: string | string[];
            Resource: unknown;
            Condition?: unknown;
          }[],
      );
  /** The actions of a role on a resource, but the supplier rate windows' own statement (below). */
  const actionsOn = (name: string, resource: RegExp) =>
    statementsOf(name)
      .filter((statement) => resource.test(JSON.stringify(statement.Resource)))
      .filter((statement) => statement.Sid !== 'SupplierRateWindows')
      .flatMap((statement) => [statement.Action].flat());
  const WRITES = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

  it('gives each role only the tables, actions, secrets and queue of its composition', () => {
    for (const [name, access] of Object.entries(FUNCTION_ACCESS)) {
      const state = actionsOn(name, /StateTable/);
      const idempotency = actionsOn(name, /IdempotencyTable/);
      if (access.sandboxState) {
        // The hosted sandbox: its companies' items alone, read and written back, nothing else of the table.
        expect(statementsOf(name).filter((st) => /StateTable/.test(JSON.stringify(st.Resource)))).toEqual([
          expect.objectContaining({
            Sid: 'SandboxCompanies',
            Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
            Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SANDBOX#*'] } },
          }),
        ]);
      } else if (!access.state) expect(state, `${name} on the state table`).toEqual([]);
      else if (access.state !== 'operations')
        expect(state, `${name} on the state table`).toContain('dynamodb:GetItem');
      if (access.state === 'read' || access.state === 'query')
        for (const write of WRITES) expect(state, name).not.toContain(write);
      if (access.state === 'query') expect(state, name).toContain('dynamodb:Query');
      if (access.state === 'readWrite') expect(state, name).toEqual(expect.arrayContaining(WRITES));
      if (access.state === 'operations') {
        // Overdue operations from their index, then each claimed and recorded as queued: conditional updates.
        expect(state.sort(), name).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem']);
        const onTable = statementsOf(name).filter(
          (s) =>
            /StateTable/.test(JSON.stringify(s.Resource)) && !/\/index\//.test(JSON.stringify(s.Resource)),
        );
        expect(
          onTable.flatMap((statement) => [statement.Action].flat()),
          name,
        ).toEqual(['dynamodb:UpdateItem']);
        for (const statement of onTable) {
          expect((statement as { Condition?: unknown }).Condition, name).toEqual({
            'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OPERATION#*'] },
          });
        }
      }
      if (access.idempotency) expect(idempotency, name).toEqual(expect.arrayContaining(WRITES));
      else expect(idempotency, `${name} on the idempotency table`).toEqual([]);
      // Only the operator's listing scans (with the operator's credentials), and no table has a stream. The one
      // batch is the history records' write, by the functions that change mappings.
      for (const action of [...state, ...idempotency]) {
        expect(action, name).not.toMatch(
          /^dynamodb:(Scan|GetRecords|GetShardIterator|DescribeStream|ListStreams|DescribeTable|BatchGetItem)$/,
        );
      }
      if (state.includes('dynamodb:BatchWriteItem')) expect(access.state, name).toBe('readWrite');
      expect(idempotency, name).not.toContain('dynamodb:BatchWriteItem');
      expect(actionsOn(name, /\/companies\/|ConcurAppSecret/).length > 0, `${name} on Concur tokens`).toBe(
        Boolean(access.concur),
      );
      expect(
        statementsOf(name).some((s) => /\/suppliers\/\*"/.test(JSON.stringify(s.Resource))),
        `${name} on webhook secrets`,
      ).toBe(Boolean(access.webhookSecrets));
      expect(actionsOn(name, /\/endpoints\//).length > 0, `${name} on endpoint secrets`).toBe(
        Boolean(access.endpointSecrets),
      );
      expect(
        actionsOn(name, /DeliveriesQueue/).includes('sqs:SendMessage'),
        `${name} on the deliveries queue`,
      ).toBe(Boolean(access.sendsDeliveries));
      expect(actionsOn(name, /EventsQueue/).includes('sqs:SendMessage'), `${name} on the queue`).toBe(
        Boolean(access.sendsEvents),
      );
    }
    expect(FUNCTION_ACCESS.meta).toEqual({});
    expect(FUNCTION_ACCESS.translate).toEqual({ state: 'read', idempotency: true, supplierLimits: true });
  });

  it('lets the functions of authenticated routes count their suppliers’ requests, and write no other item', () => {
    for (const [name, access] of Object.entries(FUNCTION_ACCESS)) {
      const windows = statementsOf(name).filter((statement) => statement.Sid === 'SupplierRateWindows');
      const authenticated = routes.some((route) => route.function === name && route.authenticated);
      expect(Boolean(access.supplierLimits), name).toBe(authenticated);
      expect(windows, name).toHaveLength(authenticated ? 1 : 0);
      if (!authenticated) continue;
      expect(windows[0]).toMatchObject({
        Action: 'dynamodb:UpdateItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['SUPPLIER-RATE#*'] } },
      });
      expect(JSON.stringify(windows[0]!.Resource)).toContain('StateTable');
      expect(JSON.stringify(windows[0]!.Resource)).not.toContain('/index/');
    }
  });

  it('lets only the trips function and the change applier and poller query the trips index, the activity function and the change applier and poller (every supplier) the activity index, and the sweeper the open-operations index, by name', () => {
    const indexOf: Record<string, string[]> = {
      trips: ['trips-by-supplier'],
      changeApplier: ['trips-by-supplier', 'activity-by-supplier'],
      changePoller: ['trips-by-supplier', 'activity-by-supplier'],
      activity: ['activity-by-supplier'],
      sweeper: ['open-operations'],
    };
    for (const name of Object.keys(FUNCTION_ACCESS)) {
      const onIndexes = statementsOf(name).filter((statement) =>
        JSON.stringify(statement.Resource).includes('/index/'),
      );
      if (!indexOf[name]) {
        expect(onIndexes, name).toEqual([]);
        continue;
      }
      expect(onIndexes, name).toHaveLength(indexOf[name].length);
      for (const [at, index] of indexOf[name].entries()) {
        expect(onIndexes[at]!.Action).toBe('dynamodb:Query');
        expect(JSON.stringify(onIndexes[at]!.Resource)).toContain(`/index/${index}"`);
      }
    }
    expect(FUNCTION_ACCESS.activity).toEqual({ state: 'query', activityIndex: true, supplierLimits: true });
    expect(FUNCTION_ACCESS.sweeper).toEqual({ state: 'operations', sendsEvents: true });
  });

  it("lets the functions that call Concur use the stage's connection token secrets and read its app secrets", () => {
    const companySecrets = statements().filter((s) => JSON.stringify(s.Resource).includes('/companies/'));
    expect(companySecrets).toHaveLength(withAccess('concur'));
    for (const statement of companySecrets) {
      expect(JSON.stringify(statement.Resource)).toContain(':secret:concur-gateway/test/companies/*');
      expect([statement.Action].flat().sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:PutSecretValue',
      ]);
    }
    const appSecretReads = statements().filter((s) => JSON.stringify(s.Resource).includes('ConcurAppSecret'));
    expect(appSecretReads).toHaveLength(withAccess('concur'));
    for (const statement of appSecretReads) {
      expect([statement.Action].flat().sort()).toEqual([
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
      ]);
    }
    const otherApps = statements().filter((s) => JSON.stringify(s.Resource).includes('/apps/'));
    expect(otherApps).toHaveLength(withAccess('concur'));
    for (const statement of otherApps) {
      expect(JSON.stringify(statement.Resource)).toContain(':secret:concur-gateway/test/apps/*');
      expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    }
  });

  it("lets the events function only read the stage's webhook secrets", () => {
    const supplierSecrets = statements().filter((s) => JSON.stringify(s.Resource).includes('/suppliers/*"'));
    expect(supplierSecrets).toHaveLength(withAccess('webhookSecrets'));
    for (const statement of supplierSecrets) {
      expect(JSON.stringify(statement.Resource)).toContain(':secret:concur-gateway/test/suppliers/*');
      expect(statement.Action).toBe('secretsmanager:GetSecretValue');
    }
  });

  it("lets the endpoints function manage the endpoints' secrets, and the sender only read them", () => {
    const endpointSecrets = statements().filter((s) =>
      JSON.stringify(s.Resource).includes('/suppliers/*/endpoints/*'),
    );
    expect(endpointSecrets).toHaveLength(withAccess('endpointSecrets'));
    expect(
      [statementsOf('endpoints').find((s) => JSON.stringify(s.Resource).includes('/endpoints/*'))!.Action]
        .flat()
        .sort(),
    ).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:DeleteSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
    ]);
    expect(
      statementsOf('deliveries').find((s) => JSON.stringify(s.Resource).includes('/endpoints/*'))!.Action,
    ).toBe('secretsmanager:GetSecretValue');
  });

  it('lets the endpoints function and the processor send to the deliveries queue, and only the sender receive from it', () => {
    const onQueue = (action: string) =>
      statements().filter(
        (s) => [s.Action].flat().includes(action) && JSON.stringify(s.Resource).includes('DeliveriesQueue'),
      );
    expect(onQueue('sqs:SendMessage')).toHaveLength(withAccess('sendsDeliveries'));
    expect(onQueue('sqs:ReceiveMessage')).toHaveLength(1);
    expect(actionsOn('deliveries', /DeliveriesQueue/)).toContain('sqs:ChangeMessageVisibility');
    stateTemplate.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'concur-gateway-test-deliveries',
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: DELIVERIES_MAX_RECEIVES },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^deliveriesFunction') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets only the ESS route send to the change notices queue and only the change applier receive from it', () => {
    const onQueue = (action: string) =>
      statements().filter(
        (s) =>
          [s.Action].flat().includes(action) && JSON.stringify(s.Resource).includes('ChangeNoticesQueue'),
      );
    expect(onQueue('sqs:SendMessage')).toHaveLength(1);
    expect(actionsOn('changes', /ChangeNoticesQueue/)).toContain('sqs:SendMessage');
    expect(onQueue('sqs:ReceiveMessage')).toHaveLength(1);
    expect(actionsOn('changeApplier', /ChangeNoticesQueue/)).toContain('sqs:ChangeMessageVisibility');
    // The ESS route reads no state table, no secret, no Concur: it verifies and queues.
    expect(FUNCTION_ACCESS.changes).toEqual({ idempotency: true, changeNotices: 'send' });
    expect(
      statementsOf('changes').filter((s) => /StateTable|secretsmanager/.test(JSON.stringify(s))),
    ).toEqual([]);
    stateTemplate.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'concur-gateway-test-change-notices',
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: CHANGE_NOTICES_MAX_RECEIVES },
    });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^changeApplierFunction') },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the functions that accept events send to the events queue, and only the processor receive from it', () => {
    const onQueue = (action: string) =>
      statements().filter(
        (s) => [s.Action].flat().includes(action) && JSON.stringify(s.Resource).includes('EventsQueue'),
      );
    expect(onQueue('sqs:SendMessage')).toHaveLength(withAccess('sendsEvents'));
    expect(onQueue('sqs:ReceiveMessage')).toHaveLength(1);
    expect(onQueue('sqs:ChangeMessageVisibility')).toHaveLength(1);
  });

  it('serves the hosted sandbox at a function URL with IAM auth that only the functions calling Concur may invoke', () => {
    // Never an anonymous URL: a caller must sign with a principal this stack grants, so nobody else reads a
    // sandbox company's trips or injects faults into it.
    template.resourceCountIs('AWS::Lambda::Url', 1);
    template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^sandboxFunction'), 'Arn'] },
    });
    for (const permission of Object.values(template.findResources('AWS::Lambda::Permission'))) {
      expect(permission.Properties.Principal, JSON.stringify(permission.Properties)).not.toBe('*');
    }
    const invokers = Object.keys(FUNCTION_ACCESS).filter((name) =>
      statementsOf(name).some((st) => [st.Action].flat().includes('lambda:InvokeFunctionUrl')),
    );
    expect(invokers.sort()).toEqual(
      Object.entries(FUNCTION_ACCESS)
        .filter(([, access]) => access.concur)
        .map(([name]) => name)
        .sort(),
    );
    for (const name of invokers) {
      const invoke = statementsOf(name).find((st) =>
        [st.Action].flat().includes('lambda:InvokeFunctionUrl'),
      )!;
      expect(JSON.stringify(invoke.Resource), name).toMatch(/sandboxFunction/);
      expect(invoke.Condition, name).toEqual({ StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } });
    }
    // The sandbox's role reaches nothing of Concur, no secret and no queue.
    expect(
      statementsOf('sandbox').filter((st) => /secretsmanager|sqs|lambda:/.test(JSON.stringify(st.Action))),
    ).toEqual([]);
  });

  it('leaves the hosted sandbox out with -c sandbox=false: no function, no URL, no SANDBOX_URL', () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cgw-cdk-')) });
    const stage = defineGatewayStage(app, {
      stage: 'nosandbox',
      entryFor: () => fixtureHandler,
      sandbox: false,
    });
    const without = Template.fromStack(stage.stateless);
    without.resourceCountIs('AWS::Lambda::Url', 0);
    without.resourceCountIs('AWS::Lambda::Function', functionNames().length + 6);
    const functions = Object.values(without.findResources('AWS::Lambda::Function'));
    expect(functions.map((fn) => fn.Properties.FunctionName)).not.toContain(
      'concur-gateway-nosandbox-sandbox',
    );
    for (const fn of functions) expect(fn.Properties.Environment.Variables.SANDBOX_URL).toBeUndefined();
    expect(JSON.stringify(without.toJSON())).not.toContain('lambda:InvokeFunctionUrl');
  }, 120_000);

  it('grants no wildcard actions, no managed policies, and nothing on * but X-Ray and the listing of secrets', () => {
    for (const statement of statements()) {
      for (const action of [statement.Action].flat()) expect(action).not.toMatch(/\*$/);
      if (statement.Resource === '*') {
        // ListSecrets has no resource-level permissions; it names secrets, never reads them.
        expect([
          ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
          ['secretsmanager:ListSecrets'],
        ]).toContainEqual([statement.Action].flat().sort());
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

describe('dashboard', () => {
  it('shows API traffic and latency, every function, the events queues and the gateway’s own metrics', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboard!.Properties.DashboardName).toBe('concur-gateway-test');
    const body = JSON.stringify(dashboard!.Properties.DashboardBody);
    for (const metric of ['Count', '4xx', '5xx', 'Latency', 'Errors', 'Throttles', 'Duration']) {
      expect(body, metric).toContain(`\\"${metric}\\"`);
    }
    expect(body).toContain('ApproximateNumberOfMessagesVisible');
    expect(body).toContain('ApproximateAgeOfOldestMessage');
    expect(body).toContain('ConcurGateway/test');
    // Every metric the functions publish is graphed.
    for (const metricName of Object.values(GATEWAY_METRICS)) expect(body, metricName).toContain(metricName);
    for (const operation of CONCUR_OPERATIONS) expect(body, operation).toContain(`\\"${operation}\\"`);
    // Series with operation and status dimensions, whatever their values, are found by a search expression.
    expect(body).toContain(
      `SEARCH('{ConcurGateway/test,operation,service,status} MetricName=\\\\\\"${GATEWAY_METRICS.concurErrors}\\\\\\"', 'Sum', 300)`,
    );
    const functionIds = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
      [
        ...functionNames(),
        'processor',
        'sweeper',
        'deliveries',
        'keepalive',
        'changeApplier',
        'changePoller',
      ].some((name) => id.startsWith(`${name}Function`)),
    );
    expect(functionIds).toHaveLength(functionNames().length + 6);
    for (const id of functionIds) expect(body, id).toContain(id);
  });

  it('alarms when a company’s refresh token nears its end, in the stage’s own namespace', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'concur-gateway-test-RefreshTokenExpiringAlarm',
      Namespace: 'ConcurGateway/test',
      MetricName: GATEWAY_METRICS.refreshTokenExpiring,
      Dimensions: [{ Name: 'service', Value: 'concur-gateway' }],
      Period: 3600,
      Threshold: 1,
    });
  });

  it('alarms when Concur refuses a refresh token and when events are parked: both need a person', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'concur-gateway-test-TokenRefreshRefusedAlarm',
      Namespace: 'ConcurGateway/test',
      MetricName: GATEWAY_METRICS.tokenRefreshFailures,
      Dimensions: Match.arrayEquals([
        { Name: 'service', Value: 'concur-gateway' },
        { Name: 'status', Value: '4xx' },
      ]),
      Statistic: 'Sum',
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'concur-gateway-test-EventsParkedAlarm',
      Namespace: 'ConcurGateway/test',
      MetricName: GATEWAY_METRICS.eventsParked,
      Dimensions: [{ Name: 'service', Value: 'concur-gateway' }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'concur-gateway-test-EventsRequeuedAlarm',
      Namespace: 'ConcurGateway/test',
      MetricName: GATEWAY_METRICS.eventsRequeued,
      Statistic: 'Sum',
      Threshold: 1,
    });
  });
});

describe('alarms', () => {
  it('alarms on each function’s errors and throttles and on API 5xx, to an encrypted TLS-only topic', () => {
    const functionCount = functionNames().length + 7;
    // Per function errors, throttles and p99 duration; the API's 5xx and 401s; the events' dead letters and
    // oldest message, the partner bus's dead letters; a refresh token near its end, a refresh token refused,
    // parked events, operations queued again by the sweeper; Concur's 5xx and 429; the outbound limiter's
    // rejections; each table's throttles; the deliveries' dead letters, failing webhook attempts, disabled
    // endpoints; a keep-alive refresh refused and a connection not refreshed for 14 days; the change notices'
    // dead letters and ESS signature failures; the change poller's failures.
    template.resourceCountIs('AWS::CloudWatch::Alarm', functionCount * 3 + 22);
    for (const metricName of [
      GATEWAY_METRICS.webhookAttemptsFailed,
      GATEWAY_METRICS.webhookEndpointsDisabled,
      GATEWAY_METRICS.essSignatureFailures,
      GATEWAY_METRICS.changePollFailures,
    ])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'ConcurGateway/test',
        MetricName: metricName,
      });
    for (const metricName of ['Errors', 'Throttles', 'Duration']) {
      const alarms = template.findResources('AWS::CloudWatch::Alarm', {
        Properties: { Namespace: 'AWS/Lambda', MetricName: metricName },
      });
      expect(Object.keys(alarms)).toHaveLength(functionCount);
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5xx',
    });
    // Each alarm tells the topic when it fires and when it is over.
    template.allResourcesProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^AlarmTopic') }],
    });

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

  it('outputs what the command line reads: table names, secret prefix and app secret, API URL', () => {
    expect(Object.keys(stateTemplate.findOutputs('*'))).toEqual(
      expect.arrayContaining(['StateTableName', 'IdempotencyTableName', 'AppSecretArn', 'SecretPrefix']),
    );
    expect(stateTemplate.findOutputs('SecretPrefix').SecretPrefix!.Value).toBe('concur-gateway/test');
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['ApiUrl', 'AlarmTopicArn']),
    );
  });
});

describe('events', () => {
  it('keeps events in encrypted, TLS-only queues, with dead letters after bounded receives', () => {
    const queues = stateTemplate.findResources('AWS::SQS::Queue');
    const ids = Object.keys(queues);
    const events = ids.find((id) => id.startsWith('EventsQueue'))!;
    const deadLetters = ids.find((id) => id.startsWith('EventsDeadLetterQueue'))!;
    for (const id of ids) expect(queues[id]!.Properties.SqsManagedSseEnabled).toBe(true);
    expect(queues[events]!.Properties).toMatchObject({
      QueueName: 'concur-gateway-test-events',
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLetters, 'Arn'] },
        maxReceiveCount: DEFAULT_EVENT_RETRY.maxReceives + 2,
      },
    });
    expect(queues[deadLetters]!.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    for (const id of [events, deadLetters]) {
      stateTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it.each([
    ['events', 'processor'],
    ['change-notices', 'changeApplier'],
  ])('keeps the %s queue hidden for six times its function’s timeout, derived from it', (queueName, fn) => {
    const functions = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: `concur-gateway-test-${fn}` },
      }),
    );
    const [queue] = Object.values(
      stateTemplate.findResources('AWS::SQS::Queue', {
        Properties: { QueueName: `concur-gateway-test-${queueName}` },
      }),
    );
    expect(functions).toHaveLength(1);
    expect(queue!.Properties.VisibilityTimeout).toBe(6 * (functions[0]!.Properties.Timeout as number));
  });

  it('routes no partner bus event anywhere while no source is configured', () => {
    stateTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: 'concur-gateway-test-partners' });
    stateTemplate.resourceCountIs('AWS::Events::Rule', 0);
  });

  it('runs the operations sweeper every 5 minutes and the keep-alive daily from EventBridge rules, each alone on its rule', () => {
    const rules = Object.entries(template.findResources('AWS::Events::Rule'));
    expect(rules.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'KeepAliveSchedule',
      'SweeperSchedule',
    ]);
    for (const [prefix, schedule, target] of [
      ['SweeperSchedule', 'rate(5 minutes)', /^sweeperFunction/],
      ['KeepAliveSchedule', 'rate(1 day)', /^keepaliveFunction/],
    ] as const) {
      const [, rule] = rules.find(([id]) => id.startsWith(prefix))!;
      expect(rule.Properties.ScheduleExpression, prefix).toBe(schedule);
      const targets = rule.Properties.Targets as { Arn: { 'Fn::GetAtt': string[] } }[];
      expect(targets).toHaveLength(1);
      expect(targets[0]!.Arn['Fn::GetAtt'][0]).toMatch(target);
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [Match.stringLikeRegexp(target.source), 'Arn'] },
      });
    }
  });

  it('runs the change poller every 10 minutes from an EventBridge Scheduler schedule whose role may invoke it alone, and alarms on its failures', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(1);
    const schedule = schedules[0]!.Properties as {
      ScheduleExpression: string;
      FlexibleTimeWindow: { Mode: string };
      Target: { Arn: { 'Fn::GetAtt': string[] }; RoleArn: { 'Fn::GetAtt': string[] }; RetryPolicy: object };
    };
    expect(schedule.ScheduleExpression).toBe('rate(10 minutes)');
    expect(schedule.FlexibleTimeWindow).toEqual({ Mode: 'OFF' });
    expect(schedule.Target.Arn['Fn::GetAtt'][0]).toMatch(/^changePollerFunction/);
    expect(schedule.Target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 0 });
    const roleId = schedule.Target.RoleArn['Fn::GetAtt'][0]!;
    const rolePolicies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy.Properties.Roles).includes(roleId),
    );
    const statements = rolePolicies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[],
    );
    expect(statements.map((statement) => statement.Action)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(statements[0]!.Resource)).toMatch(/changePollerFunction/);
    const poller = Object.values(
      template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: 'concur-gateway-test-changePoller' },
      }),
    )[0]!;
    expect(poller.Properties.Environment.Variables.CHANGE_POLL_INTERVAL).toBe('10m');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'concur-gateway-test-ChangePollFailuresAlarm',
      Namespace: 'ConcurGateway/test',
      MetricName: GATEWAY_METRICS.changePollFailures,
      Statistic: 'Sum',
      Period: 600,
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'concur-gateway-test-changePollerErrorsAlarm',
    });
  });

  it('alarms when Concur refuses a keep-alive refresh and when a connection has not refreshed for 14 days, over a day', () => {
    for (const [alarmName, metricName, statistic] of [
      ['KeepAliveRefusedAlarm', GATEWAY_METRICS.keepAliveRefused, 'Sum'],
      ['ConnectionsStaleAlarm', GATEWAY_METRICS.connectionsStale, 'Maximum'],
    ] as const) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `concur-gateway-test-${alarmName}`,
        Namespace: 'ConcurGateway/test',
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: 'concur-gateway' }],
        Statistic: statistic,
        Period: 86_400,
        Threshold: 1,
      });
    }
  });

  it('lets the keep-alive list the connections’ secrets by name, and no other function', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'));
    const listing = policies.filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('secretsmanager:ListSecrets'),
    );
    expect(listing.map(([id]) => id)).toHaveLength(1);
    expect(listing[0]![0]).toMatch(/^keepaliveRole/);
  });

  it('feeds the processor from the queue in batches with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: Match.stringLikeRegexp('^processorFunction') },
      EventSourceArn: Match.anyValue(),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
    const [mapping] = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'));
    expect(JSON.stringify(mapping!.Properties.EventSourceArn)).toContain('EventsQueue');
  });

  it('alarms on dead letters and on the age of the oldest event', () => {
    const sqsAlarms = Object.values(
      template.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: 'AWS/SQS' } }),
    ).map((alarm) => ({
      metric: alarm.Properties.MetricName,
      threshold: alarm.Properties.Threshold,
      queue: JSON.stringify(alarm.Properties.Dimensions),
    }));
    expect(sqsAlarms).toEqual(
      expect.arrayContaining([
        {
          metric: 'ApproximateNumberOfMessagesVisible',
          threshold: 1,
          queue: expect.stringContaining('EventsDeadLetterQueue'),
        },
        {
          metric: 'ApproximateAgeOfOldestMessage',
          threshold: 1800,
          queue: expect.stringContaining('EventsQueue'),
        },
      ]),
    );
  });

  it('limits the rule to the configured partner sources, and tells the functions whose they are', () => {
    const stage = defineGatewayStage(new App(), {
      stage: 'sourced',
      entryFor: () => fixtureHandler,
      eventSources: { 'com.acme.reservations': 'acme' },
    });
    Template.fromStack(stage.stateful).hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^PartnerEventBus') },
      EventPattern: { source: ['com.acme.reservations'], 'detail-type': [...EVENT_TYPES] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EventsQueue'), 'Arn'] } })],
    });
    Template.fromStack(stage.stateless).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EVENT_SOURCES: '{"com.acme.reservations":"acme"}' }) },
    });
  }, 120_000);
});

describe('npx cdk synth', () => {
  it(
    'synthesizes the real app for -c stage=test offline, bundling the real handlers, with nothing unacknowledged',
    { timeout: 180_000 },
    () => {
      const output = mkdtempSync(join(tmpdir(), 'cgw-cdk-cli-'));
      const result = spawnSync(
        'npx',
        ['cdk', 'synth', '-c', 'stage=test', '--no-notices', '-q', '--output', output],
        {
          encoding: 'utf8',
          env: { ...process.env, AWS_EC2_METADATA_DISABLED: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true' },
        },
      );
      expect(result.stderr).not.toContain('ERROR');
      expect(result.status).toBe(0);
      const templates = readdirSync(output).filter((file) => file.endsWith('.template.json'));
      expect(templates.sort()).toEqual([
        'concur-gateway-test-api.template.json',
        'concur-gateway-test-state.template.json',
      ]);
      expect(readValidationReport(output).pluginReports.flatMap((plugin) => plugin.violations)).toEqual([]);
    },
  );
});
