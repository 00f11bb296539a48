import { describe, expect, it } from 'vitest';
import { ConcurDocumentError, parseConcurXml } from '../../../shared/concur';
import type { Simulator } from '../../../local/simulator';
import { BOOKING_PATH, TRIP_PATH, call, seed, startTestSimulator, until } from './support';

async function admin(
  sim: Simulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${sim.url}/_sim${path}`, {
    method,
    ...(body !== undefined
      ? { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }
      : {}),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

const postTrip = (sim: Simulator, options: { signal?: AbortSignal } = {}) =>
  call(sim, TRIP_PATH, { body: seed('002#1').xml, ...options });

describe('scripted failures', () => {
  it('answers the next 2 booking posts with 503 and Retry-After: 1 (admin API), then works again', async () => {
    const { sim } = await startTestSimulator();
    const scripted = await admin(sim, 'POST', '/faults/next', {
      route: 'bookingPost',
      times: 2,
      action: { kind: 'status', status: 503, retryAfter: 1 },
    });
    expect(scripted.status).toBe(200);
    expect(scripted.json).toMatchObject({ next: [{ route: 'bookingPost', times: 2 }] });
    // Other routes are not affected.
    expect((await call(sim, TRIP_PATH)).status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = await call(sim, BOOKING_PATH, { body: seed('000#1').xml });
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('1');
      expect(failed.document).toHaveProperty('error');
    }
    expect(sim.state.trips()).toEqual([]);
    expect((await call(sim, BOOKING_PATH, { body: seed('000#1').xml })).status).toBe(200);
    expect(sim.requests.of('bookingPost').map((e) => [e.status, e.fault])).toEqual([
      [503, 'next:status 503'],
      [503, 'next:status 503'],
      [200, undefined],
    ]);
  });

  it('hangs the next trip create until the client gives up, without creating the trip', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('tripCreate', { kind: 'hang' });
    const controller = new AbortController();
    const pending = postTrip(sim, { signal: controller.signal });
    await until(() => sim.requests.last()?.outcome === 'hung');
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    expect(sim.state.trips()).toEqual([]);
    expect(sim.requests.last()).toMatchObject({
      route: 'tripCreate',
      status: null,
      outcome: 'hung',
      fault: 'next:hang',
    });
    expect((await postTrip(sim)).status).toBe(200);
  });

  it('commits the next trip create on the server and destroys the connection: the client sees no answer', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('tripCreate', { kind: 'destroy', commit: true });
    await expect(postTrip(sim)).rejects.toThrow();
    expect(sim.state.trips()).toHaveLength(1);
    expect(sim.requests.last()).toMatchObject({
      status: null,
      outcome: 'destroyed',
      fault: 'next:destroy after commit',
    });

    sim.faults.failNext('tripCreate', { kind: 'destroy' });
    await expect(postTrip(sim)).rejects.toThrow();
    expect(sim.state.trips()).toHaveLength(1);
  });

  it('commits and then hangs: the trip exists although the answer never arrives', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('tripCreate', { kind: 'hang', commit: true });
    const controller = new AbortController();
    const pending = postTrip(sim, { signal: controller.signal });
    await until(() => sim.requests.last()?.outcome === 'hung');
    expect(sim.state.trips()).toHaveLength(1);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('closes cleanly while a request hangs', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('tripList', { kind: 'hang' });
    const pending = call(sim, TRIP_PATH);
    await until(() => sim.requests.last()?.outcome === 'hung');
    await sim.close();
    await expect(pending).rejects.toThrow();
  });

  it('answers malformed XML that a parser refuses; with commit the write still happened', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('tripCreate', { kind: 'malformed-xml', commit: true });
    const response = await fetch(`${sim.url}${TRIP_PATH}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sim.accessTokenFor()}` },
      body: seed('002#1').xml,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/xml');
    const body = await response.text();
    expect(body.startsWith('<?xml version="1.0" encoding="utf-8"?><Itinerary')).toBe(true);
    expect(() => parseConcurXml(body)).toThrow(ConcurDocumentError);
    expect(sim.state.trips()).toHaveLength(1);
  });

  it('answers hostile XML: an entity bomb and an external entity, both refused by the toolkit parser', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('tripList', { kind: 'hostile-xml', variant: 'entity-bomb' });
    sim.faults.failNext('tripList', { kind: 'hostile-xml', variant: 'external-entity' });
    const read = async () => {
      const response = await fetch(`${sim.url}${TRIP_PATH}`, {
        headers: { Authorization: `Bearer ${sim.accessTokenFor()}` },
      });
      return response.text();
    };
    const bomb = await read();
    expect(bomb).toContain('<!DOCTYPE ItineraryInfoList [');
    expect(bomb).toContain('<!ENTITY lol9 "&lol8;&lol8;');
    expect(() => parseConcurXml(bomb)).toThrow(/DOCTYPE/);
    const external = await read();
    expect(external).toContain('<!ENTITY xxe SYSTEM "file:///etc/passwd">');
    expect(() => parseConcurXml(external)).toThrow(/DOCTYPE/);
  });

  it('answers the token endpoint faults in JSON', async () => {
    const { sim } = await startTestSimulator();
    sim.faults.failNext('token', { kind: 'status', status: 503, retryAfter: 5 }, 1);
    sim.faults.failNext('token', { kind: 'malformed-xml' });
    const post = () =>
      fetch(`${sim.url}/oauth2/v0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: 'x',
          client_id: 'a',
          client_secret: 'b',
        }),
      });
    const unavailable = await post();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    expect(await unavailable.json()).toMatchObject({ error: 'server_error' });
    const truncated = await (await post()).text();
    expect(() => JSON.parse(truncated)).toThrow();
  });
});

