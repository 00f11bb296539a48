/**
 * The command line's AWS path, as a user runs it (`--stage`, no `--local`): it finds the stage's tables, secret
 * prefix and queue in the stateful stack's outputs (CloudFormation DescribeStacks) and works on them through the
 * real SDK clients, here pointed at local stand-ins by the SDK's own AWS_ENDPOINT_URL_* variables: a fake
 * CloudFormation, dynalite, the local Secrets Manager and the local SQS.
 */
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTables } from '../../shared/adapters/dynamodb/tables';
import { localSecretsManagerClient, SecretsManagerStore } from '../../shared/adapters/secrets';
import { STACK_OUTPUTS, stageNames } from '../../shared/stage';
import { DynamoSupplierDirectory } from '../../shared/suppliers';
import { startLocalSecretsManager } from '../../local/secrets-manager';
import type { RunningLocalSecretsManager } from '../../local/secrets-manager';
import { startLocalSqs } from '../../local/sqs';
import type { RunningLocalSqs } from '../../local/sqs';
import { startFakeCloudFormation } from '../support/cloudformation';
import type { FakeCloudFormation } from '../support/cloudformation';
import { startTestDynalite } from '../support/dynalite';
import type { TestDynalite } from '../support/dynalite';
import { runCli, runJson } from './support';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 120_000 });

const names = stageNames('test');
const tables = { state: `${names.resourcePrefix}-state`, idempotency: `${names.resourcePrefix}-idempotency` };
let dynalite: TestDynalite;
let secretsManager: RunningLocalSecretsManager;
let sqs: RunningLocalSqs;
let cloudformation: FakeCloudFormation;
let env: NodeJS.ProcessEnv;
const stage = ['--stage', 'test', '--region', 'us-east-1'];

beforeAll(async () => {
  dynalite = await startTestDynalite();
  await createTables(dynalite.client, tables);
  secretsManager = await startLocalSecretsManager({});
  // The stateful stack creates the default Concur app's secret; the operator fills in its client.
  await new SecretsManagerStore(localSecretsManagerClient(secretsManager.endpoint)).createSecret(
    `${names.secretPrefix}/app`,
    JSON.stringify({ clientId: 'acme-client', clientSecret: 'acme-client-secret' }),
  );
  sqs = await startLocalSqs();
  const sqsClient = new SQSClient({
    endpoint: sqs.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const { QueueUrl } = await sqsClient.send(
    new CreateQueueCommand({ QueueName: `${names.resourcePrefix}-events` }),
  );
  sqsClient.destroy();
  cloudformation = await startFakeCloudFormation({
    [names.statefulStack]: {
      [STACK_OUTPUTS.stateTableName]: tables.state,
      [STACK_OUTPUTS.idempotencyTableName]: tables.idempotency,
      [STACK_OUTPUTS.secretPrefix]: names.secretPrefix,
      [STACK_OUTPUTS.eventsQueueUrl]: QueueUrl!,
    },
  });
  env = {
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_ENDPOINT_URL_CLOUDFORMATION: cloudformation.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynalite.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
  };
});
afterAll(async () => {
  await cloudformation?.close();
  await sqs?.close();
  await secretsManager?.close();
  await dynalite?.close();
});

describe('a deployed stage, found from its stack outputs', () => {
  it('connects a company with tokens obtained elsewhere under the stage’s secret prefix; shows it without a token', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const connected = await runCli(
      [
        'companies',
        'connect',
        'ACME',
        ...stage,
        '--access-token',
        'access-token-of-acme',
        '--refresh-token',
        'refresh-token-of-acme',
        '--expires-at',
        expiresAt,
        '--geolocation',
        'https://eu2.api.concursolutions.com',
      ],
      env,
    );
    expect(connected.status, connected.stderr).toBe(0);
    const store = new SecretsManagerStore(localSecretsManagerClient(secretsManager.endpoint));
    const stored = JSON.parse((await store.getSecretString(`${names.secretPrefix}/companies/ACME`))!);
    expect(stored).toMatchObject({
      accessToken: 'access-token-of-acme',
      refreshToken: 'refresh-token-of-acme',
    });

    const shown = await runCli(['companies', 'show', 'ACME', ...stage, '--json'], env);
    expect(shown.status, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout).connections).toMatchObject([
      {
        appId: 'default',
        companyId: 'ACME',
        geolocation: 'https://eu2.api.concursolutions.com',
        accessTokenExpiresAt: expiresAt,
      },
    ]);
    for (const output of [shown.stdout, connected.stdout]) {
      expect(output).not.toContain('access-token-of-acme');
      expect(output).not.toContain('refresh-token-of-acme');
    }
  });

  it('adds a supplier for the company connected above, whose printed key authenticates in the stage’s table, and lists it', async () => {
    const added = await runJson<{ apiKey: string }>(
      ['suppliers', 'add', ...stage, '--id', 'acme', '--booking-source', 'AcmeCars', '--company', 'ACME'],
      env,
    );
    expect(cloudformation.requests).toContainEqual({
      action: 'DescribeStacks',
      stackName: names.statefulStack,
    });
    // The key works against the table the outputs named, read here with the same adapter the functions use.
    const directory = new DynamoSupplierDirectory({ client: dynalite.client, tableName: tables.state });
    expect(await directory.authenticate(added.apiKey)).toMatchObject({
      id: 'acme',
      bookingSource: 'AcmeCars',
    });

    const listed = await runJson<{ suppliers: { id: string }[] }>(['suppliers', 'list', ...stage], env);
    expect(listed.suppliers.map((s) => s.id)).toEqual(['acme']);
    const human = await runCli(['suppliers', 'list', ...stage], env);
    expect(human.stdout).toMatch(/acme\s+AcmeCars\s+default\s+ACME\s+tmc\s+default\s+enabled/);
  });

  it('rotates a webhook secret there and reaches the stage’s events queue for a replay', async () => {
    const rotated = await runJson<{ webhookSecret: string }>(
      ['suppliers', 'webhook-secret', 'acme', ...stage],
      env,
    );
    const store = new SecretsManagerStore(localSecretsManagerClient(secretsManager.endpoint));
    expect(
      JSON.parse((await store.getSecretString(`${names.secretPrefix}/suppliers/acme/webhook`))!),
    ).toEqual({
      secrets: [rotated.webhookSecret],
    });
    const replay = await runJson<{ replayed: string[] }>(['events', 'replay', '--all-parked', ...stage], env);
    expect(replay).toEqual({ replayed: [], notReplayable: [] });
  });

  it('says when the stage is not deployed, or its region is unknown', async () => {
    const missing = await runCli(['suppliers', 'list', '--stage', 'nope', '--region', 'us-east-1'], env);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(
      'stage nope is not deployed in us-east-1: no stack concur-gateway-nope-state',
    );
    const noRegion = await runCli(['suppliers', 'list', '--stage', 'test'], {
      ...env,
      AWS_REGION: '',
      AWS_DEFAULT_REGION: '',
    });
    expect(noRegion.status).toBe(1);
    expect(noRegion.stderr).toContain('no AWS region');
  });
});
