/**
 * Travelers named by email or employee id, end to end: the local gateway (dynalite, local Secrets Manager, the
 * Lambda handlers behind the local HTTP server) resolving them through the simulator's Identity v4.1 search over
 * HTTP, with two companies whose users share an email.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { documentClient } from '../../shared/adapters/dynamodb/document-client';
import { travelerPartitionKey } from '../../shared/adapters/dynamodb/traveler-cache';
import { administration } from '../../shared/composition/administration';
import { resetServices } from '../../shared/composition/container';
import { dynamoDbClient, stateTableName } from '../../shared/composition/dynamodb';
import { startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway } from '../../local/server/local-gateway';
import { startSimulator } from '../../local/simulator';
import type { Simulator } from '../../local/simulator';
import { awaitOperation } from '../events/support';
import { addSupplier, api, bookingPath, carBooking } from './support';
import { DEFAULT_APP_ID } from '../../shared/tokens';

const COMPANY = 'demo-company';
const OTHER_COMPANY = 'other-company';
const NO_IDENTITY_COMPANY = 'no-identity-company';
/** A company whose app Concur did not grant the itinerary scope. */
const NO_ITINERARY_COMPANY = 'no-itinerary-company';
const EMAIL = 'chris.miller@example.com';
const APP = { clientId: 'travel-app', clientSecret: 'travel-app-secret' };
/** What a company must grant the app for its travelers to be looked up (the simulator's default app has none). */
const IDENTITY_SCOPES = [
  'openid',
  'ITINER',
  'identity.user.ids.read',
  'identity.user.core.read',
  'identity.user.enterprise.read',
];

let simulator: Simulator;
let gateway: LocalGateway;
let client: ReturnType<typeof api>;
let apiKey: string;

beforeAll(async () => {
  simulator = await startSimulator({
    companies: [
      {
        id: COMPANY,
        scopes: IDENTITY_SCOPES,
        users: [
          { loginId: 'cm@example.com', email: EMAIL, employeeId: '1001' },
          { loginId: 'pat.one@example.com', email: 'desk@example.com', employeeId: '2001' },
          { loginId: 'pat.two@example.com', email: 'desk@example.com', employeeId: 'P-2002' },
          { loginId: 'gone@example.com', email: 'gone@example.com', employeeId: '3001', active: false },
        ],
      },
      // Another company whose traveler has the same email: a lookup in one company never answers for the other.
      {
        id: OTHER_COMPANY,
        scopes: IDENTITY_SCOPES,
        users: [{ loginId: 'chris@other.example', email: EMAIL, employeeId: '1001' }],
      },
      // A company where the app has the simulator's default scopes, a production itinerary app's: no Identity scope.
      { id: NO_IDENTITY_COMPANY, users: [{ loginId: 'x@third.example', email: EMAIL }] },
      { id: NO_ITINERARY_COMPANY, scopes: ['openid'] },
    ],
    // One app connected to every company, as the gateway's OAuth client is.
    clients: [COMPANY, OTHER_COMPANY, NO_IDENTITY_COMPANY, NO_ITINERARY_COMPANY].map((companyId) => ({
      companyId,
      ...APP,
    })),
  });
  gateway = await startLocalGateway({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-travelers-')),
    // The tests send their requests back to back: above the default per-supplier rate, which is not tested here.
    supplierRatePerSecond: 1_000,
    concurBaseUrl: simulator.url,
    demoConcur: {
      accessToken: simulator.tokens.accessTokenFor(COMPANY),
      refreshToken: simulator.tokens.refreshTokenFor(COMPANY),
      ...APP,
    },
  });
  await administration().configureConnection(
    { appId: DEFAULT_APP_ID, companyId: OTHER_COMPANY },
    {
      baseUrl: simulator.url,
      accessToken: simulator.tokens.accessTokenFor(OTHER_COMPANY),
      refreshToken: simulator.tokens.refreshTokenFor(OTHER_COMPANY),
      expiresAt: new Date(Date.now() + 55 * 60_000).toISOString(),
    },
  );
  for (const companyId of [NO_IDENTITY_COMPANY, NO_ITINERARY_COMPANY]) {
    await administration().configureConnection(
      { appId: DEFAULT_APP_ID, companyId },
      {
        baseUrl: simulator.url,
        accessToken: simulator.tokens.accessTokenFor(companyId),
        refreshToken: simulator.tokens.refreshTokenFor(companyId),
        expiresAt: new Date(Date.now() + 55 * 60_000).toISOString(),
      },
    );
  }
  apiKey = await addSupplier('travel-co', 'TravelCo', [
    COMPANY,
    OTHER_COMPANY,
    NO_IDENTITY_COMPANY,
    NO_ITINERARY_COMPANY,
  ]);
  client = api(gateway, apiKey);
});
afterAll(async () => {
  await gateway.close();
  await simulator.close();
});