describe('latency and error rates', () => {
  it('delays calls by a fixed latency per route, recorded in the request log', async () => {
    const { sim } = await startTestSimulator({ faults: { latency: [{ route: 'tripList', ms: 25 }] } });
    expect((await call(sim, TRIP_PATH)).status).toBe(200);
    expect((await postTrip(sim)).status).toBe(200);
    expect(sim.requests.entries.map((e) => [e.route, e.delayMs])).toEqual([
      ['tripList', 25],
      ['tripCreate', undefined],
    ]);
  });

  it('draws random latency and error rates from the seed: the same seed replays the same faults', async () => {
    const run = async (seedValue: number) => {
      const { sim } = await startTestSimulator({ seed: seedValue });
      sim.faults.setLatency({ minMs: 0, maxMs: 4 });
      sim.faults.setErrorRate({ route: 'tripList', status: 503, rate: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await call(sim, TRIP_PATH)).status);
      return { statuses, delays: sim.requests.entries.map((e) => e.delayMs ?? 0) };
    };
    const first = await run(7);
    expect(await run(7)).toEqual(first);
    expect(first.statuses).toContain(503);
    expect(first.statuses).toContain(200);
    expect(first.delays.every((d) => d >= 0 && d <= 4)).toBe(true);
  });

  it('answers every call with the status when the rate is 1, and stops after clear()', async () => {
    const { sim } = await startTestSimulator({ faults: { errorRates: [{ status: 429, rate: 1 }] } });
    expect((await call(sim, TRIP_PATH)).status).toBe(429);
    expect(sim.requests.last()!.fault).toBe('error-rate:429');
    sim.faults.clear();
    expect((await call(sim, TRIP_PATH)).status).toBe(200);
  });
});

