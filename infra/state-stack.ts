/**
 * The stateful half of a stage: what must outlive any deployment of the code (the tables and the app's OAuth
 * secret; the per-company token secrets are created by onboarding, outside any stack). Every resource here is
 * retained when the stack is deleted, and nothing here changes when only the code does, so the stateless stack
 * can be destroyed and deployed again without touching data.
 */
import { CfnOutput, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { StackProps } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { IDEMPOTENCY_TABLE, STATE_TABLE } from '../shared/adapters/dynamodb/tables';
import { STACK_OUTPUTS } from '../shared/stage';
import type { StageNames } from '../shared/stage';

/** What the stateless stack (and anything added later) receives from the stateful one. */
export interface GatewayState {
  names: StageNames;
  stateTable: ITableV2;
  idempotencyTable: ITableV2;
  /** `<secretPrefix>/app`: the gateway's Concur OAuth client. */
  appSecret: ISecret;
}

export interface GatewayStateStackProps extends StackProps {
  names: StageNames;
}

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
      removalPolicy: RemovalPolicy.RETAIN,
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
    });

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

    this.state = { names, stateTable, idempotencyTable, appSecret };

    new CfnOutput(this, STACK_OUTPUTS.stateTableName, { value: stateTable.tableName });
    new CfnOutput(this, STACK_OUTPUTS.idempotencyTableName, { value: idempotencyTable.tableName });
    new CfnOutput(this, STACK_OUTPUTS.appSecretArn, { value: appSecret.secretArn });
    new CfnOutput(this, STACK_OUTPUTS.secretPrefix, {
      value: names.secretPrefix,
      description: 'Company token secrets are <prefix>/companies/<companyId>',
    });
  }
}
