/**
 * The stateful half of a stage: what must outlive any deployment of the code (the tables and the app's OAuth
 * secret; the per-company token secrets are created by onboarding, outside any stack). Every resource here is
 * retained when the stack is deleted, and nothing here changes when only the code does, so the stateless stack
 * can be destroyed and deployed again without touching data.
 */
import { CHANGE_NOTICES_MAX_RECEIVES } from '../shared/change-notices/ports';
import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { DomainName, SecurityPolicy } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IDomainName } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { AccountPrincipal, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { AaaaRecord, ARecord, HostedZone, RecordTarget } from 'aws-cdk-lib/aws-route53';
import { ApiGatewayv2DomainProperties } from 'aws-cdk-lib/aws-route53-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE, STATE_TABLE, STATE_TABLE_INDEXES } from '../shared/adapters/dynamodb/tables';
import { EVENT_TYPES } from '../shared/events/envelope';
import { DEFAULT_EVENT_RETRY } from '../shared/events/processor';
import {
  DELIVERIES_MAX_RECEIVES,
  DELIVERIES_VISIBILITY_TIMEOUT_SECONDS,
} from '../shared/webhooks-out/delivery';
import { STACK_OUTPUTS } from '../shared/stage';
import type { StageNames } from '../shared/stage';
import { changeNoticesVisibilityTimeout, eventsVisibilityTimeout } from './function-timeouts';

/** What the stateless stack (and anything added later) receives from the stateful one. */
export interface GatewayState {
  names: StageNames;
  stateTable: ITableV2;
  idempotencyTable: ITableV2;
  /** `<secretPrefix>/app`: the gateway's Concur OAuth client. */
  appSecret: ISecret;
  /** Webhooks, `Prefer: respond-async` requests and partner bus events, for the processor. */
  eventsQueue: IQueue;
  eventsDeadLetterQueue: IQueue;
  partnerBus: IEventBus;
  /** Webhooks to suppliers' endpoints, for the delivery function. */
  deliveriesQueue: IQueue;
  deliveriesDeadLetterQueue: IQueue;
  /** Itinerary events from Concur's ESS, for the change applier. */
  changeNoticesQueue: IQueue;
  changeNoticesDeadLetterQueue: IQueue;
  /** Partner bus events its rule could not deliver to the events queue. */
  partnerDeadLetterQueue: IQueue;
  /** EventBridge `source` → supplier id. */
  eventSources: Readonly<Record<string, string>>;
  /** Encrypts the functions' log groups; retained, so retained log groups stay readable. */
  logsKey: IKey;
  /** The custom domain the stateless stack maps its API to, when the stage has one. */
  apiDomain?: IDomainName;
}

/**
 * The stage's own address (`-c domainName=…`): a certificate by ARN, or a Route 53 hosted zone in which the
 * stack validates a new certificate and points the name at the API.
 */
export interface ApiDomainOptions {
  domainName: string;
  certificateArn?: string;
  hostedZone?: { id: string; name: string };
}

export interface GatewayStateStackProps extends StackProps {
  names: StageNames;
  /** EventBridge `source` → supplier id: the partner bus routes these sources' events to the events queue. */
  eventSources?: Record<string, string>;
  /** AWS accounts allowed to put events of those sources on the partner bus. */
  partnerAccounts?: string[];
  domain?: ApiDomainOptions;
}

/** How long the partner bus keeps every event of the gateway's types, for a replay from EventBridge itself. */
export const PARTNER_ARCHIVE_RETENTION = Duration.days(30);
/** EventBridge's delivery of a partner event to the events queue: its retries, then the dead-letter queue. */
export const PARTNER_DELIVERY = { retryAttempts: 185, maxEventAge: Duration.hours(24) };

export class GatewayStateStack extends Stack {
  readonly state: GatewayState;

  constructor(scope: Construct, id: string, props: GatewayStateStackProps) {
    super(scope, id, props);
    const { names } = props;

    const stateTable = new TableV2(this, 'StateTable', {
      tableName: `${names.resourcePrefix}-state`,
      partitionKey: { name: STATE_TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: STATE_TABLE.sortKey, type: AttributeType.STRING },
      timeToLiveAttribute: STATE_TABLE.ttlAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Retained when the stack goes, and a DeleteTable call (console, CLI, a replacing change) is refused.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
      // The trip listing (a supplier's records grouped by trip), the supplier's activity (its mappings and
      // operations, newest first) and the sweeper's open operations: a Query per page, never a scan
      // (docs/data-model.md). CloudFormation adds one index per update, so a later index comes in a deployment of
      // its own.
      globalSecondaryIndexes: STATE_TABLE_INDEXES.map((index) => ({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType[index.projection],
      })),
    });
    const idempotencyTable = new TableV2(this, 'IdempotencyTable', {
      tableName: `${names.resourcePrefix}-idempotency`,
      partitionKey: { name: IDEMPOTENCY_TABLE.partitionKey, type: AttributeType.STRING },
      timeToLiveAttribute: IDEMPOTENCY_TABLE.ttlAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // Retained like the state table: a request answered just before a redeploy must not run twice after it.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });

    // The functions' log groups are encrypted with this key. It is retained like the data: log groups kept
    // after their stack is deleted must stay readable.
    const logsKey = new Key(this, 'LogsKey', {
      description: `Encrypts the ${names.resourcePrefix} log groups`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    logsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
          },
        },
      }),
    );

    const appSecret = new Secret(this, 'ConcurAppSecret', {
      secretName: `${names.secretPrefix}/app`,
      description: `The ${names.stage} gateway's Concur OAuth client: {clientId, clientSecret}; the operator fills it in.`,
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ clientId: 'set-me' }),
        generateStringKey: 'clientSecret',
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(appSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation is not applicable: the OAuth client secret is issued by SAP Concur and cannot be rotated by a Secrets Manager rotation function; the gateway refreshes the Concur access tokens itself.',
    });

    // Queued events are state too: a redeploy of the functions must not lose one.
    const eventsDeadLetterQueue = new Queue(this, 'EventsDeadLetterQueue', {
      queueName: `${names.resourcePrefix}-events-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(eventsDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the events queue; it has none of its own.',
    });
    const eventsQueue = new Queue(this, 'EventsQueue', {
      queueName: `${names.resourcePrefix}-events`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: eventsVisibilityTimeout(),
      retentionPeriod: Duration.days(4),
      removalPolicy: RemovalPolicy.RETAIN,
      // The processor parks an operation on its last allowed receive; only messages it could not handle at all
      // (a crash, a timeout) are received more often than that and end here.
      deadLetterQueue: { queue: eventsDeadLetterQueue, maxReceiveCount: DEFAULT_EVENT_RETRY.maxReceives + 2 },
    });
    // Webhooks to suppliers: a message waits here for its next attempt (up to 10 h), so it is state as well.
    const deliveriesDeadLetterQueue = new Queue(this, 'DeliveriesDeadLetterQueue', {
      queueName: `${names.resourcePrefix}-deliveries-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(deliveriesDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the deliveries queue; it has none of its own.',
    });
    const deliveriesQueue = new Queue(this, 'DeliveriesQueue', {
      queueName: `${names.resourcePrefix}-deliveries`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(DELIVERIES_VISIBILITY_TIMEOUT_SECONDS),
      // The schedule takes about 28 hours; what is left after 4 days no attempt can still want.
      retentionPeriod: Duration.days(4),
      removalPolicy: RemovalPolicy.RETAIN,
      deadLetterQueue: { queue: deliveriesDeadLetterQueue, maxReceiveCount: DELIVERIES_MAX_RECEIVES },
    });
    // Itinerary events ESS delivered: an acknowledged event lives only here until it is applied.
    const changeNoticesDeadLetterQueue = new Queue(this, 'ChangeNoticesDeadLetterQueue', {
      queueName: `${names.resourcePrefix}-change-notices-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(changeNoticesDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This is the dead-letter queue of the change notices queue; it has none of its own.',
    });
    const changeNoticesQueue = new Queue(this, 'ChangeNoticesQueue', {
      queueName: `${names.resourcePrefix}-change-notices`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: changeNoticesVisibilityTimeout(),
      retentionPeriod: Duration.days(4),
      removalPolicy: RemovalPolicy.RETAIN,
      deadLetterQueue: { queue: changeNoticesDeadLetterQueue, maxReceiveCount: CHANGE_NOTICES_MAX_RECEIVES },
    });
    const partnerBus = new EventBus(this, 'PartnerEventBus', {
      eventBusName: `${names.resourcePrefix}-partners`,
    });
    // Partners' events are data the gateway may not have applied yet: kept like the queues.
    partnerBus.applyRemovalPolicy(RemovalPolicy.RETAIN);
    partnerBus
      .archive('PartnerEventsArchive', {
        archiveName: `${names.resourcePrefix}-partners`,
        description: 'Partner booking and trip events, for a replay from EventBridge itself',
        eventPattern: { detailType: [...EVENT_TYPES] },
        retention: PARTNER_ARCHIVE_RETENTION,
      })
      .applyRemovalPolicy(RemovalPolicy.RETAIN);
    const eventSources = props.eventSources ?? {};
    const sources = Object.keys(eventSources);
    const partnerAccounts = props.partnerAccounts ?? [];
    if (partnerAccounts.length > 0) {
      if (sources.length === 0)
        throw new Error(
          'partner accounts need event sources: give -c eventSources as well as -c partnerAccounts',
        );
      // Only the named accounts, and only with the configured sources; the bus's own account needs IAM rights.
      partnerBus.addToResourcePolicy(
        new PolicyStatement({
          sid: 'PartnerAccountsPutTheirEvents',
          principals: partnerAccounts.map((account) => new AccountPrincipal(account)),
          actions: ['events:PutEvents'],
          resources: [partnerBus.eventBusArn],
          conditions: { StringEquals: { 'events:source': sources } },
        }),
      );
    }
    const partnerDeadLetterQueue = new Queue(this, 'PartnerEventsDeadLetterQueue', {
      queueName: `${names.resourcePrefix}-partner-events-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(partnerDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: "This is the dead-letter queue of the partner bus rule's target; it has none of its own.",
    });
    // Only events of the configured sources: an event nobody can map to a supplier is not queued at all.
    if (sources.length > 0) {
      new Rule(this, 'PartnerEventsRule', {
        eventBus: partnerBus,
        description: 'Partner booking and trip events into the events queue',
        eventPattern: { detailType: [...EVENT_TYPES], source: sources },
        targets: [
          new SqsQueue(eventsQueue, { ...PARTNER_DELIVERY, deadLetterQueue: partnerDeadLetterQueue }),
        ],
      });
    }

    const apiDomain = props.domain ? this.apiDomain(props.domain) : undefined;

    this.state = {
      names,
      stateTable,
      idempotencyTable,
      appSecret,
      eventsQueue,
      eventsDeadLetterQueue,
      partnerBus,
      deliveriesQueue,
      deliveriesDeadLetterQueue,
      changeNoticesQueue,
      changeNoticesDeadLetterQueue,
      partnerDeadLetterQueue,
      eventSources,
      logsKey,
      apiDomain,
    };

    new CfnOutput(this, STACK_OUTPUTS.stateTableName, { value: stateTable.tableName });
    new CfnOutput(this, STACK_OUTPUTS.idempotencyTableName, { value: idempotencyTable.tableName });
    new CfnOutput(this, STACK_OUTPUTS.appSecretArn, { value: appSecret.secretArn });
    new CfnOutput(this, STACK_OUTPUTS.eventsQueueUrl, { value: eventsQueue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.eventsDeadLetterQueueUrl, { value: eventsDeadLetterQueue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.deliveriesQueueUrl, { value: deliveriesQueue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.deliveriesDeadLetterQueueUrl, {
      value: deliveriesDeadLetterQueue.queueUrl,
    });
    new CfnOutput(this, STACK_OUTPUTS.changeNoticesQueueUrl, { value: changeNoticesQueue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.changeNoticesDeadLetterQueueUrl, {
      value: changeNoticesDeadLetterQueue.queueUrl,
    });
    new CfnOutput(this, STACK_OUTPUTS.partnerBusArn, { value: partnerBus.eventBusArn });
    new CfnOutput(this, STACK_OUTPUTS.secretPrefix, {
      value: names.secretPrefix,
      description: 'Company token secrets are <prefix>/companies/<companyId>',
    });
  }

  /**
   * The custom domain lives here, beside the data, because suppliers keep its name: the stateless stack only maps
   * its API to it, so destroying or replacing the API changes nothing in DNS.
   */
  private apiDomain(options: ApiDomainOptions): IDomainName {
    const zone = options.hostedZone
      ? HostedZone.fromHostedZoneAttributes(this, 'ApiHostedZone', {
          hostedZoneId: options.hostedZone.id,
          zoneName: options.hostedZone.name,
        })
      : undefined;
    let certificate: ICertificate;
    if (options.certificateArn) {
      certificate = Certificate.fromCertificateArn(this, 'ApiCertificate', options.certificateArn);
    } else if (zone) {
      certificate = new Certificate(this, 'ApiCertificate', {
        domainName: options.domainName,
        validation: CertificateValidation.fromDns(zone),
      });
    } else {
      throw new Error(
        `-c domainName=${options.domainName} needs -c certificateArn=… or -c hostedZoneId=… -c hostedZoneName=…`,
      );
    }
    const domain = new DomainName(this, 'ApiDomain', {
      domainName: options.domainName,
      certificate,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    if (zone) {
      const target = RecordTarget.fromAlias(
        new ApiGatewayv2DomainProperties(domain.regionalDomainName, domain.regionalHostedZoneId),
      );
      new ARecord(this, 'ApiDomainARecord', { zone, recordName: options.domainName, target });
      new AaaaRecord(this, 'ApiDomainAaaaRecord', { zone, recordName: options.domainName, target });
    }
    new CfnOutput(this, STACK_OUTPUTS.apiDomainTarget, {
      value: domain.regionalDomainName,
      description: `Point ${options.domainName} here (a CNAME) unless the stack manages its DNS record`,
    });
    return domain;
  }
}