describe('admin API', () => {
  it('sets and clears faults, expires tokens, and resets the simulator', async () => {
    const { sim } = await startTestSimulator();
    const initialToken = sim.accessTokenFor();
    expect((await admin(sim, 'POST', '/faults/latency', { route: 'tripGet', ms: 5 })).status).toBe(200);
    expect(
      (await admin(sim, 'POST', '/faults/error-rate', { route: 'tripList', status: 500, rate: 1 })).status,
    ).toBe(200);
    expect((await admin(sim, 'GET', '/faults')).json).toMatchObject({
      latency: [{ route: 'tripGet', ms: 5 }],
      errorRates: [{ route: 'tripList', status: 500, rate: 1 }],
      next: [],
    });
    expect((await call(sim, TRIP_PATH)).status).toBe(500);
    expect((await admin(sim, 'DELETE', '/faults')).status).toBe(204);
    expect((await call(sim, TRIP_PATH)).status).toBe(200);

    expect(
      (await admin(sim, 'POST', '/faults/next', { route: 'nowhere', action: { kind: 'hang' } })).status,
    ).toBe(400);
    expect((await admin(sim, 'POST', '/faults/error-rate', { status: 503, rate: 2 })).status).toBe(400);

    expect((await admin(sim, 'POST', '/tokens/expire', { companyId: 'demo-company' })).json).toEqual({
      expired: 1,
    });
    expect((await call(sim, TRIP_PATH)).status).toBe(403);
    const issued = (await admin(sim, 'POST', '/tokens/issue', { companyId: 'demo-company' })).json as {
      accessToken: string;
    };
    expect((await call(sim, TRIP_PATH, { token: issued.accessToken })).status).toBe(200);
    const revoke = await admin(sim, 'POST', '/tokens/revoke', { accessToken: issued.accessToken });
    expect(revoke.json).toEqual({ revoked: true });
    expect((await call(sim, TRIP_PATH, { token: issued.accessToken })).status).toBe(403);

    await postTrip(sim, {});
    expect((await admin(sim, 'POST', '/reset')).status).toBe(204);
    expect(sim.state.trips()).toEqual([]);
    expect(sim.requests.entries).toEqual([]);
    expect(sim.accessTokenFor()).toBe(initialToken);
    expect((await call(sim, TRIP_PATH, { token: initialToken })).status).toBe(200);
    expect((await admin(sim, 'GET', '/tokens')).json).toMatchObject({
      companies: [
        { id: 'demo-company', accessToken: initialToken, clients: [{ clientId: 'demo-company-client' }] },
      ],
    });
  });
});

describe('a company’s own faults', () => {
  const companies = [{ id: 'company-a' }, { id: 'company-b' }];

  it('strike only the calls made with that company’s tokens, and live on in a snapshot', async () => {
    const { sim } = await startTestSimulator({ companies });
    const tokenOf = (companyId: string) => ({ token: sim.accessTokenFor(companyId) });
    const replaced = await admin(sim, 'PUT', '/faults?companyId=company-b', {
      errorRates: [{ route: 'tripList', status: 503, rate: 1 }],
      latency: [{ route: 'tripList', ms: 5 }],
    });
    expect(replaced).toEqual({
      status: 200,
      json: {
        latency: [{ route: 'tripList', ms: 5 }],
        errorRates: [{ route: 'tripList', status: 503, rate: 1 }],
        next: [],
      },
    });
    expect((await admin(sim, 'GET', '/faults')).json).toEqual({ latency: [], errorRates: [], next: [] });
    expect((await call(sim, TRIP_PATH, tokenOf('company-a'))).status).toBe(200);
    expect((await call(sim, TRIP_PATH, tokenOf('company-b'))).status).toBe(503);
    expect(sim.requests.of('tripList').map((e) => [e.status, e.fault, e.delayMs])).toEqual([
      [200, undefined, undefined],
      [503, 'error-rate:503', 5],
    ]);

    // A restored simulator (the hosted sandbox's next request) keeps the company's set, and only it.
    const restored = (await startTestSimulator({ companies, restore: sim.snapshot() })).sim;
    expect((await call(restored, TRIP_PATH, { token: sim.accessTokenFor('company-b') })).status).toBe(503);
    expect((await call(restored, TRIP_PATH, { token: sim.accessTokenFor('company-a') })).status).toBe(200);

    // The set every call meets still strikes every company; clearing it clears every set.
    sim.faults.failNext('tripList', { kind: 'status', status: 500 });
    expect((await call(sim, TRIP_PATH, tokenOf('company-a'))).status).toBe(500);
    expect((await admin(sim, 'DELETE', '/faults?companyId=company-a')).status).toBe(204);
    expect((await call(sim, TRIP_PATH, tokenOf('company-b'))).status).toBe(503);
    expect((await admin(sim, 'DELETE', '/faults')).status).toBe(204);
    expect((await call(sim, TRIP_PATH, tokenOf('company-b'))).status).toBe(200);
  });

  it('refuses an unknown company and a set the simulator cannot take', async () => {
    const { sim } = await startTestSimulator({ companies });
    expect((await admin(sim, 'GET', '/faults?companyId=company-z')).status).toBe(404);
    const misspelt = await admin(sim, 'PUT', '/faults?companyId=company-a', { errorRate: [] });
    expect(misspelt.status).toBe(400);
    expect(JSON.stringify(misspelt.json)).toContain('errorRate');
    expect((await admin(sim, 'GET', '/faults?companyId=company-a')).json).toEqual({
      latency: [],
      errorRates: [],
      next: [],
    });
  });
});
