import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { administration } from '../../shared/composition/administration';
import { resetServices } from '../../shared/composition/container';
import { COMPANY, TRAVELER, api, bookingPath, carBooking, startTestGateway } from './support';
import { DEFAULT_APP_ID } from '../../shared/tokens';

let gateway: Awaited<ReturnType<typeof startTestGateway>>;
let client: ReturnType<typeof api>;

beforeAll(async () => {
  gateway = await startTestGateway();
  client = api(gateway, gateway.apiKey);
});
afterAll(() => gateway.close());

const put = (confirmationNumber: string) =>
  client.put(bookingPath(confirmationNumber), { booking: carBooking(), traveler: { loginId: TRAVELER } });

/**
 * A refused token is replaced at most once a minute per connection: these tests make Concur refuse tokens one
 * after another, so the last refresh is moved a minute back first (the stored tokens stay the same).
 */
async function refreshedLongAgo(): Promise<void> {
  const admin = administration();
  const connection = { appId: DEFAULT_APP_ID, companyId: COMPANY };
  const stored = await admin.readConnection(connection);
  await admin.configureConnection(connection, {
    ...stored,
    refreshedAt: new Date(Date.now() - 61_000).toISOString(),
  });
}

describe("the company's Concur tokens", () => {
  it('20 concurrent requests with an expired token make exactly one refresh call', async () => {
    const simulator = gateway.simulator!;
    const admin = administration();
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      {
        baseUrl: simulator.url,
        accessToken: simulator.tokens.accessTokenFor(COMPANY),
        refreshToken: simulator.tokens.refreshTokenFor(COMPANY),
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    );
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => put(`EXPIRED-${i}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(201));
    expect(simulator.requests.of('token')).toHaveLength(1);
    // The refreshed tokens went back into the company's secret.
    const stored = await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: COMPANY });
    expect(stored.refreshToken).toBe(simulator.tokens.refreshTokenFor(COMPANY));
    expect(Date.parse(stored.expiresAt)).toBeGreaterThan(Date.now());
    // Concur's refresh_expires_in is kept, to warn before the company must be connected again.
    expect(Date.parse(stored.refreshExpiresAt!)).toBeGreaterThan(Date.now() + 150 * 24 * 3600_000);
  });

  it('refreshes once on a 403 saying the token is not valid, then succeeds with the new token', async () => {
    const simulator = gateway.simulator!;
    const admin = administration();
    const stored = await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: COMPANY });
    // A token Concur does not know: 403 "The access token is not valid.", no word of expiry.
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      { ...stored, accessToken: 'a-token-concur-never-issued' },
    );
    await refreshedLongAgo();
    resetServices(); // a new container: nothing cached in memory
    const refreshes = simulator.requests.of('token').length;
    const posts = simulator.requests.of('bookingPost').length;
    expect((await put('AFTER-403')).status).toBe(201);
    expect(
      simulator.requests
        .of('bookingPost')
        .slice(posts)
        .map((entry) => entry.status),
    ).toEqual([403, 200]);
    expect(simulator.requests.of('token')).toHaveLength(refreshes + 1);
  });

  it('follows an OAuth error that names the company’s geolocation, and stores that geolocation', async () => {
    const simulator = gateway.simulator!;
    const admin = administration();
    const stored = await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: COMPANY });
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      {
        ...stored,
        baseUrl: simulator.url.replace('127.0.0.1', 'localhost'),
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    );
    resetServices();
    const before = simulator.requests.of('token').length;
    expect((await put('MOVED-GEO')).status).toBe(201);
    expect(
      simulator.requests
        .of('token')
        .slice(before)
        .map((entry) => entry.status),
    ).toEqual([400, 200]);
    expect((await admin.readConnection({ appId: DEFAULT_APP_ID, companyId: COMPANY })).baseUrl).toBe(
      simulator.url,
    );
  });

  it('does not refresh again within a minute of a refresh when Concur refuses the new token too', async () => {
    const simulator = gateway.simulator!;
    await refreshedLongAgo();
    simulator.faults.expireAccessToken(COMPANY);
    expect((await put('MINUTE-1')).status).toBe(201);
    const refreshes = simulator.requests.of('token').length;
    simulator.faults.expireAccessToken(COMPANY);
    const refused = await put('MINUTE-2');
    expect(refused.status).toBe(502);
    expect(refused.body).toMatchObject({
      type: 'urn:concur-gateway:problem:concur-auth',
      concur: { status: 403 },
    });
    expect(simulator.requests.of('token')).toHaveLength(refreshes);
  });

  it('refreshes once when Concur refuses a token it revoked, then succeeds', async () => {
    const simulator = gateway.simulator!;
    await refreshedLongAgo();
    const refreshes = simulator.requests.of('token').length;
    simulator.faults.expireAccessToken(COMPANY);
    const answer = await put('AFTER-EXPIRY');
    expect(answer.status).toBe(201);
    expect(simulator.requests.of('token')).toHaveLength(refreshes + 1);
    const posts = simulator.requests.of('bookingPost');
    expect(posts.at(-2)!.status).toBe(403);
    expect(posts.at(-1)!.status).toBe(200);
  });

  it('never writes a token or the API key into a log line or an answer, even when Concur fails', async () => {
    const simulator = gateway.simulator!;
    const written: string[] = [];
    const capture = (stream: NodeJS.WriteStream) =>
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    const spies = [capture(process.stdout), capture(process.stderr)];
    try {
      simulator.faults.failNext('bookingPost', { kind: 'malformed-xml' }, 1);
      const failed = await put('LOG-CHECK');
      expect(failed.status).toBe(502);
      await refreshedLongAgo();
      simulator.faults.expireAccessToken(COMPANY);
      expect((await put('LOG-CHECK-2')).status).toBe(201);
      const secrets = [
        simulator.tokens.accessTokenFor(COMPANY),
        simulator.tokens.refreshTokenFor(COMPANY),
        simulator.tokens.clientFor(COMPANY).clientSecret,
        gateway.apiKey,
      ];
      for (const answer of [failed.body])
        for (const secret of secrets) expect(JSON.stringify(answer)).not.toContain(secret);
      for (const line of written) for (const secret of secrets) expect(line).not.toContain(secret);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('a token refresh that goes wrong', () => {
  const expireStoredAccess = async () => {
    const simulator = gateway.simulator!;
    const admin = administration();
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      {
        baseUrl: simulator.url,
        accessToken: simulator.tokens.accessTokenFor(COMPANY),
        refreshToken: simulator.tokens.refreshTokenFor(COMPANY),
        expiresAt: new Date(Date.now() - 60_000).toISOString(),
      },
    );
    // The gateway's cached copy goes too: Concur refuses it, so the gateway reads the secret and refreshes.
    simulator.faults.expireAccessToken(COMPANY);
  };

  it('survives a lost answer: the refresh is sent again with the same refresh token, which Concur mostly keeps', async () => {
    const simulator = gateway.simulator!;
    await expireStoredAccess();
    const refreshes = simulator.requests.of('token').length;
    // Concur issues the new access token, but its answer never arrives.
    simulator.faults.failNext('token', { kind: 'destroy', commit: true }, 1);
    const answer = await put('LOST-REFRESH');
    expect(answer.status).toBe(201);
    expect(simulator.requests.of('token')).toHaveLength(refreshes + 2);
    expect((await put('LOST-REFRESH')).status).toBe(200);
  });

  it('keeps whatever refresh token Concur answers: the same one as Concur mostly answers, or a rotated one', async () => {
    const simulator = gateway.simulator!;
    const admin = administration();
    const connection = { appId: DEFAULT_APP_ID, companyId: COMPANY };
    const { clientId } = simulator.tokens.clientFor(COMPANY);
    const refreshedOnce = async (confirmationNumber: string) => {
      await expireStoredAccess();
      await refreshedLongAgo();
      resetServices();
      const refreshes = simulator.requests.of('token').length;
      expect((await put(confirmationNumber)).status).toBe(201);
      expect(
        simulator.requests
          .of('token')
          .slice(refreshes)
          .map((entry) => entry.status),
      ).toEqual([200]);
      return admin.readConnection(connection);
    };
    // Concur's usual answer: the refresh token sent comes back, and stays the connection's.
    const held = simulator.tokens.refreshTokenFor(COMPANY);
    expect((await refreshedOnce('SAME-REFRESH-1')).refreshToken).toBe(held);
    expect((await refreshedOnce('SAME-REFRESH-2')).refreshToken).toBe(held);

    simulator.tokens.setRefreshRotation(clientId, true);
    try {
      // A rotation: the new refresh token is stored, the one sent is spent at Concur.
      const rotated = await refreshedOnce('ROTATED-REFRESH-1');
      expect(rotated.refreshToken).not.toBe(held);
      expect(rotated.refreshToken).toBe(simulator.tokens.refreshTokenFor(COMPANY));
      const again = await refreshedOnce('ROTATED-REFRESH-2');
      expect(again.refreshToken).not.toBe(rotated.refreshToken);
      expect(again.refreshToken).toBe(simulator.tokens.refreshTokenFor(COMPANY));
    } finally {
      simulator.tokens.setRefreshRotation(clientId, undefined);
    }
  });

  it('a refused refresh gives one clear concur-auth problem, and later requests get it without calling Concur', async () => {
    const simulator = gateway.simulator!;
    await expireStoredAccess();
    simulator.faults.revokeRefreshToken(simulator.tokens.refreshTokenFor(COMPANY));
    const refreshes = simulator.requests.of('token').length;
    const first = await put('REFUSED-1');
    expect(first.status).toBe(503);
    expect(first.headers.get('content-type')).toContain('application/problem+json');
    expect(first.body).toMatchObject({ type: 'urn:concur-gateway:problem:concur-auth' });
    expect(first.body.detail).toMatch(/connect the company to Concur again/);
    expect(simulator.requests.of('token')).toHaveLength(refreshes + 1);

    const later = await Promise.all([
      put('REFUSED-2'),
      put('REFUSED-3'),
      client.get(bookingPath('REFUSED-1')),
    ]);
    expect(later.slice(0, 2).map((a) => [a.status, a.body.type])).toEqual([
      [503, 'urn:concur-gateway:problem:concur-auth'],
      [503, 'urn:concur-gateway:problem:concur-auth'],
    ]);
    expect(simulator.requests.of('token')).toHaveLength(refreshes + 1);

    // An operator connects the company again: new tokens clear the refusal.
    const reconnected = simulator.tokens.issueTokenPair(COMPANY);
    const admin = administration();
    await admin.configureConnection(
      { appId: DEFAULT_APP_ID, companyId: COMPANY },
      {
        baseUrl: simulator.url,
        accessToken: reconnected.accessToken,
        refreshToken: reconnected.refreshToken,
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );
    expect((await put('REFUSED-4')).status).toBe(201);
  });
});
