import { describe, expect, it } from 'vitest';
import type { RequestLogEntry } from '../../../local/simulator';
import { TRIP_PATH, call, seed, startTestSimulator } from './support';

describe('request log', () => {
  it('records method, path, query, headers with the token redacted, body, status and correlation id', async () => {
    const { sim } = await startTestSimulator();
    const token = sim.accessTokenFor();
    const body = seed('002#1').xml;
    const created = await call(sim, `${TRIP_PATH}?userid_type=login_id&userid_value=cm@example.com`, {
      body,
      scheme: 'OAuth',
      headers: { 'X-Test': 'yes' },
    });
    const entry = sim.requests.last()!;
    expect(entry).toMatchObject({
      seq: 1,
      method: 'POST',
      path: TRIP_PATH,
      query: { userid_type: 'login_id', userid_value: 'cm@example.com' },
      body,
      route: 'tripCreate',
      status: 200,
      outcome: 'answered',
      correlationId: created.headers.get('concur-correlationid'),
      receivedAt: '2013-12-01T10:00:00.000Z',
    });
    expect(entry.headers.authorization).toBe(`OAuth ****${token.slice(-4)}`);
    expect(entry.headers['x-test']).toBe('yes');
    expect(JSON.stringify(sim.requests.entries)).not.toContain(token);

    // The same log over HTTP, then cleared.
    const response = await fetch(`${sim.url}/_sim/requests`);
    const { requests } = (await response.json()) as { requests: RequestLogEntry[] };
    expect(requests).toEqual(JSON.parse(JSON.stringify(sim.requests.entries)));
    expect((await fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' })).status).toBe(204);
    expect(sim.requests.entries).toEqual([]);
  });

  it('redacts the secrets of token requests', async () => {
    const { sim } = await startTestSimulator();
    const client = sim.tokens.clientFor();
    const refreshToken = sim.tokens.refreshTokenFor();
    await fetch(`${sim.url}/oauth2/v0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
      }),
    });
    const entry = sim.requests.last()!;
    expect(entry.route).toBe('token');
    const form = new URLSearchParams(entry.body);
    expect(form.get('client_id')).toBe(client.clientId);
    expect(form.get('client_secret')).toBe(`****${client.clientSecret.slice(-4)}`);
    expect(form.get('refresh_token')).toBe(`****${refreshToken.slice(-4)}`);
  });

  it('gives every answer its own correlation id, also errors and unknown paths', async () => {
    const { sim } = await startTestSimulator();
    const answers = [
      await call(sim, TRIP_PATH),
      // Concur answers 403 for a token it does not know.
      await call(sim, TRIP_PATH, { token: 'unknown' }),
      await call(sim, '/api/travel/nothing'),
      await call(sim, `${TRIP_PATH}/cancel`),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 403, 404, 405]);
    const ids = answers.map((a) => a.headers.get('concur-correlationid'));
    expect(new Set(ids).size).toBe(4);
    expect(sim.requests.entries.map((e) => e.correlationId)).toEqual(ids);
  });

  it('refuses a chunked request body (no Content-Length) with 400, as Concur does, on every route', async () => {
    const { sim } = await startTestSimulator();
    const chunked = (text: string) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(text);
          controller.enqueue(bytes.slice(0, 100));
          controller.enqueue(bytes.slice(100));
          controller.close();
        },
      });
    const response = await fetch(`${sim.url}${TRIP_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.accessTokenFor()}`, 'Content-Type': 'application/xml' },
      body: chunked(seed('002#1').xml),
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).toContain('<Error><Message>Bad Request: Chunked Transfer-Encoding is not supported');
    expect(text).toContain(`<Id>${response.headers.get('concur-correlationid')}</Id>`);
    expect(sim.requests.last()).toMatchObject({ status: 400, route: 'tripCreate' });
    expect(sim.requests.last()!.headers['transfer-encoding']).toBe('chunked');
    expect(sim.state.trips()).toEqual([]);
    // The token endpoint too: a refresh sent chunked refreshes nothing.
    const access = sim.accessTokenFor();
    const client = sim.tokens.clientFor();
    const form = new URLSearchParams({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: sim.tokens.refreshTokenFor(),
    }).toString();
    const token = await fetch(`${sim.url}/oauth2/v0/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: chunked(form.padEnd(120, '&')),
      duplex: 'half',
    } as RequestInit);
    expect(token.status).toBe(400);
    expect(sim.requests.last()).toMatchObject({ status: 400, route: 'token' });
    expect(sim.accessTokenFor()).toBe(access);
  });
});
