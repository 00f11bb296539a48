/**
 * `suppliers endpoints list|disable|enable` against `npm start`'s stores, spawned through the bin as a user runs
 * them: the operator sees every supplier's endpoints (never a secret) and switches one off and on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { api } from '../gateway/support';
import { startReceiver } from '../webhooks-out/support';
import type { Receiver } from '../webhooks-out/support';
import { freshDataDir, runCli, runJson, startNpmStart } from './support';
import type { LocalStart } from './support';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

let server: LocalStart;
let receiver: Receiver;
let dataDir: string;
const local = () => ['--local', dataDir];

beforeAll(async () => {
  dataDir = freshDataDir();
  server = await startNpmStart(dataDir);
  receiver = await startReceiver();
}, 90_000);
afterAll(async () => {
  await receiver?.close();
  await server?.stop();
});

interface ListedEndpoint {
  id: string;
  supplierId: string;
  status: string;
  disabledBy?: string;
}

describe('suppliers endpoints', () => {
  it('lists every endpoint without its secret, disables one (the supplier cannot enable it) and enables it', async () => {
    const apiKey = readFileSync(join(dataDir, 'demo-api-key'), 'utf8').trim();
    const supplier = api({ url: server.endpoints.gateway }, apiKey);
    const created = await supplier.post('/v1/webhook-endpoints', { url: receiver.url });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const { id, secret } = created.body.endpoint as { id: string; secret: string };

    const listed = await runCli(['suppliers', 'endpoints', 'list', ...local()]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('demo-supplier');
    expect(listed.stdout).not.toContain(secret);

    const disabled = await runJson<{ endpoint: ListedEndpoint }>([
      'suppliers',
      'endpoints',
      'disable',
      id,
      ...local(),
    ]);
    expect(disabled.endpoint).toMatchObject({ id, status: 'disabled', disabledBy: 'operator' });
    expect((await supplier.get(`/v1/webhook-endpoints/${id}`)).body.endpoint).toMatchObject({
      status: 'disabled',
      disabledBy: 'operator',
    });
    expect((await supplier.patch(`/v1/webhook-endpoints/${id}`, { status: 'enabled' })).status).toBe(409);
    expect((await supplier.post(`/v1/webhook-endpoints/${id}/test`)).status).toBe(409);
    const onlyDisabled = await runJson<{ endpoints: ListedEndpoint[] }>([
      'suppliers',
      'endpoints',
      'list',
      '--disabled',
      ...local(),
    ]);
    expect(onlyDisabled.endpoints.map((endpoint) => endpoint.id)).toEqual([id]);

    await runJson(['suppliers', 'endpoints', 'enable', id, ...local()]);
    expect((await supplier.post(`/v1/webhook-endpoints/${id}/test`)).status).toBe(202);
    const [ping] = await receiver.waitFor(1);
    expect(JSON.parse(ping!.body)).toMatchObject({ type: 'ping', data: { endpointId: id } });

    const unknown = await runCli([
      'suppliers',
      'endpoints',
      'disable',
      'ep_000000000000000000000000',
      ...local(),
      '--json',
    ]);
    expect(unknown.status).toBe(1);
    expect(JSON.parse(unknown.stderr)).toMatchObject({
      error: expect.stringContaining('no webhook endpoint'),
    });
  });
});
