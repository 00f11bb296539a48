/**
 * A deployment stage (`dev`, `prod`, …) and every name derived from it. The CDK app names its stacks and
 * resources from here, and the command line finds a stage's tables and secrets from the same names, so the
 * two cannot drift apart. No AWS calls: the functions, the CDK app and the command line all import it.
 */

/** Lower-case letters, digits and dashes, starting with a letter: valid in stack, table and secret names. */
export const STAGE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,19}$/;

export const DEFAULT_STAGE = 'dev';

/** The stack outputs the command line reads; each stack declares the ones it owns. */
export const STACK_OUTPUTS = {
  stateTableName: 'StateTableName',
  idempotencyTableName: 'IdempotencyTableName',
  appSecretArn: 'AppSecretArn',
  secretPrefix: 'SecretPrefix',
  apiUrl: 'ApiUrl',
  supplierUrl: 'SupplierUrl',
  apiDomainTarget: 'ApiDomainTarget',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  eventsQueueUrl: 'EventsQueueUrl',
  eventsDeadLetterQueueUrl: 'EventsDeadLetterQueueUrl',
  partnerBusArn: 'PartnerBusArn',
  deliveriesQueueUrl: 'DeliveriesQueueUrl',
  deliveriesDeadLetterQueueUrl: 'DeliveriesDeadLetterQueueUrl',
  changeNoticesQueueUrl: 'ChangeNoticesQueueUrl',
  changeNoticesDeadLetterQueueUrl: 'ChangeNoticesDeadLetterQueueUrl',
} as const;

export interface StageNames {
  stage: string;
  /** Tables, secrets (retained when the stack is deleted). */
  statefulStack: string;
  /** Functions, API, alarms, dashboard (safe to destroy and deploy again). */
  statelessStack: string;
  /** The AWS WAF web ACL in us-east-1, when the stage has WAF in front of its API. */
  edgeStack: string;
  /** `concur-gateway-<stage>`: the start of every physical name (tables, API, dashboard, functions' service). */
  resourcePrefix: string;
  /** `concur-gateway/<stage>`: company secrets are `<prefix>/companies/<id>`, the app's OAuth client `<prefix>/app`. */
  secretPrefix: string;
  /** The CloudWatch namespace of the gateway's own metrics (Powertools), one per stage so stages never mix. */
  metricsNamespace: string;
}

export class InvalidStageError extends Error {
  constructor(readonly stage: string) {
    super(
      `stage ${JSON.stringify(stage)} is not a valid stage name: 1 to 20 lower-case letters, digits or dashes, starting with a letter`,
    );
    this.name = 'InvalidStageError';
  }
}

export function stageNames(stage: string = DEFAULT_STAGE): StageNames {
  if (!STAGE_NAME_PATTERN.test(stage)) throw new InvalidStageError(stage);
  return {
    stage,
    statefulStack: `concur-gateway-${stage}-state`,
    statelessStack: `concur-gateway-${stage}-api`,
    edgeStack: `concur-gateway-${stage}-edge`,
    resourcePrefix: `concur-gateway-${stage}`,
    secretPrefix: `concur-gateway/${stage}`,
    metricsNamespace: `ConcurGateway/${stage}`,
  };
}
