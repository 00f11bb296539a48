/**
 * The gateway on AWS: an HTTP API whose routes come from functions/http/routes.ts, one Lambda function per
 * group of routes, the state and idempotency tables, the app's OAuth secret, and alarms. Only resources here.
 */
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Alias } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { routes } from '../functions/http/routes';
import type { FunctionName } from '../functions/http/routes';
import { IDEMPOTENCY_TABLE, STATE_TABLE } from '../shared/adapters/dynamodb/tables';
import { DEFAULT_SECRET_PREFIX } from '../shared/tokens/company-credentials';

export interface GatewayStackProps extends StackProps {
  /** Where each function's handler lives; functions/http/<name>.ts unless a test says otherwise. */
  entryFor?: (name: FunctionName) => string;
}

const FUNCTION_TIMEOUT = Duration.seconds(29); // API Gateway's integration limit

export class ConcurItineraryGatewayStack extends Stack {
  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, props);
    const entryFor = props.entryFor ?? ((name: FunctionName) => `functions/http/${name}.ts`);

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
      removalPolicy: RemovalPolicy.DESTROY,
    });

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
      reason: 'An OAuth client secret issued by SAP Concur: it cannot be rotated by Secrets Manager.',
    });
    const companySecretsArn = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${DEFAULT_SECRET_PREFIX}/companies/*`,
    });

    const alarms = new Topic(this, 'AlarmTopic', {
      masterKey: Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });

    const functionNames = [...new Set(routes.map((route) => route.function))];
    const functions = new Map<FunctionName, NodejsFunction>();
    for (const name of functionNames) {
      const logGroup = new LogGroup(this, `${name}Logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      const fn = new NodejsFunction(this, `${name}Function`, {
        entry: entryFor(name),
        handler: 'handler',
        runtime: Runtime.NODEJS_24_X,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout: FUNCTION_TIMEOUT,
        tracing: Tracing.ACTIVE,
        logGroup,
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
          target: 'node20',
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
          actions: [
            'secretsmanager:GetSecretValue',
            'secretsmanager:PutSecretValue',
            'secretsmanager:DescribeSecret',
          ],
          resources: [companySecretsArn],
        }),
      );
      for (const [metric, label] of [
        [fn.metricErrors({ period: Duration.minutes(5) }), 'Errors'],
        [fn.metricThrottles({ period: Duration.minutes(5) }), 'Throttles'],
      ] as const) {
        new Alarm(this, `${name}${label}Alarm`, {
          metric,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
          alarmDescription: `${name} function: ${label.toLowerCase()} in the last 5 minutes`,
        }).addAlarmAction(new SnsAction(alarms));
      }
      functions.set(name, fn);
    }
    // cdk-nag names a finding by the resource as synthesized: a known region or account appears literally.
    const shown = (value: string, placeholder: string) => (Token.isUnresolved(value) ? placeholder : value);
    const companySecretsFinding = `arn:<AWS::Partition>:secretsmanager:${shown(this.region, '<AWS::Region>')}:${shown(this.account, '<AWS::AccountId>')}:secret:${DEFAULT_SECRET_PREFIX}/companies/*`;
    for (const fn of functions.values()) {
      const acknowledge = (id: string, reason: string) =>
        Validations.of(fn).acknowledge({ id: `AwsSolutions::${id}`, reason });
      acknowledge(
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'AWSLambdaBasicExecutionRole only lets the function write its own logs.',
      );
      acknowledge(
        `AwsSolutions-IAM5[Resource::${companySecretsFinding}]`,
        'Per-company token secrets are created when a company is onboarded, after deployment: the functions read and rotate those under the companies/ prefix only.',
      );
      acknowledge(
        'AwsSolutions-IAM5[Resource::*]',
        'X-Ray PutTraceSegments/PutTelemetryRecords accept no narrower resource.',
      );
    }

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
            latency: '$context.integrationLatency',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    for (const route of routes) {
      const integration = new HttpLambdaIntegration(
        `${route.operationId}Integration`,
        functions.get(route.function)!,
      );
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
      });
      Validations.of(created!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Suppliers authenticate in the handlers with hashed API keys from DynamoDB (and /health, /openapi.json, /docs are public).',
      });
    }

    new Alarm(this, 'Api5xxAlarm', {
      metric: stage.metricServerError({ period: Duration.minutes(5) }),
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: 'The API answered 5xx at least 5 times in 5 minutes',
    }).addAlarmAction(new SnsAction(alarms));

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'StateTableName', { value: stateTable.tableName });
    new CfnOutput(this, 'IdempotencyTableName', { value: idempotencyTable.tableName });
    new CfnOutput(this, 'AppSecretArn', { value: appSecret.secretArn });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
  }
}
