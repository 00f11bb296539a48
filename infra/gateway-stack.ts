/**
 * The gateway on AWS: an HTTP API whose routes come from shared/http/routes.ts, one Lambda function per
 * group of routes, the state and idempotency tables, the app's OAuth secret, and alarms. Only resources here.
 */
import { fileURLToPath } from 'node:url';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { routes } from '../shared/http/routes';
import type { FunctionName } from '../shared/http/routes';
import { IDEMPOTENCY_TABLE, STATE_TABLE } from '../shared/adapters/dynamodb/tables';
import { DEFAULT_SECRET_PREFIX } from '../shared/tokens/company-credentials';

export interface GatewayStackProps extends StackProps {
  /** Where each function's handler lives: functions/http/<name>.ts unless a test says otherwise. */
  entryFor?: (name: FunctionName) => string;
}

/** The real handler of a function: functions/http/<name>.ts, exporting `handler`. */
export function defaultEntry(name: FunctionName): string {
  return fileURLToPath(new URL(`../functions/http/${name}.ts`, import.meta.url));
}

/** Every function named by the route table, once each, in route-table order. */
export function functionNames(): FunctionName[] {
  return [...new Set(routes.map((route) => route.function))];
}

/**
 * Lambda blocked creating nodejs20.x functions on 2026-08-31 (updates on 2026-09-30), so the functions run on
 * Node.js 24 while the bundle still targets Node.js 20, the project's engine floor.
 */
const RUNTIME = Runtime.NODEJS_24_X;
const BUNDLE_TARGET = 'node20';
/** API Gateway's integration limit. */
const FUNCTION_TIMEOUT = Duration.seconds(29);
const ALARM_PERIOD = Duration.minutes(5);

