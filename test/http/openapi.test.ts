import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { routes } from '../../shared/http/routes';
import { SUPPLIER_EVENT_TYPES } from '../../shared/webhooks-out/event-types';
import { DOCS_ASSET_NAMES } from '../../shared/http/docs-page';
import { buildOpenApiDocument } from '../../shared/http/openapi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const document = buildOpenApiDocument({ serverUrl: 'https://gateway.example.com' }) as any;
const operationOf = (route: { path: string; method: string }) =>
  document.paths[route.path][route.method.toLowerCase()];

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.servers).toEqual([{ url: 'https://gateway.example.com' }]);
    // The validator dereferences in place: give it a copy, not the cached document.
    const result = await validate(structuredClone(document));
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('is built once', () => {
    const first = buildOpenApiDocument() as { paths: unknown; components: unknown };
    expect(first.paths).toBe(document.paths);
    expect(first.components).toBe(document.components);
    expect('servers' in first).toBe(false);
  });

  it('has exactly the routes of the route table, with their operation ids, each described', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { operationId: string }>).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
    for (const route of routes) {
      // A route added to the table without a description is documented plainly, under its operation id.
      expect(operationOf(route).summary, route.operationId).not.toBe(route.operationId);
    }
  });

  it('declares every path parameter', () => {
    for (const route of routes) {
      const declared = operationOf(route)
        .parameters.filter((p: { in: string }) => p.in === 'path')
        .map((p: { name: string }) => p.name);
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(declared, route.operationId).toEqual(inPath);
    }
    const asset = operationOf({ method: 'GET', path: '/docs/assets/{asset}' }).parameters[0];
    expect(asset.schema.enum).toEqual([...DOCS_ASSET_NAMES]);
  });

  it('secures authenticated routes, and offers Idempotency-Key on every POST and PUT', () => {
    expect(document.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of routes) {
      const operation = operationOf(route);
      if (route.authenticated) {
        expect(operation.security, route.operationId).toEqual([{ apiKey: [] }]);
        for (const status of ['401', '403']) {
          expect(
            operation.responses[status]?.content['application/problem+json'].schema,
            route.operationId,
          ).toEqual({
            $ref: '#/components/schemas/Problem',
          });
        }
      } else {
        expect(operation.security, route.operationId).toEqual([]);
        // A signed route (webhooks) answers 401 to a bad signature; other public routes never do.
        if (route.signed) expect(operation.responses['401'], route.operationId).toBeDefined();
        else expect(operation.responses['401'], route.operationId).toBeUndefined();
      }
      const idempotencyKey = operation.parameters.find((p: { name: string }) => p.name === 'Idempotency-Key');
      if (route.method === 'GET') {
        expect(idempotencyKey, route.operationId).toBeUndefined();
      } else {
        expect(idempotencyKey, route.operationId).toMatchObject({ in: 'header', required: false });
        expect(idempotencyKey.description).toContain('24 hours');
        expect(Object.keys(operation.responses), route.operationId).toEqual(
          expect.arrayContaining(['409', '422']),
        );
      }
    }
  });

  it('tells what the trip list lists, its filters, its cursor and what traveler asks of Concur', () => {
    const list = operationOf({ method: 'GET', path: '/v1/companies/{companyId}/trips' });
    expect(list.description).toMatch(/gateway’s own records.*no call to Concur/);
    expect(list.description).toMatch(
      /one request per calendar month.*at most 12 months.*once every 10 minutes/,
    );
    expect(list.description).toMatch(
      /another supplier, another company or other filters.*400 naming `cursor`/,
    );
    const parameter = (name: string) => list.parameters.find((p: { name: string }) => p.name === name);
    expect(parameter('traveler').description).toMatch(/at most 12 months, else 400/);
    expect(parameter('cursor')).toMatchObject({ in: 'query', schema: { type: 'string', maxLength: 512 } });
    for (const name of ['startDate', 'endDate']) {
      expect(parameter(name)).toMatchObject({ schema: { type: 'string', format: 'date' } });
    }
    // Concur's own list filters are not the gateway's: its records hold none of them.
    for (const name of ['lastModifiedDate', 'bookingType', 'includeCanceledTrips']) {
      expect(parameter(name), name).toBeUndefined();
    }
    expect(document.components.schemas.TripList.properties.trips.items).toEqual({
      $ref: '#/components/schemas/TripSummary',
    });
  });

  it('answers problems as application/problem+json, with Retry-After where Concur asks to wait', () => {
    const list = operationOf({ method: 'GET', path: '/v1/companies/{companyId}/trips' });
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/TripList',
    });
    for (const status of ['429', '503']) expect(list.responses[status].headers['Retry-After']).toBeDefined();
    expect(list.responses['502'].headers).toBeUndefined();
    expect(list.parameters.find((p: { name: string }) => p.name === 'limit')).toMatchObject({
      in: 'query',
      schema: { type: 'integer', minimum: 1, maximum: 200 },
    });
    const put = operationOf({
      method: 'PUT',
      path: '/v1/companies/{companyId}/bookings/{confirmationNumber}',
    });
    expect(Object.keys(put.responses)).toEqual(expect.arrayContaining(['200', '201', '400', '404']));
    expect(document.paths['/docs'].get.responses['200'].content['text/html']).toBeDefined();
  });

  it('describes the Concur documents once each, from the model', () => {
    const schemas = document.components.schemas;
    expect(Object.keys(schemas).filter((name) => name.startsWith('__'))).toEqual([]);
    expect(schemas.Booking.required).toEqual(expect.arrayContaining(['bookingSource', 'recordLocator']));
    expect(schemas.Booking.properties.recordLocator).toMatchObject({ type: 'string', maxLength: 50 });
    expect(schemas.Car.properties.vendor).toBeDefined();
    expect(JSON.stringify(schemas.Booking.properties.bookingReferrer)).toContain('"enum":["Concur Travel"');
    expect(JSON.stringify(schemas.Booking.properties.dateBookedLocal)).toContain(
      '#/components/schemas/DateTime"',
    );
    expect(JSON.stringify(schemas.Booking.properties.warnings)).toContain('#/components/schemas/AnyContent"');

    const segments = schemas.Booking.properties.segments.anyOf[0].items.anyOf[0];
    expect(segments.discriminator.propertyName).toBe('kind');
    for (const kind of ['Car', 'Hotel', 'Air', 'Rail']) {
      expect(segments.oneOf).toContainEqual({ $ref: `#/components/schemas/${kind}` });
      expect(segments.discriminator.mapping[kind.toLowerCase()]).toBe(`#/components/schemas/${kind}`);
      expect(schemas[kind].properties.kind.const).toBe(kind.toLowerCase());
      expect(schemas[kind].required).toContain('kind');
    }
    expect(schemas.Itinerary.properties.bookings).toBeDefined();

    const body = (path: string, method: string) =>
      document.paths[path][method].requestBody.content['application/json'].schema;
    expect(body('/v1/companies/{companyId}/bookings/{confirmationNumber}', 'put')).toEqual({
      $ref: '#/components/schemas/PutBookingRequest',
    });
    expect(schemas.PutBookingRequest.properties.booking.$ref).toBe('#/components/schemas/Booking');
    expect(body('/v1/companies/{companyId}/trips', 'post')).toEqual({
      $ref: '#/components/schemas/TripRequest',
    });
    // The dry runs take exactly the bodies of the writes they mirror.
    expect(body('/v1/translate/booking', 'post')).toEqual({ $ref: '#/components/schemas/PutBookingRequest' });
    expect(body('/v1/translate/trip', 'post')).toEqual({ $ref: '#/components/schemas/TripRequest' });
    const parameters = (path: string) =>
      document.paths[path].post.parameters as {
        name: string;
        required: boolean;
        schema: { enum?: string[] };
      }[];
    const bookingQuery = parameters('/v1/translate/booking');
    expect(bookingQuery.find((p) => p.name === 'confirmationNumber')?.required).toBe(true);
    for (const path of ['/v1/translate/booking', '/v1/translate/trip']) {
      const profile = parameters(path).find((p) => p.name === 'profile')!;
      expect(profile.required).toBe(false);
      expect(profile.schema.enum).toEqual(['tmc', 'triplink']);
    }
  });

  it('names the traveler by exactly one of loginId, email, employeeId, and documents the 422 of each form', () => {
    const traveler = document.components.schemas.Traveler;
    expect(Object.keys(traveler.properties).sort()).toEqual(['email', 'employeeId', 'loginId']);
    expect(traveler).toMatchObject({ minProperties: 1, maxProperties: 1, additionalProperties: false });
    expect(traveler.properties.email.format).toBe('email');
    for (const [path, method] of [
      ['/v1/companies/{companyId}/bookings/{confirmationNumber}', 'put'],
      ['/v1/companies/{companyId}/bookings/{confirmationNumber}/cancel', 'post'],
      ['/v1/companies/{companyId}/trips', 'post'],
      ['/v1/companies/{companyId}/trips/{tripId}', 'put'],
    ] as const) {
      expect(document.paths[path][method].responses['422'].description, path).toContain('unknown-traveler');
    }
    // Answers carry the resolved login only.
    expect(Object.keys(document.components.schemas.BookingMapping.properties.traveler.properties)).toEqual([
      'loginId',
    ]);
  });

  it('states no bounds that are only JavaScript’s safe integers', () => {
    expect(JSON.stringify(document)).not.toContain(String(Number.MAX_SAFE_INTEGER));
  });

  it('declares every event a webhook endpoint receives as an OpenAPI 3.1 webhook, signed, with its data', () => {
    expect(Object.keys(document.webhooks).sort()).toEqual([...SUPPLIER_EVENT_TYPES].sort());
    for (const type of SUPPLIER_EVENT_TYPES) {
      const post = document.webhooks[type].post;
      expect(
        post.parameters.map((p: { name: string }) => p.name),
        type,
      ).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
      const body = post.requestBody.content['application/json'].schema;
      expect(body.properties.type.const, type).toBe(type);
      expect(body.required, type).toEqual(['type', 'timestamp', 'livemode', 'data']);
    }
    // An operation event's data is the operation as GET /v1/operations/{operationId} answers it, without the
    // answer's livemode.
    const parked = document.webhooks['operation.parked'].post.requestBody.content['application/json'].schema;
    const getOperation = document.paths['/v1/operations/{operationId}'].get.responses['200'];
    const schemas = document.components.schemas;
    expect(parked.properties.data).toEqual({ $ref: '#/components/schemas/Operation' });
    expect(getOperation.content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/OperationAnswer',
    });
    const { livemode, ...answer } = schemas.OperationAnswer.properties;
    expect(livemode.type).toBe('boolean');
    expect(answer).toEqual(schemas.Operation.properties);
  });

  it('shows the endpoint secret only in the answers of create and rotate', () => {
    const withSecret = (path: string, method: string, status: string) =>
      JSON.stringify(document.paths[path][method].responses[status]).includes('WebhookEndpointWithSecret');
    expect(withSecret('/v1/webhook-endpoints', 'post', '201')).toBe(true);
    expect(withSecret('/v1/webhook-endpoints/{endpointId}/rotate-secret', 'post', '200')).toBe(true);
    expect(withSecret('/v1/webhook-endpoints/{endpointId}', 'get', '200')).toBe(false);
    expect(withSecret('/v1/webhook-endpoints', 'get', '200')).toBe(false);
    expect(document.components.schemas.WebhookEndpoint.properties.endpoint.properties.secret).toBeUndefined();
  });
});
