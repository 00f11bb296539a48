import { describe, expect, it } from 'vitest';
import type { Simulator } from '../../../local/simulator';
import { startTestSimulator } from './support';
import type { CompanyOptions, SimulatorOptions } from '../../../local/simulator';

const SEARCH_PATH = '/profile/identity/v4.1/Users/.search';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:concur:2.0:SearchRequest';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

async function search(sim: Simulator, body: unknown, token: string | null = sim.accessTokenFor()) {
  const response = await fetch(`${sim.url}${SEARCH_PATH}`, {
    method: 'POST',
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      accept: 'application/json',
      'content-type': 'application/json',
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    body: (await response.json()) as any,
  };
}

/** Every Identity read scope: what a company must be granted for its users to be searched. */
const IDENTITY = [
  'openid',
  'ITINER',
  'identity.user.ids.read',
  'identity.user.core.read',
  'identity.user.enterprise.read',
];

/** A simulator whose companies (the default one when none is given) are granted the Identity scopes. */
const startGranted = (options: SimulatorOptions = {}) =>
  startTestSimulator({
    ...options,
    companies: (options.companies ?? [{ id: 'demo-company' }]).map((company: CompanyOptions) => ({
      scopes: IDENTITY,
      ...company,
    })),
  });

const byFilter = (filter: string, attributes?: string[]) => ({
  schemas: [SEARCH_REQUEST],
  filter,
  ...(attributes ? { attributes } : {}),
});

describe('Identity v4.1 user search', () => {
  it("finds the default company's traveler by email, case-insensitively, as a SCIM ListResponse", async () => {
    const { sim } = await startGranted();
    const answer = await search(sim, byFilter('emails.value eq "Chris.Miller@EXAMPLE.com"', ['userName']));
    expect(answer.status).toBe(200);
    expect(answer.type).toMatch(/^application\/json/);
    expect(answer.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
      Resources: [{ id: expect.stringMatching(/^[0-9a-f-]{36}$/), userName: 'cm@example.com' }],
    });
    expect(sim.requests.of('identitySearch')).toHaveLength(1);
  });

  it('finds users by employee number and activity, and several users sharing an email', async () => {
    const { sim } = await startGranted({
      companies: [
        {
          id: 'acme',
          users: [
            { loginId: 'a1@acme.example', email: 'desk@acme.example', employeeId: 'E-1' },
            { loginId: 'a2@acme.example', email: 'desk@acme.example', employeeId: 'E-2' },
            { loginId: 'a3@acme.example', email: 'gone@acme.example', employeeId: 'E-3', active: false },
          ],
        },
      ],
    });
    const byNumber = await search(
      sim,
      byFilter(`active eq true and ${ENTERPRISE}:employeeNumber eq "E-2"`, ['userName', ENTERPRISE]),
    );
    expect(byNumber.body.Resources).toEqual([
      {
        id: expect.any(String),
        userName: 'a2@acme.example',
        [ENTERPRISE]: expect.objectContaining({ employeeNumber: 'E-2' }),
      },
    ]);
    const shared = await search(sim, byFilter('emails.value eq "desk@acme.example"', ['userName']));
    expect(shared.body.totalResults).toBe(2);
    const inactive = await search(sim, byFilter('active eq true and emails.value eq "gone@acme.example"'));
    expect(inactive.body).toMatchObject({ totalResults: 0, Resources: [] });
    const grouped = await search(
      sim,
      byFilter('(emails.value ew "@acme.example" or userName eq "x") and not(active eq false)'),
    );
    expect(grouped.body.totalResults).toBe(2);
    const limited = await search(sim, { ...byFilter('emails.value eq "desk@acme.example"'), count: 1 });
    expect(limited.body).toMatchObject({ totalResults: 2, itemsPerPage: 1 });
  });

  it("searches only the caller's company", async () => {
    const { sim } = await startGranted({
      companies: [
        { id: 'one', users: [{ loginId: 'u@one.example', email: 'same@example.com' }] },
        { id: 'two', users: [{ loginId: 'u@two.example', email: 'same@example.com' }] },
      ],
    });
    const answer = await search(
      sim,
      byFilter('emails.value eq "same@example.com"', ['userName']),
      sim.accessTokenFor('two'),
    );
    expect(answer.body.Resources.map((user: { userName: string }) => user.userName)).toEqual([
      'u@two.example',
    ]);
  });

  it('refuses a search by default, as Concur refuses a production itinerary app (openid ITINER); an app granted the scopes searches', async () => {
    const { sim } = await startTestSimulator({
      companies: [{ id: 'demo-company' }, { id: 'granted', users: [{ loginId: 'u@granted.example' }] }],
      clients: [{ clientId: 'identity-app', clientSecret: 's', companyId: 'granted', scopes: IDENTITY }],
    });
    const refused = await search(sim, byFilter('userName eq "cm@example.com"'));
    expect(refused).toMatchObject({
      status: 403,
      body: {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '403',
        detail: 'insufficient scope: identity.user.ids.read identity.user.core.read is required',
      },
    });
    // The scopes belong to the app: the company's tokens of the app granted them search its users.
    const granted = sim.tokens.issueTokenPair('granted', { clientId: 'identity-app' });
    const found = await search(
      sim,
      byFilter('userName eq "u@granted.example"', ['userName']),
      granted.accessToken,
    );
    expect(found.status).toBe(200);
    expect(found.body.totalResults).toBe(1);
  });

  it('answers SCIM errors: no token 401, a bad token 403, a missing scope 403, a bad request 400', async () => {
    const { sim } = await startGranted({
      companies: [
        { id: 'demo-company' },
        { id: 'no-identity', scopes: [] },
        { id: 'core-only', scopes: ['identity.user.ids.read', 'identity.user.core.read'] },
      ],
    });
    const error = { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: expect.any(String) };
    expect(await search(sim, byFilter('userName eq "x"'), null)).toMatchObject({ status: 401, body: error });
    expect(await search(sim, byFilter('userName eq "x"'), 'not-a-token')).toMatchObject({
      status: 403,
      body: error,
    });
    const noScope = await search(sim, byFilter('userName eq "x"'), sim.accessTokenFor('no-identity'));
    expect(noScope).toMatchObject({
      status: 403,
      body: { detail: expect.stringContaining('identity.user.core.read') },
    });
    const enterprise = await search(
      sim,
      byFilter(`${ENTERPRISE}:employeeNumber eq "1"`),
      sim.accessTokenFor('core-only'),
    );
    expect(enterprise).toMatchObject({
      status: 403,
      body: { detail: expect.stringContaining('identity.user.enterprise.read') },
    });
    expect((await search(sim, { filter: 'userName eq "x"' })).status).toBe(400);
    expect((await search(sim, 'not json')).status).toBe(400);
    expect(await search(sim, byFilter('emails[type eq "work"]'))).toMatchObject({
      status: 400,
      body: { scimType: 'invalidFilter' },
    });
    expect(await search(sim, byFilter('password eq "x"'))).toMatchObject({
      status: 400,
      body: { scimType: 'invalidFilter' },
    });
  });

  it('adds users through the admin API: 201, 409 for a login taken, 404 for an unknown company', async () => {
    const { sim } = await startGranted();
    const add = (body: unknown) =>
      fetch(`${sim.url}/_sim/users`, { method: 'POST', body: JSON.stringify(body) });
    const user = { companyId: 'demo-company', loginId: 'pat@example.com', email: 'pat.lee@example.com' };
    const created = await add(user);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ userName: 'pat@example.com' });
    expect((await add(user)).status).toBe(409);
    expect((await add({ ...user, companyId: 'nope' })).status).toBe(404);
    expect((await add({ companyId: 'demo-company', email: 'x@example.com' })).status).toBe(400);
    expect((await search(sim, byFilter('emails.value eq "pat.lee@example.com"'))).body.totalResults).toBe(1);
    const listed = (await (await fetch(`${sim.url}/_sim/users`)).json()) as {
      companies: { id: string; users: { userName: string }[] }[];
    };
    expect(listed.companies[0]!.users.map((u) => u.userName)).toEqual(['cm@example.com', 'pat@example.com']);
  });

  it('serves users added while it runs, until a reset', async () => {
    const { sim } = await startGranted();
    sim.users.add('demo-company', { loginId: 'new@example.com', email: 'new.person@example.com' });
    expect((await search(sim, byFilter('emails.value eq "new.person@example.com"'))).body.totalResults).toBe(
      1,
    );
    sim.reset();
    expect((await search(sim, byFilter('emails.value eq "new.person@example.com"'))).body.totalResults).toBe(
      0,
    );
    expect(sim.users.of().map((user) => user.userName)).toEqual(['cm@example.com']);
  });
});
