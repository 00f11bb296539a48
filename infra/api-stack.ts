/**
 * The stateless half of a stage: an HTTP API whose routes come from shared/http/routes/, one Lambda function
 * per group of routes, alarms and their topic. It holds no data: it can be destroyed and deployed again, or
 * rolled back, without touching the stateful stack it receives its tables and secrets from.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ArnFormat,
  CfnOutput,
  CrossStackReferences,
  Duration,
  ReferenceStrength,
  RemovalPolicy,
  Stack,
  Validations,
} from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { CfnStage } from 'aws-cdk-lib/aws-apigatewayv2';
import { ApiMapping, HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Architecture, FunctionUrlAuthType, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Schedule as SchedulerSchedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { FilterPattern, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { ACTIVITY_INDEX, OPEN_OPERATIONS_INDEX, TRIPS_INDEX } from '../shared/adapters/dynamodb/tables';
import { SANDBOX_STATE_PARTITION_PREFIX } from '../shared/adapters/dynamodb/versioned-documents';
import { routes } from '../shared/http/routes';
import type { FunctionName, RouteDefinition } from '../shared/http/route-definition';
import { BUNDLED_DOCS_ASSETS_DIR, DOCS_ASSET_NAMES } from '../shared/http/docs-page';
import {
  BUNDLED_CONSOLE_ASSETS_DIR,
  CONSOLE_SOURCE_DIR,
  CONSOLE_SOURCE_NAMES,
} from '../shared/console/console-page';
import { CONCUR_OPERATIONS, GATEWAY_METRICS } from '../shared/observability/metric-names';
import { STACK_OUTPUTS } from '../shared/stage';
import { DEFAULT_APP_RATE_PER_HOUR, DEFAULT_APP_RATE_PER_MINUTE } from '../shared/app-limits';
import { DEFAULT_POLL_INTERVAL_MS } from '../shared/change-polling/interval';
import { CONCUR_MIN_POLL_INTERVAL_MS } from '../shared/change-polling/ports';
import { DEFAULT_SUPPLIER_RATE_PER_SECOND, SUPPLIER_RATE_PARTITION_PREFIX } from '../shared/supplier-limits';
import { ApiEdge } from './api-edge';
import { EDGE_REGION, WAF_RULES, webAclName } from './edge-stack';
import {
  CHANGE_APPLIER_TIMEOUT,
  CHANGE_POLLER_TIMEOUT,
  HTTP_FUNCTION_TIMEOUT,
  PROCESSOR_TIMEOUT,
} from './function-timeouts';
import type { GatewayState } from './state-stack';

export interface GatewayApiStackProps extends StackProps {
  /** The stage's tables and secrets, from its stateful stack. */
  state: GatewayState;
  /** Requests per second (and burst) for the whole stage; routes that write to Concur get `concurWrites`. */
  throttle?: ApiThrottles;
  /** Where each function's handler lives: functions/http/<name>.ts unless a test says otherwise. */
  entryFor?: (name: LambdaName) => string;
  /** How long the log groups keep their events (default 30 days). */
  logRetention?: RetentionDays;
  /** An address the alarm topic mails, once it confirmed the subscription. */
  alarmEmail?: string;
  /** Requests a second of a supplier without a rate of its own (default 20). */
  supplierRatePerSecond?: number;
  /** A CloudFront distribution with the stage's web ACL (infra/edge-stack.ts) in front of the API. */
  edge?: boolean;
  /** The hosted sandbox test keys book against (default true; `-c sandbox=false` leaves it out). */
  sandbox?: boolean;
  /** How often the change poller runs (default ten minutes, never less: Concur's polling rule). */
  changePollIntervalMs?: number;
}

/**
 * The HTTP functions of the route table, the events queue's processor, the operations sweeper, the deliveries
 * queue's sender and the keep-alive of Concur connections.
 */
export type LambdaName =
  | FunctionName
  | 'processor'
  | 'sweeper'
  | 'deliveries'
  | 'keepalive'
  | 'changeApplier'
  | 'sandbox'
  | 'changePoller';

/**
 * The real handler of a function: functions/http/<name>.ts (functions/events/<name>.ts,
 * functions/deliveries/sender.ts, functions/connections/keep-alive.ts), exporting `handler`.
 */
export function defaultEntry(name: LambdaName): string {
  const path =
    name === 'processor' || name === 'sweeper'
      ? `../functions/events/${name}.ts`
      : name === 'deliveries'
        ? '../functions/deliveries/sender.ts'
        : name === 'keepalive'
          ? '../functions/connections/keep-alive.ts'
          : name === 'changeApplier'
            ? '../functions/change-notices/applier.ts'
            : name === 'sandbox'
              ? '../functions/sandbox/handler.ts'
              : name === 'changePoller'
                ? '../functions/change-notices/poller.ts'
                : `../functions/http/${name}.ts`;
  return fileURLToPath(new URL(path, import.meta.url));
}

/** Every function named by the route table, once each, in route-table order. */
export function functionNames(): FunctionName[] {
  return [...new Set(routes.map((route) => route.function))];
}

/**
 * The DynamoDB actions of each kind of access, and nothing more: no function scans (only the operator's listing
 * does, with the operator's own credentials), no table has a stream, and the one batch is a write: history records
 * of changes made at once, stored together (shared/adapters/dynamodb/grouped-puts.ts).
 */
export const DYNAMODB_ACTIONS = {
  /** Supplier keys: single items. */
  stateRead: ['dynamodb:GetItem'],
  /** Supplier keys, mappings and a booking's history: single items and Query, nothing written. */
  stateQuery: ['dynamodb:GetItem', 'dynamodb:Query'],
  /**
   * Mappings, leases, operations, rate windows: single-item reads and conditional writes, and Query; history
   * records, unconditional puts, also several in one BatchWriteItem.
   */
  stateReadWrite: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  /** Powertools idempotency records. */
  idempotency: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
  /** The trip listing's index. */
  tripsIndex: ['dynamodb:Query'],
  /** Taking a batch of a supplier's slots of the second. */
  supplierLimits: ['dynamodb:UpdateItem'],
  /** A sandbox company's state: read, and written back conditionally on its version. */
  sandboxState: ['dynamodb:GetItem', 'dynamodb:PutItem'],
} as const;

