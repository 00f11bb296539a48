/**
 * The dynalite this process serves answers its clients without a socket, exactly as it answers over HTTP: the same
 * items, the same errors, the same counts for the request recorder. Other processes still reach it on its port.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startDynalite, type RunningDynalite } from '../../local/dynalite';
import { inProcessClientConfig } from '../../shared/adapters/dynamodb/in-process-endpoints';
import { createTestTables, startForwarder, type Forwarder } from '../support/dynalite';
import { recordAwsRequests } from '../support/aws-requests';

let dynalite: RunningDynalite;
let table: string;
/** Requests dynalite's port answered: a client served in process sends none there. */
let portRequests = 0;
const countPortRequests = (message: unknown) => {
  const { server } = message as { server: Server };
  if (String((server.address() as AddressInfo).port) === new URL(dynalite.endpoint).port) portRequests++;
};
/** A plain forwarder in front of dynalite's port: an endpoint this process does not serve. */
let forwarder: Forwarder;

const credentials = { accessKeyId: 'x', secretAccessKey: 'x' };

beforeAll(async () => {
  dynalite = await startDynalite();
  table = (await createTestTables(dynalite, 'in-process')).state;
  forwarder = await startForwarder(dynalite.endpoint);
  subscribe('http.server.request.start', countPortRequests);
});

afterAll(async () => {
  unsubscribe('http.server.request.start', countPortRequests);
  await forwarder.close();
  await dynalite.close();
});

const item = (pk: string) => ({ pk: { S: pk }, sk: { S: 'A' }, note: { S: 'ünïcode ✓' } });

describe('the dynalite this process serves', () => {
  it("hands its own endpoint's requests over in process, and only that endpoint's", () => {
    expect(inProcessClientConfig(dynalite.endpoint).requestHandler).toBeDefined();
    expect(inProcessClientConfig(`${dynalite.endpoint}/`).requestHandler).toBeDefined();
    expect(inProcessClientConfig(forwarder.endpoint)).toEqual({});
    expect(inProcessClientConfig(undefined)).toEqual({});
    expect(inProcessClientConfig('not a url')).toEqual({});
  });

  it('answers in process what it answers over HTTP: items, conditional failures, validation errors', async () => {
    const inProcess = new DynamoDBClient({
      ...inProcessClientConfig(dynalite.endpoint),
      endpoint: dynalite.endpoint,
      region: 'us-east-1',
      credentials,
    });
    const overHttp = new DynamoDBClient({ endpoint: forwarder.endpoint, region: 'us-east-1', credentials });
    try {
      const before = portRequests;
      await inProcess.send(new PutItemCommand({ TableName: table, Item: item('one') }));
      const read = await overHttp.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'one' }, sk: { S: 'A' } } }),
      );
      expect(read.Item).toEqual(item('one'));
      expect(portRequests).toBe(before + 1);

      await overHttp.send(new PutItemCommand({ TableName: table, Item: item('two') }));
      const back = await inProcess.send(
        new GetItemCommand({ TableName: table, Key: { pk: { S: 'two' }, sk: { S: 'A' } } }),
      );
      expect(back.Item).toEqual(item('two'));

      const conditional = (client: DynamoDBClient) =>
        client
          .send(
            new PutItemCommand({
              TableName: table,
              Item: item('one'),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          )
          .then(
            () => undefined,
            (error: Error & { $metadata?: { httpStatusCode?: number } }) => [
              error.name,
              error.$metadata?.httpStatusCode,
            ],
          );
      expect(await conditional(inProcess)).toEqual(['ConditionalCheckFailedException', 400]);
      expect(await conditional(overHttp)).toEqual(['ConditionalCheckFailedException', 400]);

      const invalid = (client: DynamoDBClient) =>
        client.send(new GetItemCommand({ TableName: 'x', Key: { pk: { S: 'one' } } })).then(
          () => undefined,
          (error: Error) => error.name,
        );
      expect(await invalid(inProcess)).toBe(await invalid(overHttp));
      expect(await invalid(inProcess)).toBe('ValidationException');

      // Only the forwarded calls reached the port: the read, the put, the conditional put, the invalid read.
      expect(portRequests).toBe(before + 4);
    } finally {
      inProcess.destroy();
      overHttp.destroy();
    }
  });

  it('is counted by the request recorder like a request over HTTP', async () => {
    const recorder = recordAwsRequests({ dynamodb: dynalite.endpoint });
    try {
      await dynalite.client.send(new PutItemCommand({ TableName: table, Item: item('three') }));
      expect(recorder.requests).toEqual([
        expect.objectContaining({ service: 'dynamodb', target: 'DynamoDB_20120810.PutItem', answerBytes: 2 }),
      ]);
      expect(JSON.parse(recorder.requests[0]!.body)).toMatchObject({ TableName: table });
    } finally {
      recorder.stop();
    }
  });

  it('stops serving in process when it closes', async () => {
    const other = await startDynalite();
    const endpoint = other.endpoint;
    expect(inProcessClientConfig(endpoint).requestHandler).toBeDefined();
    await other.close();
    expect(inProcessClientConfig(endpoint)).toEqual({});
  });
});
