/**
 * Answers the simulator does not give, from a scripted node:http stub: Retry-After as an HTTP date, the later
 * trip-cancel `<Message>`, a cancel's 404 after a lost answer, 403 wordings, refused connections, the caller
 * giving up, odd token answers.
 */
import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ConcurApiError } from '../../shared/concur-client';
import type { ConcurCallContext } from '../../shared/concur-client';
import { errorBody, ITINERARY_XML, recordingClient, startStub, tripWithCar } from './support';

let stub: Awaited<ReturnType<typeof startStub>> | undefined;
afterEach(async () => {
  await stub?.close();
  stub = undefined;
});

const NOW = Date.parse('2026-11-23T10:00:00Z');
const contextAt = (baseUrl: string, overrides: Partial<ConcurCallContext> = {}): ConcurCallContext => ({
  baseUrl,
  accessToken: 'stub-token',
  deadline: Date.now() + 10_000,
  ...overrides,
});
const destroy = (response: ServerResponse) => response.socket?.destroy();

describe('retry timing', () => {
  it('honours Retry-After given as an HTTP date', async () => {
    stub = await startStub([
      {
        status: 503,
        body: errorBody('Service Unavailable'),
        headers: { 'retry-after': new Date(NOW + 7_000).toUTCString() },
      },
      { status: 200, body: ITINERARY_XML },
    ]);
    const { client, waits } = recordingClient({ now: () => NOW });
    const result = await client.getTrip(contextAt(stub.url, { deadline: NOW + 60_000 }), 'T1');
    expect(result).toMatchObject({ attempts: 2, correlationId: 'stub-2', value: { tripName: 'Stubbed' } });
    expect(waits).toEqual([7_000]);
  });

  it('stops as timed-out when the caller gives up during a wait', async () => {
    stub = await startStub([{ status: 503, body: errorBody('down') }]);
    const controller = new AbortController();
    const { client } = recordingClient({
      sleep: async (_ms, signal) => {
        controller.abort();
        if (signal?.aborted) throw signal.reason;
      },
    });
    const error = await client
      .getTrip(contextAt(stub.url, { deadline: undefined, signal: controller.signal }), 'T1')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'timed-out', attempts: 1 });
    expect(stub.requests).toHaveLength(1);
  });
});

describe('answers', () => {
  it('takes the later guide’s <Message>Cancelled Successfully</Message> as a trip cancel’s answer', async () => {
    stub = await startStub([{ status: 200, body: '<Message>Cancelled Successfully</Message>' }]);
    const { client } = recordingClient();
    const result = await client.cancelTrip(contextAt(stub.url), 'a$b');
    expect(result.value).toEqual({ message: 'Cancelled Successfully' });
    expect(stub.requests[0]!.url).toBe('/api/travel/trip/v1.1/cancel?tripId=a%24b');
  });

  it.each(['trip', 'booking'] as const)(
    'takes a %s cancel answered 404 after an attempt of unknown outcome as done',
    async (what) => {
      stub = await startStub([destroy, { status: 404, body: '<Status>NotFound</Status>' }]);
      const { client } = recordingClient();
      const result =
        what === 'trip'
          ? await client.cancelTrip(contextAt(stub.url), 'T1')
          : await client.cancelBooking(contextAt(stub.url), 'Src', 'CONF1');
      expect(result).toMatchObject({ status: 404, attempts: 2, reconciled: true });
    },
  );

  it('keeps a first 404 to a cancel as not-found', async () => {
    stub = await startStub([{ status: 404, body: '<Status>NotFound</Status>' }]);
    const { client } = recordingClient();
    await expect(client.cancelBooking(contextAt(stub.url), 'Src', 'CONF1')).rejects.toMatchObject({
      kind: 'not-found',
      attempts: 1,
    });
  });

  it.each([
    ['The access token has expired.', 'auth-expired'],
    ['The access token has been revoked.', 'auth-expired'],
    ['Invalid token', 'auth-expired'],
    ['The access token is not valid.', 'auth-expired'],
    ['The Authorization header fails validation', 'auth-expired'],
    ['Booking source mismatch: FastTravel', 'forbidden'],
    ['The user lacks the Web Services Administrator role', 'forbidden'],
    ['The partner application has not been allowed access to the requested company', 'forbidden'],
    ['insufficient scope: identity.user.core.read is required', 'forbidden'],
  ])('reads a 403 saying “%s” as %s', async (message, kind) => {
    stub = await startStub([{ status: 403, body: errorBody(message) }]);
    const { client } = recordingClient();
    await expect(client.getTrip(contextAt(stub.url), 'T1')).rejects.toMatchObject({
      kind,
      status: 403,
      concurMessage: message,
      attempts: 1,
    });
  });

  it.each([
    ['Invalid userid_value: the user specified does not exist in this company.', 'unknown-user'],
    ['User not found', 'unknown-user'],
    ['Invalid login ID', 'unknown-user'],
    ['The login ID given is not valid.', 'unknown-user'],
    ['The request is missing a required field.', 'rejected'],
    ['Bookings/Booking[1]: RecordLocator is required', 'rejected'],
  ])('reads a 400 saying “%s” as %s, without retrying', async (message, kind) => {
    stub = await startStub([{ status: 400, body: errorBody(message) }]);
    const { client } = recordingClient();
    await expect(client.getTrip(contextAt(stub.url), 'T1')).rejects.toMatchObject({
      kind,
      status: 400,
      concurMessage: message,
      attempts: 1,
    });
  });

  it('reads a 2xx that is not the expected document as malformed-response', async () => {
    stub = await startStub([{ status: 200, body: errorBody('odd') }]);
    const { client } = recordingClient();
    await expect(client.getTrip(contextAt(stub.url), 'T1')).rejects.toMatchObject({
      kind: 'malformed-response',
      correlationId: 'stub-1',
    });
  });
});