/** What each function's composition (functions/…/<name>.ts) uses, and so all its role may do. */
export interface FunctionAccess {
  /**
   * The state table: supplier keys only (read), also mappings and histories read and queried (query), or also
   * mappings, leases, operations, rate windows written (readWrite), or the open-operations index queried and the
   * operations alone updated (operations: the sweeper).
   */
  state?: 'read' | 'query' | 'readWrite' | 'operations';
  /** The idempotency records of its POST and PUT routes. */
  idempotency?: true;
  /** Calls Concur: the app's OAuth client (read), each company's tokens (read, written back after a refresh). */
  concur?: true;
  /** Sends to the events queue (webhooks, `Prefer: respond-async`, the processor's retries). */
  sendsEvents?: true;
  /** Reads the suppliers' webhook signing secrets. */
  webhookSecrets?: true;
  /** Maps EventBridge sources to suppliers. */
  eventSources?: true;
  /** Queries the state table's trips index (the trip listing). */
  tripsIndex?: true;
  /** The webhook endpoints' signing secrets: creates, rotates and deletes them (manage), or reads them (sign). */
  endpointSecrets?: 'manage' | 'sign';
  /** Sends to the deliveries queue (webhooks to suppliers). */
  sendsDeliveries?: true;
  /** Consumes the deliveries queue (its event source grants that) and postpones its messages by their URL. */
  receivesDeliveries?: true;
  /** Sends to the change notices queue (the ESS route), or consumes it (the change applier, by its event source). */
  changeNotices?: 'send' | 'receive';
  /** Names the API's own URL in what it sends (the operations' links in webhooks). */
  apiBaseUrl?: true;
  /**
   * Queries the state table's activity index (the supplier's bookings and operations, newest first; every
   * supplier, from its `SUPPLIERS` partition).
   */
  activityIndex?: true;
  /** Lists the connections' secrets (names only): the keep-alive goes through every connection. */
  listsConnections?: true;
  /** Serves authenticated routes: counts each supplier's requests (`SUPPLIER-RATE#…` items of the state table). */
  supplierLimits?: true;
  /** The hosted sandbox: reads and writes its companies' state (`SANDBOX#…` items of the state table) alone. */
  sandboxState?: true;
}

export const FUNCTION_ACCESS: Record<LambdaName, FunctionAccess> = {
  meta: {},
  translate: { state: 'read', idempotency: true, supplierLimits: true },
  bookings: { state: 'readWrite', idempotency: true, concur: true, sendsEvents: true, supplierLimits: true },
  trips: {
    state: 'readWrite',
    idempotency: true,
    concur: true,
    sendsEvents: true,
    tripsIndex: true,
    supplierLimits: true,
  },
  events: {
    state: 'readWrite',
    idempotency: true,
    sendsEvents: true,
    webhookSecrets: true,
    supplierLimits: true,
  },
  endpoints: {
    state: 'readWrite',
    idempotency: true,
    endpointSecrets: 'manage',
    sendsDeliveries: true,
    supplierLimits: true,
  },
  activity: { state: 'query', activityIndex: true, supplierLimits: true },
  processor: {
    state: 'readWrite',
    concur: true,
    sendsEvents: true,
    eventSources: true,
    sendsDeliveries: true,
    apiBaseUrl: true,
  },
  sweeper: { state: 'operations', sendsEvents: true },
  deliveries: { state: 'readWrite', endpointSecrets: 'sign', receivesDeliveries: true },
  // Refreshes under the token lease and counts in the outbound rate windows, as live traffic does.
  keepalive: { state: 'readWrite', concur: true, listsConnections: true },
  // Verifies ESS's signature and queues: no state, no secret, no Concur.
  changes: { idempotency: true, changeNotices: 'send' },
  changeApplier: {
    state: 'readWrite',
    concur: true,
    tripsIndex: true,
    activityIndex: true,
    sendsDeliveries: true,
    changeNotices: 'receive',
  },
  // The Concur simulator for test keys: its companies' items of the state table, nothing else.
  sandbox: { sandboxState: true },
  // Lists travelers' trips at Concur and applies them as the change applier does, without its queue.
  changePoller: {
    state: 'readWrite',
    concur: true,
    tripsIndex: true,
    activityIndex: true,
    sendsDeliveries: true,
  },
};

/** Writes bookings, trips or operations: its logs are the record of what it did. */
export function changesData(access: FunctionAccess): boolean {
  return access.state === 'readWrite' || access.state === 'operations';
}

/** How often the sweeper looks for operations left behind (each is overdue 15 minutes before it is taken). */
const SWEEP_SCHEDULE = Schedule.rate(Duration.minutes(5));

/**
 * How often the keep-alive runs: daily, so that a connection is refreshed within a day of its last refresh turning
 * 7 days old (a weekly run would let it reach 14, where the stale alarm fires), far inside the six months.
 */
const KEEP_ALIVE_SCHEDULE = Schedule.rate(Duration.days(1));
/** One keep-alive run: every connection read, those due refreshed four at a time. */
const KEEP_ALIVE_TIMEOUT = Duration.minutes(10);
/** The keep-alive's counts come once a day: its alarms look at a day. */
const KEEP_ALIVE_ALARM_PERIOD = Duration.days(1);

/** The function that serves the API reference's assets carries them in its bundle. */
const docsFunction = routes.find((route) => route.operationId === 'docsAsset')?.function;
const swaggerUiDir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The functions run on Node.js 24, and esbuild compiles for exactly that runtime (see README: Node versions). */
export const RUNTIME = Runtime.NODEJS_24_X;
export const BUNDLE_TARGET = 'node24';
/** Log groups keep their events this long unless `-c logRetentionDays=N` says otherwise. */
export const DEFAULT_LOG_RETENTION = RetentionDays.ONE_MONTH;
/** Bad ESS signatures in 5 minutes worth a look: Concur's key changed, or someone is probing the route. */
const ESS_SIGNATURE_FAILURES_ALARM = 5;
/** One batch of webhooks: ten sends in parallel, each at most 10 s, and the endpoint's rate limit. */
const DELIVERIES_TIMEOUT = Duration.seconds(30);
/** Attempts failing at suppliers' endpoints in 5 minutes that are worth a look (one supplier's outage is not). */
const FAILING_ATTEMPTS_ALARM = 50;
/** The metric the access log's 401 answers are counted in. */
export const API_UNAUTHORIZED_METRIC = 'ApiUnauthorized';
/**
 * An event waiting 30 minutes is a problem. SQS leaves a message received three times or more out of this metric,
 * so an operation retrying through a Concur outage (up to about 4 hours, docs/events.md) does not count.
 */