const searches = () => simulator.requests.of('identitySearch').length;
const lastPost = () => simulator.requests.of('bookingPost').at(-1)!;
const put = (confirmationNumber: string, traveler: Record<string, string>, company = COMPANY) =>
  client.put(bookingPath(confirmationNumber, company), {
    booking: carBooking({}, { confirmationNumber }),
    traveler,
  });

describe('a booking whose traveler is named by email or employee id', () => {
  it("reaches Concur with the user's login id, and the mapping keeps the login", async () => {
    const before = searches();
    const answer = await put('EMAIL-1', { email: EMAIL });
    expect(answer.status).toBe(201);
    expect(answer.body.booking.traveler).toEqual({ loginId: 'cm@example.com' });
    expect(lastPost().query).toMatchObject({ userid_type: 'login_id', userid_value: 'cm@example.com' });
    const search = simulator.requests.of('identitySearch').at(-1)!;
    expect(searches()).toBe(before + 1);
    expect(search).toMatchObject({ method: 'POST', status: 200 });
    expect(JSON.parse(search.body)).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest'],
      filter: `active eq true and emails.value eq "${EMAIL}"`,
    });
    expect(search.headers.accept).toBe('application/json');
    const stored = await client.get(bookingPath('EMAIL-1'));
    expect(stored.body.booking.traveler).toEqual({ loginId: 'cm@example.com' });
  });

  it('a second booking for the same traveler (any case) makes no Identity call', async () => {
    await put('EMAIL-2', { email: EMAIL });
    const before = searches();
    const answer = await put('EMAIL-3', { email: 'CHRIS.Miller@Example.com' });
    expect(answer.status).toBe(201);
    expect(searches()).toBe(before);
    expect(lastPost().query.userid_value).toBe('cm@example.com');
  });

  it('an expired cache entry is looked up again', async () => {
    await put('EXPIRY-1', { email: EMAIL });
    const documents = documentClient(dynamoDbClient());
    const key = { pk: travelerPartitionKey(COMPANY, { email: EMAIL }), sk: 'TRAVELER' };
    const { Item } = await documents.send(new GetCommand({ TableName: stateTableName(), Key: key }));
    // The key holds a hash, not the email; the entry names the login and ends within a day.
    expect(JSON.stringify(Item)).not.toContain(EMAIL);
    expect(Item).toMatchObject({ loginId: 'cm@example.com', expiresAt: expect.any(Number) });
    expect(Item!.expiresAt * 1000).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    await documents.send(
      new UpdateCommand({
        TableName: stateTableName(),
        Key: key,
        UpdateExpression: 'SET expiresAt = :past',
        ExpressionAttributeValues: { ':past': Math.floor(Date.now() / 1000) - 1 },
      }),
    );
    const before = searches();
    expect((await put('EXPIRY-2', { email: EMAIL })).status).toBe(201);
    expect(searches()).toBe(before + 1);
    expect((await put('EXPIRY-3', { email: EMAIL })).status).toBe(201);
    expect(searches()).toBe(before + 1);
  });

  it('resolves an employee id through the enterprise extension', async () => {
    const before = searches();
    const answer = await put('EMPLOYEE-1', { employeeId: '1001' });
    expect(answer.status).toBe(201);
    expect(lastPost().query.userid_value).toBe('cm@example.com');
    expect(searches()).toBe(before + 1);
    expect(JSON.parse(simulator.requests.of('identitySearch').at(-1)!.body).filter).toBe(
      'active eq true and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "1001"',
    );
  });

  it('answers 422 when no active user matches, without calling the Itinerary API or writing a mapping', async () => {
    const posts = simulator.requests.of('bookingPost').length;
    for (const [confirmationNumber, traveler, path] of [
      ['NOBODY-1', { email: 'nobody@example.com' }, 'traveler.email'],
      ['NOBODY-2', { email: 'gone@example.com' }, 'traveler.email'],
      ['NOBODY-3', { employeeId: '9999' }, 'traveler.employeeId'],
    ] as const) {
      const answer = await put(confirmationNumber, traveler);
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(answer.body).toMatchObject({
        type: 'urn:concur-gateway:problem:unknown-traveler',
        status: 422,
        errors: [{ path, message: 'matches no active Concur user of the company' }],
      });
      expect((await client.get(bookingPath(confirmationNumber))).status).toBe(404);
    }
    expect(simulator.requests.of('bookingPost')).toHaveLength(posts);
  });

  it('answers 422 when several users match, naming none of them', async () => {
    const posts = simulator.requests.of('bookingPost').length;
    const answer = await put('SEVERAL-1', { email: 'desk@example.com' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      type: 'urn:concur-gateway:problem:ambiguous-traveler',
      errors: [{ path: 'traveler.email', message: 'matches several active Concur users of the company' }],
    });
    const users = simulator.users.of(COMPANY).filter((user) => user.emails[0]?.value === 'desk@example.com');
    expect(users).toHaveLength(2);
    for (const user of users) {
      expect(JSON.stringify(answer.body)).not.toContain(user.userName);
      expect(JSON.stringify(answer.body)).not.toContain(user.id);
      expect(JSON.stringify(answer.body)).not.toContain(
        user['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].employeeNumber!,
      );
    }
    expect(simulator.requests.of('bookingPost')).toHaveLength(posts);
    // Nothing is remembered for an email that did not resolve: once Concur's users are fixed, it works.
    expect((await put('SEVERAL-2', { email: 'desk@example.com' })).status).toBe(422);
  });

  it('keeps each company to its own users: the same email resolves per company', async () => {
    await put('SHARED-1', { email: EMAIL });
    const before = searches();
    const answer = await put('SHARED-2', { email: EMAIL }, OTHER_COMPANY);
    expect(answer.status).toBe(201);
    expect(answer.body.booking.traveler).toEqual({ loginId: 'chris@other.example' });
    expect(lastPost().query.userid_value).toBe('chris@other.example');
    expect(searches()).toBe(before + 1);
    // The search went out with the other company's token, so Concur searched that company only.
    expect(simulator.requests.of('identitySearch').at(-1)!.headers.authorization).toContain(
      simulator.tokens.accessTokenFor(OTHER_COMPANY).slice(-4),
    );
    expect((await put('SHARED-3', { email: EMAIL })).body.booking.traveler.loginId).toBe('cm@example.com');
  });

  it('quotes the value in the filter: an employee id written as a filter matches nobody', async () => {
    const answer = await put('QUOTED-1', {
      employeeId: '1001" or active eq true or userName pr or id eq "x',
    });
    expect(answer.status).toBe(422);
    expect(answer.body.type).toBe('urn:concur-gateway:problem:unknown-traveler');
  });

  it('answers odd emails and employee ids with 400 or 422, never a 5xx, and never someone else', async () => {
    const odd = fc.oneof(
      fc.record({ employeeId: fc.string({ minLength: 1, maxLength: 40 }) }),
      fc.record({ employeeId: fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }) }),
      fc.record({
        email: fc.oneof(
          fc.emailAddress(),
          fc.string({ maxLength: 30 }).map((local) => `${local}@example.com`),
        ),
      }),
    );
    const samples = fc.sample(odd, { numRuns: 60, seed: 20_261_130 });
    const known = new Set(['1001', 'P-2002', '2001', EMAIL]);
    const before = searches();
    for (const [index, traveler] of samples.entries()) {
      const value = Object.values(traveler)[0]!;
      if (known.has(value.trim().toLowerCase()) || known.has(value.trim())) continue;
      const answer = await put(`ODD-${index}`, traveler);
      expect([400, 422], JSON.stringify(traveler)).toContain(answer.status);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    // Most of them were valid enough to be searched at Concur.
    expect(searches() - before).toBeGreaterThan(30);
  });

  it('answers 502 when Concur answers the search with something unusable, and remembers nothing', async () => {
    simulator.faults.failNext('identitySearch', { kind: 'malformed-xml' }, 1);
    const answer = await put('BROKEN-1', { email: 'Broken.Answer@example.com' });
    expect(answer.status).toBe(502);
    expect(answer.body.type).toBe('urn:concur-gateway:problem:concur-malformed-response');
    simulator.users.add(COMPANY, { loginId: 'broken@example.com', email: 'broken.answer@example.com' });
    expect((await put('BROKEN-2', { email: 'Broken.Answer@example.com' })).body.booking.traveler).toEqual({
      loginId: 'broken@example.com',
    });
  });

  it('answers Concur’s 403 naming the missing scope without a refresh while the scopes are unknown; a login still works', async () => {
    const refreshes = simulator.requests.of('token').length;
    const answer = await put('SCOPE-1', { email: EMAIL }, NO_IDENTITY_COMPANY);
    expect(answer.status).toBe(403);
    // A refusal of access, not of the token: no refresh.
    expect(simulator.requests.of('token').length).toBe(refreshes);
    expect(answer.body).toMatchObject({
      type: 'urn:concur-gateway:problem:concur-forbidden',
      concur: {
        status: 403,
        message: expect.stringContaining('identity.user.core.read'),
        correlationId: expect.any(String),
      },
    });
    const byLogin = await put('SCOPE-2', { loginId: 'x@third.example' }, NO_IDENTITY_COMPANY);
    expect(byLogin.status).toBe(201);
  });

  it('answers 422 traveler-lookup-unavailable at once, without any Concur call, when the connection’s scopes lack Identity’s', async () => {
    const connection = { appId: DEFAULT_APP_ID, companyId: NO_IDENTITY_COMPANY };
    const admin = administration();
    await admin.configureConnection(connection, {
      ...(await admin.readConnection(connection)),
      // An expired token too: the answer needs no refresh either.
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
      scope: 'openid ITINER',
    });
    resetServices();
    const calls = simulator.requests.entries.length;
    for (const traveler of [{ email: EMAIL }, { employeeId: '1001' }] as Record<string, string>[]) {
      const answer = await put('SCOPELESS-1', traveler, NO_IDENTITY_COMPANY);
      expect(answer.status).toBe(422);
      expect(answer.body).toMatchObject({
        type: 'urn:concur-gateway:problem:traveler-lookup-unavailable',
        errors: [{ path: 'traveler.' + Object.keys(traveler)[0] }],
      });
      expect(answer.body.detail).toContain('identity.user.ids.read');
    }
    expect(simulator.requests.entries.length).toBe(calls);
  });

  it('keeps the scope Concur answers with a refresh: at an app granted openid ITINER, the next lookup makes no Concur call', async () => {
    const connection = { appId: DEFAULT_APP_ID, companyId: NO_IDENTITY_COMPANY };
    const admin = administration();
    const stored = await admin.readConnection(connection);
    delete stored.scope;
    await admin.configureConnection(connection, {
      ...stored,
      expiresAt: new Date(Date.now() - 60_000).toISOString(),
    });
    resetServices();
    const refreshes = simulator.requests.of('token').length;
    expect((await put('SCOPE-REFRESH-1', { loginId: 'x@third.example' }, NO_IDENTITY_COMPANY)).status).toBe(
      201,
    );
    expect(simulator.requests.of('token')).toHaveLength(refreshes + 1);
    expect((await admin.readConnection(connection)).scope).toBe('openid ITINER');
    resetServices();
    const calls = simulator.requests.entries.length;
    const answer = await put('SCOPE-REFRESH-2', { email: EMAIL }, NO_IDENTITY_COMPANY);
    expect(answer.status).toBe(422);
    expect(answer.body.type).toBe('urn:concur-gateway:problem:traveler-lookup-unavailable');
    expect(simulator.requests.entries.length).toBe(calls);
  });

  it('applies asynchronous requests alike: resolved, or parked with the 422 problem for an operator to replay', async () => {
    const async = { prefer: 'respond-async' };
    const accepted = await client.put(
      bookingPath('ASYNC-1'),
      { booking: carBooking({}, { confirmationNumber: 'ASYNC-1' }), traveler: { employeeId: '1001' } },
      async,
    );
    expect(accepted.status).toBe(202);
    const done = await awaitOperation(gateway, apiKey, accepted.body.operation.href);
    expect(done.body.operation).toMatchObject({
      status: 'succeeded',
      result: { status: 201, body: { booking: { traveler: { loginId: 'cm@example.com' } } } },
    });
    const unknown = await client.put(
      bookingPath('ASYNC-2'),
      {
        booking: carBooking({}, { confirmationNumber: 'ASYNC-2' }),
        traveler: { email: 'later@example.com' },
      },
      async,
    );
    const parked = await awaitOperation(gateway, apiKey, unknown.body.operation.href);
    expect(parked.body.operation).toMatchObject({
      status: 'parked',
      problem: {
        type: 'urn:concur-gateway:problem:unknown-traveler',
        errors: [{ path: 'traveler.email' }],
      },
    });
  });

  it('the translate dry run checks the traveler’s form and resolves nothing', async () => {
    const before = searches();
    const body = (traveler: Record<string, string>) => ({ booking: carBooking(), traveler });
    const dry = await client.post('/v1/translate/booking?confirmationNumber=DRY-1', body({ email: EMAIL }));
    expect(dry.status).toBe(200);
    expect(dry.body.xml).toContain('<Booking');
    expect(dry.body.xml).not.toContain(EMAIL);
    const bad = await client.post('/v1/translate/booking?confirmationNumber=DRY-2', body({ email: 'nope' }));
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([{ path: 'traveler.email', message: expect.any(String) }]);
    expect(searches()).toBe(before);
  });

  it('refuses a traveler that is not exactly one of loginId, email, employeeId (400, with the path)', async () => {
    const travelers: Record<string, string>[] = [
      {},
      { loginId: 'cm@example.com', email: EMAIL },
      { email: 'not-an-email' },
    ];
    for (const traveler of travelers) {
      const answer = await put('BAD-TRAVELER', traveler);
      expect(answer.status).toBe(400);
      expect(answer.body.errors[0].path).toMatch(/^traveler/);
    }
  });

  it('a booking put with an email may be updated with the login, not with another traveler', async () => {
    expect((await put('SAME-1', { email: EMAIL })).status).toBe(201);
    expect((await put('SAME-1', { loginId: 'cm@example.com' })).status).toBe(200);
    const other = await put('SAME-1', { employeeId: '2001' });
    expect(other.status).toBe(409);
    expect(other.body.errors).toEqual([
      { path: 'traveler.employeeId', message: 'differs from the traveler of the existing booking' },
    ]);
    expect(JSON.stringify(other.body)).not.toContain('pat.one@example.com');
  });

  it('a cancel may name the traveler by email; another traveler is refused', async () => {
    expect((await put('CANCEL-1', { email: EMAIL })).status).toBe(201);
    const wrong = await client.post(`${bookingPath('CANCEL-1')}/cancel`, {
      traveler: { employeeId: 'P-2002' },
    });
    expect(wrong.status).toBe(409);
    const cancelled = await client.post(`${bookingPath('CANCEL-1')}/cancel`, { traveler: { email: EMAIL } });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.booking.status).toBe('cancelled');
  });

  it('a trip is created for the traveler named by email', async () => {
    const answer = await client.post(`/v1/companies/${COMPANY}/trips`, {
      itinerary: {
        tripName: 'Email trip',
        startDateLocal: '2027-04-01T09:00:00',
        endDateLocal: '2027-04-03T18:00:00',
        bookings: [
          {
            ...carBooking({}, { confirmationNumber: 'TRIP-CAR-1' }),
            bookingSource: 'TravelCo',
            recordLocator: 'TRIP-CAR-1',
          },
        ],
      },
      traveler: { email: EMAIL },
    });
    expect(answer.status).toBe(201);
    expect(simulator.requests.of('tripCreate').at(-1)!.query.userid_value).toBe('cm@example.com');
  });

  it('writes neither the email nor the employee id nor a resolved login into any log line', async () => {
    const written: string[] = [];
    const spies = [process.stdout, process.stderr].map((stream) =>
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }) as typeof stream.write),
    );
    try {
      expect((await put('LOG-1', { email: 'Chris.Miller@example.com' })).status).toBe(201);
      expect((await put('LOG-2', { employeeId: 'P-2002' })).status).toBe(201);
      expect((await put('LOG-3', { email: 'desk@example.com' })).status).toBe(422);
      expect((await put('LOG-4', { email: 'nobody@example.com' })).status).toBe(422);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    // The gateway logged its calls to Concur meanwhile, so the capture saw its log lines.
    expect(written.some((line) => line.includes('/profile/identity/v4.1/Users/.search'))).toBe(true);
    for (const line of written) {
      for (const personal of [
        'chris.miller@example.com',
        'desk@example.com',
        'nobody@example.com',
        'p-2002',
        'cm@example.com',
        'pat.two@example.com',
        'pat.one@example.com',
      ]) {
        expect(line.toLowerCase()).not.toContain(personal);
      }
    }
  });
});