export class ConcurItineraryGatewayStack extends Stack {
  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, props);
    const entryFor = props.entryFor ?? defaultEntry;

    // --- State ---------------------------------------------------------------------------------------------
    const stateTable = new TableV2(this, 'StateTable', {
      partitionKey: { name: STATE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE.ttlAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const idempotencyTable = new TableV2(this, 'IdempotencyTable', {
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Records live 24 hours; nothing in it is worth keeping once the stack is gone.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // --- Secrets -------------------------------------------------------------------------------------------
    const appSecret = new Secret(this, 'ConcurAppSecret', {
      secretName: `${DEFAULT_SECRET_PREFIX}/app`,
      description: "The gateway's Concur OAuth client: {clientId, clientSecret}; the operator fills it in.",
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: 'set-me' }),
        generateStringKey: 'clientSecret',
      },
    });
    Validations.of(appSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is not applicable: the OAuth client secret is issued by SAP Concur and cannot be rotated by a Secrets Manager rotation function; the gateway refreshes the Concur access tokens itself.',
    });
    const companySecretsArn = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${DEFAULT_SECRET_PREFIX}/companies/*`,
    });

    // --- Alarm topic ---------------------------------------------------------------------------------------
    // CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key (its policy cannot be
    // changed), so the topic has its own key whose policy lets CloudWatch alarms of this account use it.
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the concur-gateway alarm topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const alarmsFromThisAccount = {
      StringEquals: { 'aws:SourceAccount': this.account },
      ArnLike: { 'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*` },
    };
    alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToUseTheKey',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmsFromThisAccount,
      }),
    );
    const alarmTopic = new Topic(this, 'AlarmTopic', {
      displayName: 'concur-gateway alarms',
      masterKey: alarmKey,
      enforceSSL: true,
    });
    alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchAlarmsToPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [alarmTopic.topicArn],
        conditions: alarmsFromThisAccount,
      }),
    );
    const alarmAction = new SnsAction(alarmTopic);
    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string) =>
      new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(alarmAction);

    // --- Functions -----------------------------------------------------------------------------------------
    // cdk-nag names an IAM5 finding by the resource as synthesized: a known region or account appears literally.
    const shown = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const companySecretsFinding = `arn:<AWS::Partition>:secretsmanager:${shown(this.region, '<AWS::Region>')}:${shown(this.account, '<AWS::AccountId>')}:secret:${DEFAULT_SECRET_PREFIX}/companies/*`;

    const functions = new Map<FunctionName, NodejsFunction>();
    for (const name of functionNames()) {
      const logGroup = new LogGroup(this, `${name}Logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      // An own role instead of AWSLambdaBasicExecutionRole: it may write to this function's log group only.
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `The concur-gateway ${name} function`,
      });
      logGroup.grantWrite(role);
      const fn = new NodejsFunction(this, `${name}Function`, {
        entry: entryFor(name),
        handler: 'handler',
        runtime: RUNTIME,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout: FUNCTION_TIMEOUT,
        tracing: Tracing.ACTIVE,
        logGroup,
        role,
        description: `concur-gateway: ${routes
          .filter((route) => route.function === name)
          .map((route) => route.operationId)
          .join(', ')}`,
        environment: {
          STATE_TABLE_NAME: stateTable.tableName,
          IDEMPOTENCY_TABLE_NAME: idempotencyTable.tableName,
          SECRET_PREFIX: DEFAULT_SECRET_PREFIX,
          POWERTOOLS_SERVICE_NAME: 'concur-gateway',
          NODE_OPTIONS: '--enable-source-maps',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        bundling: {
          format: OutputFormat.ESM,
          mainFields: ['module', 'main'],
          target: BUNDLE_TARGET,
          sourceMap: true,
          externalModules: ['@aws-sdk/*'],
          forceDockerBundling: false,
          // Some dependencies are CommonJS and call require(): give the ESM bundle one.
          banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        },
      });
      stateTable.grantReadWriteData(fn);
      idempotencyTable.grantReadWriteData(fn);
      appSecret.grantRead(fn);
      fn.addToRolePolicy(
        new PolicyStatement({
          sid: 'CompanyTokenSecrets',
          actions: [
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:DescribeSecret',
          ],
          resources: [companySecretsArn],
        }),
      );
      Validations.of(role).acknowledge(
        {
          id: `AwsSolutions-IAM5[Resource::${companySecretsFinding}]`,
          reason:
            'Per-company token secrets are created at onboarding, after deployment, so their names are not known here: the function may read, describe and write back refreshed tokens of secrets under concur-gateway/companies/ only.',
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'Added by X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
        },
      );

      alarm(
        `${name}ErrorsAlarm`,
        fn.metricErrors({ period: ALARM_PERIOD }),
        1,
        `${name} function errors in 5 minutes`,
      );
      alarm(
        `${name}ThrottlesAlarm`,
        fn.metricThrottles({ period: ALARM_PERIOD }),
        1,
        `${name} function throttles in 5 minutes`,
      );
      functions.set(name, fn);
    }

    // --- HTTP API ------------------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'Api', {
      apiName: 'concur-itinerary-gateway',
      description: 'Supplier JSON API in front of SAP Concur Itinerary v1.1',
      createDefaultStage: false,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    for (const route of routes) {
      const fn = functions.get(route.function);
      if (!fn) throw new Error(`no function ${route.function} for ${route.method} ${route.path}`);
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.operationId}Integration`, fn),
      });
      Validations.of(created!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: route.authenticated
          ? 'Suppliers authenticate in the handler with an API key checked against SHA-256 hashes in the state table.'
          : 'A public route (health, OpenAPI document, docs page): it needs no authorization.',
      });
    }
    alarm(
      'Api5xxAlarm',
      stage.metricServerError({ period: ALARM_PERIOD }),
      5,
      'The API answered 5xx at least 5 times in 5 minutes',
    );

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'StateTableName', { value: stateTable.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: idempotencyTable.tableName });
    new CfnOutput(this, 'AppSecretArn', { value: appSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn });
  }
}