const OLDEST_EVENT_ALARM_SECONDS = 30 * 60;
const ALARM_PERIOD = Duration.minutes(5);
/**
 * Thresholds of the alarms on load and abuse, each counted in one 5-minute period (docs/operations.md: when an
 * alarm fires). A function's p99 duration alarms at half its timeout, for three periods in a row.
 */
export const ALARM_THRESHOLDS = {
  p99OfTimeout: 0.5,
  concur5xx: 10,
  concur429: 5,
  unauthorized: 100,
  limiterRejections: 10,
  dynamodbThrottles: 1,
} as const;

export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

export interface ApiThrottles {
  /** Every route, shared by all callers of the stage. */
  stage: Throttle;
  /** Each route that creates, changes or cancels at Concur: each such request makes several Concur calls. */
  concurWrites: Throttle;
}

export const DEFAULT_THROTTLES: ApiThrottles = {
  stage: { rateLimit: 50, burstLimit: 100 },
  concurWrites: { rateLimit: 20, burstLimit: 40 },
};

/** Routes whose requests change something at Concur (translate is a dry run, endpoints stay here, reads are cheaper). */
export function writesToConcur(route: RouteDefinition): boolean {
  return route.method !== 'GET' && route.function !== 'translate' && route.function !== 'endpoints';
}