describe('a traveler named by a login Concur does not know', () => {
  it('answers 422 concur-unknown-user with Concur’s message, after one call, without a refresh or a retry', async () => {
    const refreshes = simulator.requests.of('token').length;
    const posts = simulator.requests.of('bookingPost').length;
    const answer = await put('STRANGER-1', { loginId: 'stranger@example.com' });
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({
      type: 'urn:concur-gateway:problem:concur-unknown-user',
      concur: { status: 400, message: expect.stringMatching(/user specified does not exist/) },
    });
    expect(
      simulator.requests
        .of('bookingPost')
        .slice(posts)
        .map((entry) => entry.status),
    ).toEqual([400]);
    expect(simulator.requests.of('token')).toHaveLength(refreshes);
    // Once the company has the user, the same request goes through.
    simulator.users.add(COMPANY, { loginId: 'stranger@example.com' });
    expect((await put('STRANGER-1', { loginId: 'stranger@example.com' })).status).toBe(201);
  });
});

describe('a company whose Concur app lacks the itinerary scope', () => {
  it('answers Concur’s 403 as concur-forbidden, a refusal of access: no refresh, no second call', async () => {
    const refreshes = simulator.requests.of('token').length;
    const posts = simulator.requests.of('bookingPost').length;
    const answer = await put('NO-ITINER-1', { loginId: 'cm@example.com' }, NO_ITINERARY_COMPANY);
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({
      type: 'urn:concur-gateway:problem:concur-forbidden',
      concur: { status: 403, message: 'insufficient scope: ITINER is required' },
    });
    expect(
      simulator.requests
        .of('bookingPost')
        .slice(posts)
        .map((entry) => entry.status),
    ).toEqual([403]);
    expect(simulator.requests.of('token')).toHaveLength(refreshes);
  });
});
