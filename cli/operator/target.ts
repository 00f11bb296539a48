/**
 * Where an operator command acts: a deployed stage on AWS (its table and secret names read from its stateful
 * stack's outputs) or the `npm start` data under a directory (the running process's stores when it runs, the
 * files themselves otherwise). Either way the commands get the same SDK clients and adapters as the functions.
 */
import { stat } from 'node:fs/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createTables } from '../../shared/adapters/dynamodb/tables';
import type { TableNames } from '../../shared/adapters/dynamodb/tables';
import { SecretsManagerStore } from '../../shared/adapters/secrets';
import { ConcurApiError } from '../../shared/concur-client';
import { SqsEventQueue } from '../../shared/events/queue';
import type { EventQueue } from '../../shared/events/queue';
import { DEFAULT_STAGE, STACK_OUTPUTS, stageNames } from '../../shared/stage';
import type { DataDirLayout } from '../../local/data-dir';
import {
  DEFAULT_DATA_DIR,
  dataDirLayout,
  LOCAL_SECRET_PREFIX,
  LOCAL_TABLES,
  runningEndpoints,
} from '../../local/data-dir';
import { startDynalite } from '../../local/dynalite';
import { startLocalSecretsManager } from '../../local/secrets-manager';
import { OperatorError } from './output';

export interface TargetOptions {
  /** `true` (the flag alone): the default data directory; a string: that directory. */
  local?: boolean | string;
  stage?: string;
  region?: string;
}

export interface Target {
  /** Says where, for messages: `stage prod (eu-west-1)` or `local data .gateway-data`. */
  description: string;
  dynamodb: DynamoDBClient;
  secrets: SecretsManagerStore;
  tables: TableNames;
  secretPrefix: string;
  /** The running local gateway's URL, when the target is local data served by `npm start`. */
  localGatewayUrl?: string;
  /** The running local Concur simulator's URL, when `npm start` runs one for the local data. */
  localSimulatorUrl?: string;
  /** The events queue, once it answered; an OperatorError saying why when it cannot be reached. */
  eventQueue(): Promise<EventQueue>;
  /** A command's failure as this target explains it (the local simulator not running), or as it is. */
  explainFailure(error: unknown): unknown;
  close(): Promise<void>;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export async function openTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Target> {
  if (options.local !== undefined && options.local !== false) {
    return openLocal(typeof options.local === 'string' ? options.local : (env.DATA_DIR ?? DEFAULT_DATA_DIR));
  }
  return openStage(options.stage ?? env.CONCUR_GATEWAY_STAGE ?? DEFAULT_STAGE, options.region, env);
}

async function openStage(stage: string, region: string | undefined, env: NodeJS.ProcessEnv): Promise<Target> {
  const names = stageNames(stage);
  const resolvedRegion = region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!resolvedRegion) throw new OperatorError('no AWS region: give --region or set AWS_REGION');
  const cloudformation = new CloudFormationClient({ region: resolvedRegion });
  let outputs: Map<string, string>;
  try {
    const { Stacks = [] } = await cloudformation.send(
      new DescribeStacksCommand({ StackName: names.statefulStack }),
    );
    outputs = new Map(
      (Stacks[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue ?? '']),
    );
  } catch (error) {
    if (error instanceof Error && /does not exist/.test(error.message)) {
      throw new OperatorError(
        `stage ${stage} is not deployed in ${resolvedRegion}: no stack ${names.statefulStack}`,
      );
    }
    throw error;
  } finally {
    cloudformation.destroy();
  }
  const output = (key: string) => {
    const value = outputs.get(key);
    if (!value) throw new OperatorError(`stack ${names.statefulStack} has no output ${key}: deploy it again`);
    return value;
  };
  const dynamodb = new DynamoDBClient({ region: resolvedRegion });
  const secretsClient = new SecretsManagerClient({ region: resolvedRegion });
  const sqs = new SQSClient({ region: resolvedRegion });
  return {
    description: `stage ${stage} (${resolvedRegion})`,
    dynamodb,
    secrets: new SecretsManagerStore(secretsClient),
    tables: {
      state: output(STACK_OUTPUTS.stateTableName),
      idempotency: output(STACK_OUTPUTS.idempotencyTableName),
    },
    secretPrefix: output(STACK_OUTPUTS.secretPrefix),
    eventQueue: () => reachableQueue(sqs, output(STACK_OUTPUTS.eventsQueueUrl)),
    explainFailure: (error) => error,
    close: async () => {
      dynamodb.destroy();
      secretsClient.destroy();
      sqs.destroy();
    },
  };
}