export class GatewayApiStack extends Stack {
  constructor(scope: Construct, id: string, props: GatewayApiStackProps) {
    super(scope, id, props);
    // Strong references (exports): CloudFormation refuses to delete the stateful stack, or a table or secret the
    // functions use, while this stack still refers to it.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);
    const entryFor = props.entryFor ?? defaultEntry;

    const {
      names,
      stateTable,
      idempotencyTable,
      appSecret,
      eventsQueue,
      eventsDeadLetterQueue,
      deliveriesQueue,
      deliveriesDeadLetterQueue,
      changeNoticesQueue,
      changeNoticesDeadLetterQueue,
      partnerDeadLetterQueue,
      eventSources,
      logsKey,
      apiDomain,
    } = props.state;
    const throttles = props.throttle ?? DEFAULT_THROTTLES;
    const logRetention = props.logRetention ?? DEFAULT_LOG_RETENTION;
    const supplierRatePerSecond = props.supplierRatePerSecond ?? DEFAULT_SUPPLIER_RATE_PER_SECOND;
    const companySecretsArn = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${names.secretPrefix}/companies/*`,
    });
    const appSecretsArn = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${names.secretPrefix}/apps/*`,
    });
    const endpointSecretsArn = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${names.secretPrefix}/suppliers/*/endpoints/*`,
    });
    const supplierSecretsArn = this.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      resourceName: `${names.secretPrefix}/suppliers/*`,
    });

    // --- Alarm topic ---------------------------------------------------------------------------------------
    // CloudWatch cannot publish to a topic encrypted with the AWS managed aws/sns key (its policy cannot be
    // changed), so the topic has its own key whose policy lets CloudWatch alarms of this account use it.
    const alarmKey = new Key(this, 'AlarmTopicKey', {
      description: `Encrypts the ${names.resourcePrefix} alarm topic`,
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
      displayName: `${names.resourcePrefix} alarms`,
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
    if (props.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const alarmAction = new SnsAction(alarmTopic);
    // Every alarm says when it fires and when it is over, so nobody keeps chasing what has already passed.
    const alarm = (
      alarmId: string,
      metric: IMetric,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ) => {
      const created = new Alarm(this, alarmId, {
        alarmName: `${names.resourcePrefix}-${alarmId}`,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      return created;
    };

    // --- Functions -----------------------------------------------------------------------------------------
    // cdk-nag names an IAM5 finding by the resource as synthesized; the stack has no environment of its own,
    // so its region and account are the deployment's.
    const secretsFinding = (path: string) =>
      `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${names.secretPrefix}/${path}`;
    const companySecretsFinding = secretsFinding('companies/*');
    const appSecretsFinding = secretsFinding('apps/*');
    const supplierSecretsFinding = secretsFinding('suppliers/*');
    const endpointSecretsFinding = secretsFinding('suppliers/*/endpoints/*');
    // The table's items only (an index is granted by name to the function that queries it), with the actions
    // of the access: the grant*Data helpers would add Scan, the stream actions and DescribeTable.
    const tableStatement = (sid: string, table: ITableV2, actions: readonly string[]) =>
      new PolicyStatement({ sid, actions: [...actions], resources: [table.tableArn] });

    const makeFunction = (name: LambdaName, timeout: Duration, description: string) => {
      const access = FUNCTION_ACCESS[name];
      const logGroup = new LogGroup(this, `${name}Logs`, {
        retention: logRetention,
        encryptionKey: logsKey,
        // The functions that change bookings, trips and operations: their logs are the record of what they did
        // and outlive the stack; the others' go with it.
        removalPolicy: changesData(access) ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      });
      // An own role instead of AWSLambdaBasicExecutionRole: it may write to this function's log group only.
      const role = new Role(this, `${name}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `The ${names.resourcePrefix} ${name} function`,
      });
      logGroup.grantWrite(role);
      const fn = new NodejsFunction(this, `${name}Function`, {
        functionName: `${names.resourcePrefix}-${name}`,
        entry: entryFor(name),
        handler: 'handler',
        runtime: RUNTIME,
        architecture: Architecture.ARM_64,
        memorySize: 512,
        timeout,
        tracing: Tracing.ACTIVE,
        logGroup,
        role,
        description: `${names.resourcePrefix}: ${description}`,
        environment: {
          ...(access.state || access.sandboxState ? { STATE_TABLE_NAME: stateTable.tableName } : {}),
          ...(access.idempotency ? { IDEMPOTENCY_TABLE_NAME: idempotencyTable.tableName } : {}),
          ...(access.concur || access.webhookSecrets || access.endpointSecrets
            ? { SECRET_PREFIX: names.secretPrefix }
            : {}),
          // The outbound limit of each Concur app without its own, under Concur's 4,000 a minute, 240,000 an hour.
          ...(access.concur
            ? {
                CONCUR_RATE_PER_MINUTE: String(DEFAULT_APP_RATE_PER_MINUTE),
                CONCUR_RATE_PER_HOUR: String(DEFAULT_APP_RATE_PER_HOUR),
              }
            : {}),
          ...(access.sendsEvents ? { EVENTS_QUEUE_URL: eventsQueue.queueUrl } : {}),
          ...(access.eventSources ? { EVENT_SOURCES: JSON.stringify(eventSources) } : {}),
          ...(access.sendsDeliveries || access.receivesDeliveries
            ? { DELIVERIES_QUEUE_URL: deliveriesQueue.queueUrl }
            : {}),
          ...(access.changeNotices ? { CHANGE_NOTICES_QUEUE_URL: changeNoticesQueue.queueUrl } : {}),
          ...(access.supplierLimits ? { SUPPLIER_RATE_PER_SECOND: String(supplierRatePerSecond) } : {}),
          POWERTOOLS_SERVICE_NAME: 'concur-gateway',
          POWERTOOLS_METRICS_NAMESPACE: names.metricsNamespace,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
        bundling: {
          format: OutputFormat.ESM,
          mainFields: ['module', 'main'],
          target: BUNDLE_TARGET,
          minify: true,
          // The map beside the bundle turns a logged error's stack back into the TypeScript sources (read when an
          // error is logged, not with --enable-source-maps at every cold start); that needs the mappings only.
          sourceMap: true,
          sourcesContent: false,
          // The runtime provides the AWS SDK v3.
          externalModules: ['@aws-sdk/*'],
          forceDockerBundling: false,
          // Some dependencies are CommonJS and call require(): give the ESM bundle one, under a name no
          // bundled module declares.
          banner:
            "import { createRequire as bundleCreateRequire } from 'node:module'; const require = bundleCreateRequire(import.meta.url);",
          ...(name === docsFunction
            ? {
                commandHooks: {
                  beforeBundling: () => [],
                  beforeInstall: () => [],
                  afterBundling: (_inputDir: string, outputDir: string) => [
                    `mkdir -p "${join(outputDir, BUNDLED_DOCS_ASSETS_DIR)}"`,
                    ...DOCS_ASSET_NAMES.map(
                      (asset) =>
                        `cp "${join(swaggerUiDir, asset)}" "${join(outputDir, BUNDLED_DOCS_ASSETS_DIR, asset)}"`,
                    ),
                    // The supplier console ships with this function alone: no supplier function carries it.
                    `mkdir -p "${join(outputDir, BUNDLED_CONSOLE_ASSETS_DIR)}"`,
                    ...CONSOLE_SOURCE_NAMES.map(
                      (file) =>
                        `cp "${join(CONSOLE_SOURCE_DIR, file)}" "${join(outputDir, BUNDLED_CONSOLE_ASSETS_DIR, file)}"`,
                    ),
                  ],
                },
              }
            : {}),
        },
      });
      if (access.state === 'read')
        fn.addToRolePolicy(tableStatement('StateTable', stateTable, DYNAMODB_ACTIONS.stateRead));
      if (access.state === 'query')
        fn.addToRolePolicy(tableStatement('StateTable', stateTable, DYNAMODB_ACTIONS.stateQuery));
      if (access.state === 'readWrite')
        fn.addToRolePolicy(tableStatement('StateTable', stateTable, DYNAMODB_ACTIONS.stateReadWrite));
      if (access.state === 'operations') {
        // The overdue operations from their index (which holds nothing else), then the operation items alone
        // (their keys in shared/events/operations.ts), claimed and marked queued by conditional updates.
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'OpenOperationsIndex',
            actions: ['dynamodb:Query'],
            resources: [`${stateTable.tableArn}/index/${OPEN_OPERATIONS_INDEX.name}`],
          }),
        );
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'OperationItems',
            actions: ['dynamodb:UpdateItem'],
            resources: [stateTable.tableArn],
            conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['OPERATION#*'] } },
          }),
        );
      }
      if (access.tripsIndex) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'TripsIndex',
            actions: [...DYNAMODB_ACTIONS.tripsIndex],
            resources: [`${stateTable.tableArn}/index/${TRIPS_INDEX.name}`],
          }),
        );
      }
      if (access.activityIndex) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'ActivityIndex',
            actions: ['dynamodb:Query'],
            resources: [`${stateTable.tableArn}/index/${ACTIVITY_INDEX.name}`],
          }),
        );
      }
      if (access.idempotency)
        fn.addToRolePolicy(
          tableStatement('IdempotencyTable', idempotencyTable, DYNAMODB_ACTIONS.idempotency),
        );
      if (access.supplierLimits) {
        // Only the rate windows' items: a function that otherwise only reads the table writes nothing else.
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'SupplierRateWindows',
            actions: [...DYNAMODB_ACTIONS.supplierLimits],
            resources: [stateTable.tableArn],
            conditions: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${SUPPLIER_RATE_PARTITION_PREFIX}*`] },
            },
          }),
        );
      }
      if (access.sandboxState) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'SandboxCompanies',
            actions: [...DYNAMODB_ACTIONS.sandboxState],
            resources: [stateTable.tableArn],
            conditions: {
              'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${SANDBOX_STATE_PARTITION_PREFIX}*`] },
            },
          }),
        );
      }
      if (access.concur && sandboxUrl) {
        // Test keys' calls go to the hosted sandbox, signed with this role: the only callers its URL admits.
        fn.addEnvironment('SANDBOX_URL', sandboxUrl.url);
        sandboxUrl.grantInvokeUrl(fn);
      }
      if (access.sendsEvents) eventsQueue.grantSendMessages(fn);
      if (access.sendsDeliveries) deliveriesQueue.grantSendMessages(fn);
      if (access.changeNotices === 'send') changeNoticesQueue.grantSendMessages(fn);
      if (access.endpointSecrets) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'WebhookEndpointSecrets',
            actions:
              access.endpointSecrets === 'manage'
                ? [
                    'secretsmanager:GetSecretValue',
                    'secretsmanager:CreateSecret',
                    'secretsmanager:PutSecretValue',
                    'secretsmanager:DeleteSecret',
                  ]
                : ['secretsmanager:GetSecretValue'],
            resources: [endpointSecretsArn],
          }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${endpointSecretsFinding}]`,
          reason: `Each webhook endpoint's signing secret is created when a supplier creates the endpoint, after deployment: the function may only ${access.endpointSecrets === 'manage' ? 'create, read, rotate and delete' : 'read'} secrets under ${names.secretPrefix}/suppliers/*/endpoints/.`,
        });
      }
      if (access.webhookSecrets) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'SupplierWebhookSecrets',
            actions: ['secretsmanager:GetSecretValue'],
            resources: [supplierSecretsArn],
          }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${supplierSecretsFinding}]`,
          reason: `Per-supplier webhook signing secrets are created at onboarding, after deployment: the function may only read secrets under ${names.secretPrefix}/suppliers/.`,
        });
      }
      if (access.listsConnections) {
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'ListConnectionSecrets',
            actions: ['secretsmanager:ListSecrets'],
            resources: ['*'],
          }),
        );
      }
      if (access.concur) {
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
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${companySecretsFinding}]`,
          reason: `Per-connection token secrets (a Concur app's tokens for a company) are created at onboarding, after deployment, so their names are not known here: the function may read, describe and write back refreshed tokens of secrets under ${names.secretPrefix}/companies/ only.`,
        });
        fn.addToRolePolicy(
          new PolicyStatement({
            sid: 'ConcurAppSecrets',
            actions: ['secretsmanager:GetSecretValue'],
            resources: [appSecretsArn],
          }),
        );
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${appSecretsFinding}]`,
          reason: `The Concur apps beyond the default one are added by operators after deployment: the function may only read secrets under ${names.secretPrefix}/apps/.`,
        });
      }
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: access.listsConnections
          ? 'X-Ray active tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) and secretsmanager:ListSecrets (names of the connections, never values) support no resource-level permissions.'
          : 'Added by X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      });

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
      alarm(
        `${name}LatencyAlarm`,
        fn.metricDuration({ period: ALARM_PERIOD, statistic: 'p99' }),
        timeout.toMilliseconds() * ALARM_THRESHOLDS.p99OfTimeout,
        `${name} function p99 duration at half its timeout (${timeout.toSeconds() / 2} s) for 15 minutes`,
        3,
      );
      return fn;
    };

    // --- Hosted sandbox ------------------------------------------------------------------------------------
    // The Concur simulator as a function, for test keys: reached at a function URL that admits only requests
    // signed by a principal allowed to invoke it (the functions that call Concur), never anonymous ones.
    const sandboxUrl =
      props.sandbox === false
        ? undefined
        : makeFunction(
            'sandbox',
            HTTP_FUNCTION_TIMEOUT,
            "the Concur simulator for test keys: every supplier's sandbox company, its state in the state table",
          ).addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });
    if (sandboxUrl) new CfnOutput(this, 'SandboxUrl', { value: sandboxUrl.url });

    const functions = new Map<FunctionName, NodejsFunction>();
    for (const name of functionNames()) {
      const operations = routes.filter((route) => route.function === name).map((route) => route.operationId);
      functions.set(name, makeFunction(name, HTTP_FUNCTION_TIMEOUT, operations.join(', ')));
    }

    // --- Events processor ----------------------------------------------------------------------------------
    const processor = makeFunction(
      'processor',
      PROCESSOR_TIMEOUT,
      'applies partner events and asynchronous requests from the events queue',
    );
    processor.addEventSource(
      new SqsEventSource(eventsQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 5 }),
    );
    alarm(
      'EventsDeadLettersAlarm',
      eventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      1,
      'Events the processor could not handle at all are in the dead-letter queue',
    );
    alarm(
      'EventsOldestMessageAlarm',
      eventsQueue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
      OLDEST_EVENT_ALARM_SECONDS,
      'An event has waited in the events queue for more than 30 minutes before its third receive: the processor is not keeping up',
    );
    alarm(
      'PartnerEventsDeadLettersAlarm',
      partnerDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      1,
      'EventBridge could not deliver partner bus events to the events queue within its retries',
    );

    // --- Operations sweeper --------------------------------------------------------------------------------
    const sweeper = makeFunction(
      'sweeper',
      PROCESSOR_TIMEOUT,
      'queues again the operations left behind (open long after their next step was due)',
    );
    new Rule(this, 'SweeperSchedule', {
      description: `${names.resourcePrefix}: runs the operations sweeper`,
      schedule: SWEEP_SCHEDULE,
      targets: [new LambdaFunction(sweeper, { retryAttempts: 0 })],
    });

    // --- Keep-alive of Concur connections -------------------------------------------------------------------
    const keepAlive = makeFunction(
      'keepalive',
      KEEP_ALIVE_TIMEOUT,
      'refreshes the Concur connections not refreshed for 7 days, so that no refresh token reaches its six months unused',
    );
    new Rule(this, 'KeepAliveSchedule', {
      description: `${names.resourcePrefix}: runs the keep-alive of Concur connections`,
      schedule: KEEP_ALIVE_SCHEDULE,
      targets: [new LambdaFunction(keepAlive, { retryAttempts: 0 })],
    });

    // --- Webhook deliveries --------------------------------------------------------------------------------
    const deliveries = makeFunction(
      'deliveries',
      DELIVERIES_TIMEOUT,
      "sends webhooks to suppliers' endpoints from the deliveries queue",
    );
    deliveries.addEventSource(
      new SqsEventSource(deliveriesQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 10,
      }),
    );
    alarm(
      'DeliveriesDeadLettersAlarm',
      deliveriesDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      1,
      'Webhook deliveries the delivery function could not handle at all are in the dead-letter queue (runbook: webhooks to suppliers)',
    );

    // --- Changes made in Concur (ESS itinerary events) ------------------------------------------------------
    const changeApplier = makeFunction(
      'changeApplier',
      CHANGE_APPLIER_TIMEOUT,
      'applies itinerary events from Concur (Itinerary v4 reads) and tells the suppliers that own the bookings',
    );
    changeApplier.addEventSource(
      new SqsEventSource(changeNoticesQueue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
    alarm(
      'ChangeNoticesDeadLettersAlarm',
      changeNoticesDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      1,
      'Itinerary events from Concur could not be applied and are in the dead-letter queue (runbook: changes made in Concur)',
    );

    // --- Changes made in Concur, polled for the companies without ESS -------------------------------------
    const changePollIntervalMs = props.changePollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    if (changePollIntervalMs < CONCUR_MIN_POLL_INTERVAL_MS || changePollIntervalMs % 60_000 !== 0)
      throw new Error(
        `the change poll interval must be whole minutes, at least ${CONCUR_MIN_POLL_INTERVAL_MS / 60_000} (Concur's polling rule)`,
      );
    const changePoller = makeFunction(
      'changePoller',
      CHANGE_POLLER_TIMEOUT,
      'lists the modified trips of travelers with live bookings in the companies set to poll, and tells the suppliers that own them',
    );
    changePoller.addEnvironment('CHANGE_POLL_INTERVAL', `${changePollIntervalMs / 60_000}m`);
    // The schedule's own role, allowed to invoke the poller alone, and only for schedules of this account.
    const changePollScheduleRole = new Role(this, 'ChangePollScheduleRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: `The ${names.resourcePrefix} schedule of the change poller`,
    });
    Validations.of(changePollScheduleRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${this.getLogicalId(changePoller.node.defaultChild as CfnFunction)}.Arn>:*]`,
      reason:
        "Lambda's invoke grant names the change poller and its versions (`:*`): the role may invoke that one function and nothing else.",
    });
    new SchedulerSchedule(this, 'ChangePollSchedule', {
      description: `${names.resourcePrefix}: runs the change poller`,
      schedule: ScheduleExpression.rate(Duration.minutes(changePollIntervalMs / 60_000)),
      // A missed run is the next one's: the travelers' cursors keep where each poll got to.
      target: new LambdaInvoke(changePoller, { retryAttempts: 0, role: changePollScheduleRole }),
    });

    // --- HTTP API ------------------------------------------------------------------------------------------
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: logRetention,
      encryptionKey: logsKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new HttpApi(this, 'Api', {
      apiName: names.resourcePrefix,
      description: 'Supplier JSON API in front of SAP Concur Itinerary v1.1',
      createDefaultStage: false,
    });
    const stage = api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: throttles.stage,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    // The HTTP API throttles per stage and per route, never per caller (no usage plans or API keys, which
    // are REST API features): see docs/operations.md. Per-route limits are stage route settings by route key.
    const routeSettings: Record<string, object> = {};
    const createdRoutes: Construct[] = [];
    for (const route of routes) {
      const fn = functions.get(route.function);
      if (!fn) throw new Error(`no function ${route.function} for ${route.method} ${route.path}`);
      const [created] = api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${route.operationId}Integration`, fn),
      });
      createdRoutes.push(created!);
      if (writesToConcur(route)) {
        routeSettings[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: throttles.concurWrites.rateLimit,
          ThrottlingBurstLimit: throttles.concurWrites.burstLimit,
        };
      }
      Validations.of(created!).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: route.authenticated
          ? 'Suppliers authenticate in the handler with an API key checked against SHA-256 hashes in the state table.'
          : route.function === 'changes'
            ? "Concur's ESS authenticates in the handler with its Concur-Signature (RSA, Concur's public key)."
            : route.signed
              ? 'Partners authenticate in the handler with a Standard Webhooks signature by their own secret.'
              : 'A public route (health, OpenAPI document, docs page): it needs no authorization.',
      });
    }
    // With AWS WAF, callers reach the API through a CloudFront distribution only (infra/api-edge.ts): every HTTP
    // function checks the distribution's header and names the distribution's URL in its self links.
    const edge = props.edge ? new ApiEdge(this, 'Edge', { names, api, logRetention, logsKey }) : undefined;
    const apiUrl = edge?.url ?? api.apiEndpoint;
    if (edge) {
      for (const fn of functions.values()) {
        fn.addEnvironment('ORIGIN_VERIFY_SECRET_ARN', edge.originVerifySecret.secretArn);
        fn.addEnvironment('API_BASE_URL', apiUrl);
        edge.originVerifySecret.grantRead(fn);
      }
    }
    // The operations' links in the webhooks the processor sends.
    for (const [name, fn] of [['processor', processor] as const, ...functions]) {
      if (FUNCTION_ACCESS[name].apiBaseUrl) fn.addEnvironment('API_BASE_URL', apiUrl);
    }
    const cfnStage = stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = routeSettings;
    // Route settings name route keys: the routes must exist before the stage refers to them.
    for (const created of createdRoutes) stage.node.addDependency(created);
    alarm(
      'Api5xxAlarm',
      stage.metricServerError({ period: ALARM_PERIOD }),
      5,
      'The API answered 5xx at least 5 times in 5 minutes',
    );
    // API Gateway counts 4xx only all together: the 401s (unknown or ended keys) are counted from the access log.
    const unauthorized = accessLogs
      .addMetricFilter('UnauthorizedFilter', {
        filterPattern: FilterPattern.stringValue('$.status', '=', '401'),
        metricNamespace: names.metricsNamespace,
        metricName: API_UNAUTHORIZED_METRIC,
        metricValue: '1',
      })
      .metric({ period: ALARM_PERIOD, statistic: 'Sum' });
    alarm(
      'ApiUnauthorizedSurgeAlarm',
      unauthorized,
      ALARM_THRESHOLDS.unauthorized,
      `At least ${ALARM_THRESHOLDS.unauthorized} requests with an unknown or ended API key in 5 minutes: someone may be guessing keys`,
    );
    if (apiDomain) new ApiMapping(this, 'ApiDomainMapping', { api, domainName: apiDomain, stage });

    // --- The gateway's own metrics (Powertools, EMF) -------------------------------------------------------
    const gatewayMetric = (
      metricName: string,
      options: { period?: Duration; statistic?: string; dimensions?: Record<string, string> } = {},
    ) =>
      new Metric({
        namespace: names.metricsNamespace,
        metricName,
        dimensionsMap: { service: 'concur-gateway', ...options.dimensions },
        statistic: options.statistic ?? 'Sum',
        period: options.period ?? ALARM_PERIOD,
      });
    /** Every series of a metric published with `operation` and/or `status` dimensions, whatever their values. */
    const everySeries = (metricName: string, dimensions: string[], label: string) =>
      new MathExpression({
        expression: `SEARCH('{${names.metricsNamespace},${['service', ...dimensions].sort().join(',')}} MetricName="${metricName}"', 'Sum', ${ALARM_PERIOD.toSeconds()})`,
        usingMetrics: {},
        label,
        period: ALARM_PERIOD,
      });
    alarm(
      'ChangePollFailuresAlarm',
      // One run per interval: a period of its length sees each run's failures once.
      gatewayMetric(GATEWAY_METRICS.changePollFailures, { period: Duration.millis(changePollIntervalMs) }),
      1,
      "The change poller could not list or apply some travelers' trips; they are listed again at the next run (runbook: changes made in Concur)",
    );
    alarm(
      'RefreshTokenExpiringAlarm',
      gatewayMetric(GATEWAY_METRICS.refreshTokenExpiring, { period: Duration.hours(1) }),
      1,
      "A company's Concur refresh token ends within 30 days: connect the company again (runbook: renew a company)",
    );
    alarm(
      'TokenRefreshRefusedAlarm',
      gatewayMetric(GATEWAY_METRICS.tokenRefreshFailures, { dimensions: { status: '4xx' } }),
      1,
      "Concur refused a company's refresh token: connect the company again (runbook: when an alarm fires)",
    );
    alarm(
      'KeepAliveRefusedAlarm',
      gatewayMetric(GATEWAY_METRICS.keepAliveRefused, { period: KEEP_ALIVE_ALARM_PERIOD }),
      1,
      "Concur refused a connection's refresh token at the keep-alive: connect the company again (runbook: keep-alive of connections)",
    );
    alarm(
      'ConnectionsStaleAlarm',
      gatewayMetric(GATEWAY_METRICS.connectionsStale, {
        period: KEEP_ALIVE_ALARM_PERIOD,
        statistic: 'Maximum',
      }),
      1,
      'A Concur connection has not been refreshed for 14 days: its keep-alive refreshes keep failing (runbook: keep-alive of connections)',
    );
    alarm(
      'EventsRequeuedAlarm',
      gatewayMetric(GATEWAY_METRICS.eventsRequeued),
      1,
      'Operations were left behind (their message lost) and the sweeper queued them again: find why (runbook: operations queued again)',
    );
    alarm(
      'DeliveriesFailingAlarm',
      gatewayMetric(GATEWAY_METRICS.webhookAttemptsFailed),
      FAILING_ATTEMPTS_ALARM,
      `At least ${FAILING_ATTEMPTS_ALARM} webhook attempts failed at suppliers' endpoints in 5 minutes (runbook: webhooks to suppliers)`,
    );
    alarm(
      'WebhookEndpointsDisabledAlarm',
      gatewayMetric(GATEWAY_METRICS.webhookEndpointsDisabled),
      1,
      "A supplier's webhook endpoint failed every attempt for 5 days and was disabled (runbook: webhooks to suppliers)",
    );
    alarm(
      'EssSignatureFailuresAlarm',
      gatewayMetric(GATEWAY_METRICS.essSignatureFailures),
      ESS_SIGNATURE_FAILURES_ALARM,
      `At least ${ESS_SIGNATURE_FAILURES_ALARM} ESS deliveries with a Concur-Signature that did not verify in 5 minutes (runbook: changes made in Concur)`,
    );
    alarm(
      'EventsParkedAlarm',
      gatewayMetric(GATEWAY_METRICS.eventsParked),
      1,
      'Events were parked: find the cause with events list --parked, fix it, replay (runbook: replay parked events)',
    );
    // Every operation's series of one status class, summed (an alarm cannot use SEARCH).
    const concurErrorsOf = (status: string) =>
      new MathExpression({
        expression: CONCUR_OPERATIONS.map((_, index) => `e${index}`).join(' + '),
        usingMetrics: Object.fromEntries(
          CONCUR_OPERATIONS.map((operation, index) => [
            `e${index}`,
            gatewayMetric(GATEWAY_METRICS.concurErrors, { dimensions: { operation, status } }),
          ]),
        ),
        label: `Concur ${status} answers`,
        period: ALARM_PERIOD,
      });
    alarm(
      'Concur5xxAlarm',
      concurErrorsOf('5xx'),
      ALARM_THRESHOLDS.concur5xx,
      `Concur answered 5xx to at least ${ALARM_THRESHOLDS.concur5xx} operations in 5 minutes (after the gateway's retries)`,
    );
    alarm(
      'Concur429Alarm',
      concurErrorsOf('429'),
      ALARM_THRESHOLDS.concur429,
      `Concur refused at least ${ALARM_THRESHOLDS.concur429} operations in 5 minutes with 429: its rate limit is reached`,
    );
    alarm(
      'LimiterRejectionsAlarm',
      gatewayMetric(GATEWAY_METRICS.limiterRejections),
      ALARM_THRESHOLDS.limiterRejections,
      `At least ${ALARM_THRESHOLDS.limiterRejections} Concur calls in 5 minutes found no slot in the gateway's outbound rate limit`,
    );
    const tableThrottles = (table: ITableV2) =>
      new MathExpression({
        expression: 'reads + writes',
        usingMetrics: Object.fromEntries(
          (['reads', 'writes'] as const).map((kind) => [
            kind,
            new Metric({
              namespace: 'AWS/DynamoDB',
              metricName: kind === 'reads' ? 'ReadThrottleEvents' : 'WriteThrottleEvents',
              dimensionsMap: { TableName: table.tableName },
              statistic: 'Sum',
              period: ALARM_PERIOD,
            }),
          ]),
        ),
        label: 'throttled reads and writes',
        period: ALARM_PERIOD,
      });
    alarm(
      'StateTableThrottlesAlarm',
      tableThrottles(stateTable),
      ALARM_THRESHOLDS.dynamodbThrottles,
      'DynamoDB throttled reads or writes of the state table in 5 minutes',
    );
    alarm(
      'IdempotencyTableThrottlesAlarm',
      tableThrottles(idempotencyTable),
      ALARM_THRESHOLDS.dynamodbThrottles,
      'DynamoDB throttled reads or writes of the idempotency table in 5 minutes',
    );

    // --- Dashboard -----------------------------------------------------------------------------------------
    const lambdas = [
      ...functions.values(),
      processor,
      sweeper,
      deliveries,
      keepAlive,
      changeApplier,
      changePoller,
    ];
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: names.resourcePrefix,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# concur-gateway ${names.stage}\nAPI, functions, events and Concur. Alarms and what to do: docs/operations.md (runbook).`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'API requests, 4xx, 5xx',
        left: [stage.metricCount({ period: ALARM_PERIOD })],
        right: [
          stage.metricClientError({ period: ALARM_PERIOD }),
          stage.metricServerError({ period: ALARM_PERIOD }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'API latency (p50, p99)',
        left: [
          stage.metricLatency({ period: ALARM_PERIOD, statistic: 'p50' }),
          stage.metricLatency({ period: ALARM_PERIOD, statistic: 'p99' }),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Function errors and throttles',
        left: lambdas.map((fn) => fn.metricErrors({ period: ALARM_PERIOD })),
        right: lambdas.map((fn) => fn.metricThrottles({ period: ALARM_PERIOD })),
        width: 12,
      }),
      new GraphWidget({
        title: 'Function duration (p99)',
        left: lambdas.map((fn) => fn.metricDuration({ period: ALARM_PERIOD, statistic: 'p99' })),
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Events queue depth, dead letters, oldest event (s)',
        left: [
          eventsQueue.metricApproximateNumberOfMessagesVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
          eventsDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
        ],
        right: [
          eventsQueue.metricApproximateAgeOfOldestMessage({ period: ALARM_PERIOD, statistic: 'Maximum' }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Events: applied, skipped, failed, parked, retried',
        left: [
          gatewayMetric(GATEWAY_METRICS.eventsApplied),
          gatewayMetric(GATEWAY_METRICS.eventsSkipped),
          gatewayMetric(GATEWAY_METRICS.eventsFailed),
          gatewayMetric(GATEWAY_METRICS.eventsParked),
          gatewayMetric(GATEWAY_METRICS.eventsRetried),
          gatewayMetric(GATEWAY_METRICS.eventsRequeued),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Deliveries queue depth, dead letters',
        left: [
          deliveriesQueue.metricApproximateNumberOfMessagesVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
          deliveriesQueue.metricApproximateNumberOfMessagesNotVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
          deliveriesDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: 'Webhooks: delivered, failed for good, failed attempts, endpoints disabled',
        left: [
          gatewayMetric(GATEWAY_METRICS.webhooksDelivered),
          gatewayMetric(GATEWAY_METRICS.webhooksFailed),
          gatewayMetric(GATEWAY_METRICS.webhookAttemptsFailed),
        ],
        right: [gatewayMetric(GATEWAY_METRICS.webhookEndpointsDisabled)],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Change notices queue depth, dead letters',
        left: [
          changeNoticesQueue.metricApproximateNumberOfMessagesVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
          changeNoticesDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
            period: ALARM_PERIOD,
            statistic: 'Maximum',
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title:
          'Changes made in Concur: ESS events received, travelers polled, changes told to suppliers; signature and poll failures',
        left: [
          gatewayMetric(GATEWAY_METRICS.concurEventsReceived),
          gatewayMetric(GATEWAY_METRICS.changePollTravelers),
          gatewayMetric(GATEWAY_METRICS.concurChangesAnnounced),
        ],
        right: [
          gatewayMetric(GATEWAY_METRICS.essSignatureFailures),
          gatewayMetric(GATEWAY_METRICS.changePollFailures),
        ],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Concur latency by operation (p99, answered 2xx)',
        left: CONCUR_OPERATIONS.map((operation) =>
          gatewayMetric(GATEWAY_METRICS.concurLatency, {
            statistic: 'p99',
            dimensions: { operation, status: '2xx' },
          }).with({ label: operation }),
        ),
        width: 12,
      }),
      new GraphWidget({
        title: 'Concur errors by operation and status class; refusals without token trouble (403)',
        left: [everySeries(GATEWAY_METRICS.concurErrors, ['operation', 'status'], '')],
        right: [everySeries(GATEWAY_METRICS.concurForbidden, ['operation'], 'forbidden')],
        width: 12,
      }),
    );
    dashboard.addWidgets(
      new GraphWidget({
        title: 'Concur tokens: refreshes, failures by status class, refresh tokens near their end',
        left: [
          gatewayMetric(GATEWAY_METRICS.tokenRefreshes),
          everySeries(GATEWAY_METRICS.tokenRefreshFailures, ['status'], 'failed'),
        ],
        right: [gatewayMetric(GATEWAY_METRICS.refreshTokenExpiring, { period: Duration.hours(1) })],
        width: 12,
      }),
      new GraphWidget({
        title: 'Outbound rate limit: waits and rejections; wait time (p99, ms)',
        left: [gatewayMetric(GATEWAY_METRICS.limiterWaits), gatewayMetric(GATEWAY_METRICS.limiterRejections)],
        right: [gatewayMetric(GATEWAY_METRICS.limiterWaitTime, { statistic: 'p99' })],
        width: 12,
      }),
    );

    dashboard.addWidgets(
      new GraphWidget({
        title: 'Keep-alive of connections (daily): refreshed, refused, failed; stale (14 days)',
        left: [
          gatewayMetric(GATEWAY_METRICS.keepAliveRefreshed, { period: KEEP_ALIVE_ALARM_PERIOD }),
          gatewayMetric(GATEWAY_METRICS.keepAliveRefused, { period: KEEP_ALIVE_ALARM_PERIOD }),
          gatewayMetric(GATEWAY_METRICS.keepAliveFailed, { period: KEEP_ALIVE_ALARM_PERIOD }),
        ],
        right: [
          gatewayMetric(GATEWAY_METRICS.connectionsStale, {
            period: KEEP_ALIVE_ALARM_PERIOD,
            statistic: 'Maximum',
          }),
        ],
        width: 12,
      }),
    );

    if (edge) {
      // WAF reports a CloudFront web ACL's metrics in us-east-1, per rule and for the whole web ACL.
      const wafMetric = (
        metricName: 'AllowedRequests' | 'BlockedRequests' | 'CountedRequests',
        rule: string,
      ) =>
        new Metric({
          namespace: 'AWS/WAFV2',
          metricName,
          region: EDGE_REGION,
          dimensionsMap: { WebACL: webAclName(names), Rule: rule },
          statistic: 'Sum',
          period: ALARM_PERIOD,
          label: `${rule} ${metricName}`,
        });
      dashboard.addWidgets(
        new GraphWidget({
          title: 'AWS WAF: requests allowed and blocked (all rules)',
          left: [wafMetric('AllowedRequests', 'ALL'), wafMetric('BlockedRequests', 'ALL')],
          width: 12,
        }),
        new GraphWidget({
          title: 'AWS WAF: blocked by the IP rate rule and the managed rules; counted only',
          left: Object.values(WAF_RULES).map((rule) => wafMetric('BlockedRequests', rule)),
          right: [wafMetric('CountedRequests', WAF_RULES.common)],
          width: 12,
        }),
      );
    }

    new CfnOutput(this, STACK_OUTPUTS.dashboardName, { value: names.resourcePrefix });
    new CfnOutput(this, STACK_OUTPUTS.apiUrl, {
      value: apiUrl,
      description: edge
        ? 'The API’s URL: its CloudFront distribution, with AWS WAF (the HTTP API’s own URL refuses every request); it changes when this stack is created again'
        : 'The HTTP API’s own URL: it changes when the API is created again',
    });
    new CfnOutput(this, STACK_OUTPUTS.supplierUrl, {
      value: apiDomain ? `https://${apiDomain.name}` : apiUrl,
      description: apiDomain
        ? 'The URL suppliers and partners use: the custom domain, kept by every change of this stack'
        : edge
          ? 'The URL suppliers and partners use: the CloudFront distribution with AWS WAF, which changes when this stack is created again'
          : 'The URL suppliers and partners use: without -c domainName it is the API’s own and changes when the API is created again',
    });
    new CfnOutput(this, STACK_OUTPUTS.alarmTopicArn, { value: alarmTopic.topicArn });
  }
}