describe('the wire', () => {
  it('sends the scheme, XML headers, Content-Length and the traveler, and no chunked body', async () => {
    stub = await startStub([{ status: 200, body: ITINERARY_XML }]);
    const { client } = recordingClient();
    await client.updateTrip(
      contextAt(stub.url, { authScheme: 'OAuth', loginId: 'a+b@example.com' }),
      'x$y',
      tripWithCar('Wire', [1, 1]),
    );
    const [request] = stub.requests;
    expect(request!.url).toBe(
      '/api/travel/trip/v1.1?tripId=x%24y&userid_type=login_id&userid_value=a%2Bb%40example.com',
    );
    expect(request!.headers).toMatchObject({
      authorization: 'OAuth stub-token',
      accept: 'application/xml',
      'content-type': expect.stringMatching(/^application\/xml/),
      'content-length': String(Buffer.byteLength(request!.body)),
    });
    expect(request!.headers['transfer-encoding']).toBeUndefined();
  });
});

describe('connections', () => {
  it('retries a refused connection, even for a trip create: it never reached Concur', async () => {
    stub = await startStub([]);
    const url = stub.url;
    await stub.close();
    stub = undefined;
    const { client, waits } = recordingClient({ retry: { maxAttempts: 3 } });
    const error = await client
      .createTrip(contextAt(url), tripWithCar('Refused', [1, 1]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConcurApiError);
    expect(error).toMatchObject({ kind: 'unavailable', attempts: 3 });
    expect(waits).toHaveLength(2);
  });

  it('ends a trip create the caller abandons in flight as outcome-unknown, a read as timed-out', async () => {
    stub = await startStub([() => undefined]);
    const { client } = recordingClient();
    const create = await client
      .createTrip(
        contextAt(stub.url, { deadline: undefined, signal: AbortSignal.timeout(100) }),
        tripWithCar('Gone', [1, 1]),
      )
      .catch((e: unknown) => e);
    expect(create).toMatchObject({ kind: 'outcome-unknown', attempts: 1 });
    const read = await client
      .getTrip(contextAt(stub.url, { deadline: undefined, signal: AbortSignal.timeout(100) }), 'T1')
      .catch((e: unknown) => e);
    expect(read).toMatchObject({ kind: 'timed-out', attempts: 1 });
    expect(stub.requests).toHaveLength(2);
  });
});

describe('token refresh answers', () => {
  const refresh = (url: string) => ({
    baseUrl: url,
    clientId: 'c',
    clientSecret: 's3cret',
    refreshToken: 'r-old',
  });
  const json = (status: number, body: unknown) => ({
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

  it('keeps the old refresh token when the answer has none, and reads expires_in as a number', async () => {
    stub = await startStub([json(200, { access_token: 'a-new', expires_in: '3599', token_type: 'Bearer' })]);
    const { client } = recordingClient();
    expect(await client.refreshToken(refresh(stub.url))).toEqual({
      accessToken: 'a-new',
      refreshToken: 'r-old',
      expiresInSeconds: 3599,
    });
    const form = new URLSearchParams(stub.requests[0]!.body);
    expect(Object.fromEntries(form)).toEqual({
      client_id: 'c',
      client_secret: 's3cret',
      grant_type: 'refresh_token',
      refresh_token: 'r-old',
    });
    expect(stub.requests[0]!.headers['content-length']).toBe(
      String(Buffer.byteLength(stub.requests[0]!.body)),
    );
  });

  it.each([
    [json(400, { error: 'invalid_grant', error_description: 'expired', code: 108 }), 'refresh-rejected'],
    [json(503, { error: 'server_error' }), 'unavailable'],
    [{ status: 200, body: '{"access_token":' }, 'malformed-response'],
  ])('maps %j to %s, one attempt', async (answer, kind) => {
    stub = await startStub([answer]);
    const { client } = recordingClient();
    await expect(client.refreshToken(refresh(stub.url))).rejects.toMatchObject({ kind, attempts: 1 });
    expect(stub.requests).toHaveLength(1);
  });
});

describe('answers beyond the schema', () => {
  const withUnknown = (extra: string) =>
    ITINERARY_XML.replace('</Itinerary>', `<IsDemoTrip>false</IsDemoTrip>${extra}</Itinerary>`);

  it('tells each unknown place once per container, counts every answer, and keeps what it read', async () => {
    stub = await startStub([
      { status: 200, body: withUnknown('') },
      { status: 200, body: withUnknown('') },
      { status: 200, body: withUnknown('<ReminderEmailSent>true</ReminderEmailSent>') },
    ]);
    const counted: string[] = [];
    const { client, logs } = recordingClient({ count: (name) => counted.push(name) });
    for (let n = 0; n < 3; n++) {
      const { value } = await client.getTrip(contextAt(stub.url), 'T1');
      expect(value.tripName).toBe('Stubbed');
    }
    const warned = logs.filter((line) => line.message.includes('schema does not know'));
    expect(warned.map((line) => line.fields.places)).toEqual([
      ['itinerary.isDemoTrip'],
      ['itinerary.reminderEmailSent'],
    ]);
    expect(counted.filter((name) => name === 'ConcurAnswerBeyondSchema')).toHaveLength(3);
  });
});