async function openLocal(dataDir: string): Promise<Target> {
  const layout = dataDirLayout(dataDir);
  await requireLocalData(layout);
  const running = await runningEndpoints(dataDir);
  const closers: (() => Promise<void>)[] = [];
  let dynamodbEndpoint: string;
  let secretsEndpoint: string;
  if (running) {
    dynamodbEndpoint = running.dynamodb;
    secretsEndpoint = running.secretsManager;
  } else {
    // Nothing serves this data: open the files here, for as long as the command runs.
    const dynalite = await startDynalite({ path: layout.dynamodb });
    const secrets = await startLocalSecretsManager({ dataDir: layout.secrets });
    closers.push(
      () => secrets.close(),
      () => dynalite.close(),
    );
    await createTables(dynalite.client, LOCAL_TABLES);
    dynamodbEndpoint = dynalite.endpoint;
    secretsEndpoint = secrets.endpoint;
  }
  const dynamodb = new DynamoDBClient({
    endpoint: dynamodbEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const secretsClient = new SecretsManagerClient({
    endpoint: secretsEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = running?.sqs
    ? new SQSClient({ endpoint: running.sqs, region: 'us-east-1', credentials: LOCAL_CREDENTIALS })
    : undefined;
  return {
    description: `local data ${layout.root}${running ? ` (served by npm start, pid ${running.pid})` : ''}`,
    dynamodb,
    secrets: new SecretsManagerStore(secretsClient),
    tables: LOCAL_TABLES,
    secretPrefix: LOCAL_SECRET_PREFIX,
    ...(running ? { localGatewayUrl: running.gateway } : {}),
    ...(running?.simulator ? { localSimulatorUrl: running.simulator } : {}),
    eventQueue: async () => {
      // The local queue lives in the memory of `npm start`: without it there is no queue to put events on.
      if (!sqs || !running?.eventsQueueUrl)
        throw new OperatorError(
          `the events queue of ${layout.root} lives in its running npm start, and none runs: start it (DATA_DIR=${layout.root} npm start), then run this again`,
        );
      return reachableQueue(sqs, running.eventsQueueUrl);
    },
    explainFailure: (error) =>
      // Without npm start there is no simulator: a company it serves cannot be reached.
      !running && refusedConnection(error)
        ? new OperatorError(
            `the local Concur simulator is not running (it runs inside npm start): start it (DATA_DIR=${layout.root} npm start), then run this again (${(error as Error).message})`,
          )
        : error,
    close: async () => {
      dynamodb.destroy();
      secretsClient.destroy();
      sqs?.destroy();
      for (const close of closers) await close();
    },
  };
}

/**
 * Only `npm start` makes a data folder: a command given a folder without one would make an empty store there and
 * answer as if it were the gateway's (no suppliers; an API key nothing serves).
 */
async function requireLocalData(layout: DataDirLayout): Promise<void> {
  const isFolder = async (path: string) => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
  const start = `npm start makes one: DATA_DIR=${layout.root} npm start`;
  if (!(await isFolder(layout.root)))
    throw new OperatorError(`no npm start data in ${layout.root}: the folder does not exist (${start})`);
  if (!(await isFolder(layout.dynamodb)))
    throw new OperatorError(`no npm start data in ${layout.root}: it holds no dynamodb folder (${start})`);
}

/** Concur's client gave up because nothing listened where it called. */
function refusedConnection(error: unknown): boolean {
  return (
    error instanceof ConcurApiError && error.kind === 'unavailable' && /ECONNREFUSED/.test(error.message)
  );
}

/** The queue at `url`, after it answered a harmless call: nothing is reopened for a queue that cannot take it. */
async function reachableQueue(client: SQSClient, url: string): Promise<EventQueue> {
  try {
    await client.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  } catch (error) {
    // A refused connection is an AggregateError without a message: its code says what happened.
    const reason =
      error instanceof Error ? error.message || (error as NodeJS.ErrnoException).code || error.name : error;
    throw new OperatorError(`the events queue ${url} cannot be reached (${String(reason)})`);
  }
  return new SqsEventQueue(client, url);
}
