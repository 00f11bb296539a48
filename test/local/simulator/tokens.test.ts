import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../../local/simulator';
import { TRIP_PATH, call, errorMessageOf, startTestSimulator } from './support';

interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

async function refresh(
  sim: Simulator,
  refreshToken: string,
  overrides: Record<string, string> = {},
): Promise<TokenAnswer> {
  const client = sim.tokens.clientFor();
  const response = await fetch(`${sim.url}/oauth2/v0/token`, {
    method: 'POST',
    body: new URLSearchParams({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...overrides,
    }),
  });
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(response.headers.get('concur-correlationid')).toBeTruthy();
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('OAuth2 tokens', () => {
  it('refreshes as Concur mostly does: a new access token, the same refresh token, which keeps working', async () => {
    const { sim } = await startTestSimulator();
    const original = sim.tokens.refreshTokenFor();
    const originalAccess = sim.accessTokenFor();
    const first = await refresh(sim, original);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      expires_in: '3600',
      token_type: 'Bearer',
      geolocation: sim.url,
      refresh_token: original,
    });
    expect(first.body.refresh_expires_in).toEqual(expect.any(Number));
    expect(first.body.id_token).toMatch(/^[\w-]+\.[\w-]+\.$/);
    expect(first.body.access_token).not.toBe(originalAccess);
    expect(sim.accessTokenFor()).toBe(first.body.access_token);
    expect(sim.tokens.refreshTokenFor()).toBe(original);

    const second = await refresh(sim, original);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).toBe(original);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    // Both access tokens work until they expire.
    for (const token of [first.body.access_token, second.body.access_token] as string[]) {
      expect((await call(sim, TRIP_PATH, { token })).status).toBe(200);
    }
  });

  it('rotates when asked (the simulator option, an app option, or at run time): a new refresh token each time, the old one refused', async () => {
    const spent = {
      status: 400,
      body: {
        code: 108,
        error: 'invalid_grant',
        error_description: 'bad or expired refresh token',
      },
    };
    const rotating = async (sim: Simulator) => {
      const original = sim.tokens.refreshTokenFor();
      const first = await refresh(sim, original);
      expect(first.status).toBe(200);
      expect(first.body.refresh_token).not.toBe(original);
      // The rotated pair is now the company's current one.
      expect(sim.accessTokenFor()).toBe(first.body.access_token);
      expect(sim.tokens.refreshTokenFor()).toBe(first.body.refresh_token);
      expect(await refresh(sim, original)).toMatchObject(spent);
      const second = await refresh(sim, first.body.refresh_token as string);
      expect(second.status).toBe(200);
      expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    };
    await rotating((await startTestSimulator({ rotateRefreshTokens: true })).sim);
    await rotating(
      (
        await startTestSimulator({
          clients: [
            {
              clientId: 'demo-company-client',
              clientSecret: 'demo-company-secret',
              companyId: 'demo-company',
              rotateRefreshTokens: true,
            },
          ],
        })
      ).sim,
    );
    const { sim } = await startTestSimulator();
    sim.tokens.setRefreshRotation(sim.tokens.clientFor().clientId, true);
    await rotating(sim);
    // Back to the options: the same refresh token again.
    sim.tokens.setRefreshRotation(sim.tokens.clientFor().clientId, undefined);
    const current = sim.tokens.refreshTokenFor();
    expect((await refresh(sim, current)).body.refresh_token).toBe(current);
  });

  it("answers the app's scope: a production itinerary app's openid ITINER by default, an app's or company's own when given", async () => {
    const { sim } = await startTestSimulator({
      companies: [
        { id: 'demo-company' },
        { id: 'granted', scopes: ['openid', 'ITINER', 'identity.user.ids.read'] },
      ],
      clients: [
        { clientId: 'demo-company-client', clientSecret: 'demo-company-secret', companyId: 'demo-company' },
        {
          clientId: 'identity-app',
          clientSecret: 'identity-secret',
          companyId: 'demo-company',
          scopes: ['openid', 'ITINER', 'identity.user.core.read'],
        },
      ],
    });
    expect((await refresh(sim, sim.tokens.refreshTokenFor())).body.scope).toBe('openid ITINER');
    const other = sim.tokens.issueTokenPair('demo-company', { clientId: 'identity-app' });
    const answer = await refresh(sim, other.refreshToken, {
      client_id: 'identity-app',
      client_secret: 'identity-secret',
    });
    expect(answer.body.scope).toBe('openid ITINER identity.user.core.read');
    const granted = await refresh(sim, sim.tokens.refreshTokenFor('granted'), {
      client_id: 'granted-client',
      client_secret: 'granted-secret',
    });
    expect(granted.body.scope).toBe('openid ITINER identity.user.ids.read');
    expect(sim.tokens.grantedScope('demo-company', 'identity-app')).toBe(
      'openid ITINER identity.user.core.read',
    );
  });

  it('refuses Itinerary calls with 403 to a token whose app was not granted ITINER, as a refusal of access', async () => {
    const { sim } = await startTestSimulator({
      companies: [{ id: 'demo-company' }, { id: 'expense-only', scopes: ['openid', 'EXPRPT'] }],
    });
    const refused = await call(sim, TRIP_PATH, { token: sim.accessTokenFor('expense-only') });
    expect(refused.status).toBe(403);
    expect(errorMessageOf(refused)).toBe('insufficient scope: ITINER is required');
    expect((await call(sim, TRIP_PATH)).status).toBe(200);
  });

  it('refuses unknown, expired and revoked refresh tokens with invalid_grant, bad client credentials with invalid_client', async () => {
    const { sim, clock } = await startTestSimulator({ refreshTokenLifetimeSeconds: 60 });
    expect(await refresh(sim, 'not-a-refresh-token')).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', code: 108 },
    });
    expect(await refresh(sim, sim.tokens.refreshTokenFor(), { client_secret: 'wrong' })).toMatchObject({
      status: 401,
      body: { error: 'invalid_client', code: 64 },
    });
    expect(await refresh(sim, sim.tokens.refreshTokenFor(), { refresh_token: '' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_request', code: 106, error_description: 'refresh_token was not supplied' },
    });
    expect(
      await refresh(sim, sim.tokens.refreshTokenFor(), { grant_type: 'client_credentials' }),
    ).toMatchObject({ status: 400, body: { error: 'unsupported_grant_type' } });
    const revoked = sim.tokens.refreshTokenFor();
    sim.faults.revokeRefreshToken(revoked);
    expect(await refresh(sim, revoked)).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const pair = sim.tokens.issueTokenPair();
    clock.advance(61_000);
    expect(await refresh(sim, pair.refreshToken)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'bad or expired refresh token', code: 108 },
    });
  });

  it('moves the refresh token’s end on with every refresh: a connection refreshed in time lives on', async () => {
    const { sim, clock } = await startTestSimulator({ refreshTokenLifetimeSeconds: 100 });
    const first = await refresh(sim, sim.tokens.refreshTokenFor());
    clock.advance(60_000);
    const second = await refresh(sim, first.body.refresh_token as string);
    expect(second.body.refresh_expires_in).toBe((first.body.refresh_expires_in as number) + 60);
    clock.advance(60_000);
    // 120 s after the first refresh, past the first token's 100 s: the refreshed one still works.
    expect((await refresh(sim, second.body.refresh_token as string)).status).toBe(200);
  });

  it('with refreshExtendsLifetime false, every rotated refresh token ends when the first one does', async () => {
    const { sim, clock } = await startTestSimulator({
      refreshTokenLifetimeSeconds: 100,
      refreshExtendsLifetime: false,
    });
    const first = await refresh(sim, sim.tokens.refreshTokenFor());
    clock.advance(60_000);
    const second = await refresh(sim, first.body.refresh_token as string);
    expect(second.status).toBe(200);
    expect(second.body.refresh_expires_in).toBe(first.body.refresh_expires_in);
    clock.advance(41_000);
    expect(await refresh(sim, second.body.refresh_token as string)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant', code: 108 },
    });
  });

  it('refuses a refresh sent under another host name as "user lives elsewhere", naming its geolocation', async () => {
    const { sim } = await startTestSimulator();
    const client = sim.tokens.clientFor();
    const elsewhere = sim.url.replace('127.0.0.1', 'localhost');
    const response = await fetch(`${elsewhere}/oauth2/v0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        client_id: client.clientId,
        client_secret: client.clientSecret,
        grant_type: 'refresh_token',
        refresh_token: sim.tokens.refreshTokenFor(),
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      code: 16,
      error: 'invalid_request',
      error_description: 'user lives elsewhere',
      geolocation: sim.url,
    });
  });

  it('accepts Bearer and OAuth schemes; a missing token gets 401, an unknown or expired one 403', async () => {
    const { sim, clock } = await startTestSimulator();
    const staticToken = sim.accessTokenFor();
    expect((await call(sim, TRIP_PATH, { scheme: 'Bearer' })).status).toBe(200);
    expect((await call(sim, TRIP_PATH, { scheme: 'OAuth' })).status).toBe(200);

    const missing = await call(sim, TRIP_PATH, { token: null });
    expect(missing.status).toBe(401);
    expect(missing.document).toHaveProperty('error');
    expect((await call(sim, TRIP_PATH, { token: 'nope' })).status).toBe(403);

    const issued = sim.tokens.issueTokenPair();
    clock.advance(3599_000);
    expect((await call(sim, TRIP_PATH, { token: issued.accessToken })).status).toBe(200);
    clock.advance(1000);
    const expired = await call(sim, TRIP_PATH, { token: issued.accessToken });
    expect(expired.status).toBe(403);
    expect(errorMessageOf(expired)).toBe('The access token has expired.');
    // The static token of the options does not expire by itself.
    expect((await call(sim, TRIP_PATH, { token: staticToken })).status).toBe(200);
  });

  it('expires a company access token on demand and revokes access tokens', async () => {
    const { sim } = await startTestSimulator({
      companies: [{ id: 'acme', accessToken: 'acme-token' }, { id: 'globex' }],
    });
    expect(sim.accessTokenFor()).toBe('acme-token');
    expect(sim.faults.expireAccessToken('acme')).toBe(1);
    const expired = await call(sim, TRIP_PATH, { token: 'acme-token' });
    expect(expired.status).toBe(403);
    expect((await call(sim, TRIP_PATH, { token: sim.accessTokenFor('globex') })).status).toBe(200);

    // A refresh recovers.
    const recovered = await refresh(sim, sim.tokens.refreshTokenFor('acme'), {
      client_id: 'acme-client',
      client_secret: 'acme-secret',
    });
    expect((await call(sim, TRIP_PATH, { token: recovered.body.access_token as string })).status).toBe(200);

    sim.faults.revokeAccessToken(recovered.body.access_token as string);
    const revoked = await call(sim, TRIP_PATH, { token: recovered.body.access_token as string });
    expect(revoked.status).toBe(403);
    expect(errorMessageOf(revoked)).toBe('The access token has been revoked.');
  });

  it('keeps companies apart: a token only reaches its own company trips', async () => {
    const { sim } = await startTestSimulator({ companies: [{ id: 'acme' }, { id: 'globex' }] });
    const body = `<Itinerary xmlns="http://www.concursolutions.com/api/travel/trip/2010/06"><TripName>Acme only</TripName></Itinerary>`;
    const created = await call(sim, TRIP_PATH, { body, token: sim.accessTokenFor('acme') });
    const tripId = (created.document.itinerary as { itinLocator: string }).itinLocator;
    expect(
      (await call(sim, `${TRIP_PATH}/${encodeURIComponent(tripId)}`, { token: sim.accessTokenFor('acme') }))
        .status,
    ).toBe(200);
    expect(
      (await call(sim, `${TRIP_PATH}/${encodeURIComponent(tripId)}`, { token: sim.accessTokenFor('globex') }))
        .status,
    ).toBe(404);
  });
});

describe('company request tokens and the password grant (credtype=authtoken)', () => {
  async function mint(
    sim: Simulator,
    companyId: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${sim.url}/_sim/tokens/request-token`, {
      method: 'POST',
      body: JSON.stringify({ companyId }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async function passwordGrant(
    sim: Simulator,
    form: Record<string, string>,
    baseUrl = sim.url,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${baseUrl}/oauth2/v0/token`, {
      method: 'POST',
      body: new URLSearchParams(form),
    });
    expect(response.headers.get('content-type')).toBe('application/json');
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  const formFor = (
    sim: Simulator,
    companyId: string,
    requestToken: string,
    client = sim.tokens.clientFor(companyId),
  ) => ({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_type: 'password',
    username: companyId,
    password: requestToken,
    credtype: 'authtoken',
  });

  it('exchanges a minted request token for working tokens that become the company’s current pair, up to five times', async () => {
    const { sim, clock } = await startTestSimulator();
    const minted = await mint(sim, 'demo-company');
    expect(minted.status).toBe(200);
    expect(minted.body.companyId).toBe('demo-company');
    expect(Date.parse(minted.body.expiresAt as string) - clock.now().getTime()).toBe(24 * 60 * 60 * 1000);

    const answer = await passwordGrant(sim, formFor(sim, 'demo-company', minted.body.requestToken as string));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ expires_in: '3600', token_type: 'Bearer', geolocation: sim.url });
    expect(typeof answer.body.refresh_expires_in).toBe('number');
    expect((await call(sim, TRIP_PATH, { token: answer.body.access_token as string })).status).toBe(200);
    expect(sim.accessTokenFor()).toBe(answer.body.access_token);
    // The refresh token it answered works at the refresh grant.
    const refreshed = await refresh(sim, answer.body.refresh_token as string);
    expect(refreshed.status).toBe(200);

    // Concur lets a request token be exchanged again within its 24 hours (an answer lost to the network), up to
    // five times in all, each time for new tokens.
    const form = formFor(sim, 'demo-company', minted.body.requestToken as string);
    const tokens = new Set([answer.body.access_token]);
    for (let use = 2; use <= 5; use += 1) {
      const repeated = await passwordGrant(sim, form);
      expect(repeated.status, `exchange ${use}`).toBe(200);
      tokens.add(repeated.body.access_token);
    }
    expect(tokens.size).toBe(5);
    const again = await passwordGrant(sim, form);
    expect(again).toEqual({
      status: 400,
      body: {
        error: 'invalid_grant',
        error_description: 'Incorrect Credentials. Please Retry',
        code: 5,
        geolocation: sim.url,
      },
    });
  });

  it('answers the password grant at the GLZ base URI (/glz) under any host name, with the geolocation the company lives at', async () => {
    const { sim } = await startTestSimulator();
    const { requestToken } = (await mint(sim, 'demo-company')).body as { requestToken: string };
    const elsewhere = sim.url.replace('127.0.0.1', 'localhost');
    // A geolocation that is not the company's sends it home; GLZ serves every company.
    const wrongPlace = await passwordGrant(sim, formFor(sim, 'demo-company', requestToken), elsewhere);
    expect(wrongPlace.body).toMatchObject({ code: 16, geolocation: sim.url });
    const glz = await passwordGrant(sim, formFor(sim, 'demo-company', requestToken), `${elsewhere}/glz`);
    expect(glz.status).toBe(200);
    expect(glz.body.geolocation).toBe(sim.url);
  });

  it('refuses an expired, unknown or another company’s request token, and a wrong credtype or client, with Concur’s codes', async () => {
    const { sim, clock } = await startTestSimulator({ companies: [{ id: 'acme' }, { id: 'globex' }] });
    const acme = (await mint(sim, 'acme')).body.requestToken as string;
    const globex = (await mint(sim, 'globex')).body.requestToken as string;
    expect((await mint(sim, 'nobody')).status).toBe(404);

    const codeOf = async (form: Record<string, string>) => {
      const answer = await passwordGrant(sim, form);
      return [answer.status, answer.body.error, answer.body.code];
    };
    expect(await codeOf(formFor(sim, 'acme', 'not-a-token'))).toEqual([400, 'invalid_grant', 5]);
    expect(await codeOf(formFor(sim, 'acme', globex))).toEqual([400, 'invalid_grant', 5]);
    expect(await codeOf({ ...formFor(sim, 'acme', acme), credtype: 'password' })).toEqual([
      400,
      'invalid_request',
      120,
    ]);
    expect(await codeOf({ ...formFor(sim, 'acme', acme), username: '' })).toEqual([
      400,
      'invalid_request',
      51,
    ]);
    expect(await codeOf({ ...formFor(sim, 'acme', acme), password: '' })).toEqual([
      400,
      'invalid_request',
      52,
    ]);
    expect(await codeOf({ ...formFor(sim, 'acme', acme), client_secret: 'wrong' })).toEqual([
      401,
      'invalid_client',
      64,
    ]);
    expect(await codeOf(formFor(sim, 'acme', acme, sim.tokens.clientFor('globex')))).toEqual([
      401,
      'invalid_client',
      53,
    ]);

    clock.advance(24 * 60 * 60 * 1000);
    expect(await codeOf(formFor(sim, 'acme', acme))).toEqual([400, 'invalid_grant', 5]);
    // Minted again, it works: none of the failures above spent it.
    const fresh = (await mint(sim, 'acme')).body.requestToken as string;
    expect((await passwordGrant(sim, formFor(sim, 'acme', fresh))).status).toBe(200);
  });
});
