import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { routes } from '../../functions/http/routes';
import { buildOpenApiDocument } from '../../shared/http/openapi';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const document = buildOpenApiDocument({ serverUrl: 'https://gateway.example.com' }) as any;

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('has exactly the routes of the route table, with their operation ids', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods as Record<string, { operationId: string }>).map(
        ([method, operation]) => `${method.toUpperCase()} ${path} ${operation.operationId}`,
      ),
    );
    expect(documented.sort()).toEqual(routes.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
  });

  it('secures authenticated routes, and offers Idempotency-Key on every POST and PUT', () => {
    for (const route of routes) {
      const operation = document.paths[route.path][route.method.toLowerCase()];
      if (route.authenticated) {
        expect(operation.security, route.operationId).toEqual([{ apiKey: [] }]);
        expect(Object.keys(operation.responses), route.operationId).toEqual(
          expect.arrayContaining(['401', '403']),
        );
        expect(operation.responses['401'].content['application/problem+json']).toBeDefined();
      }
      const names = operation.parameters.map((p: { name: string }) => p.name);
      if (route.method !== 'GET') expect(names, route.operationId).toContain('Idempotency-Key');
      else expect(names).not.toContain('Idempotency-Key');
    }
    expect(
      document.paths['/v1/companies/{companyId}/trips'].get.responses['503'].headers['Retry-After'],
    ).toBeDefined();
  });

  it('describes the Concur documents once each, from the model', () => {
    const schemas = document.components.schemas;
    expect(
      schemas.Booking.properties.recordLocator.anyOf ?? [schemas.Booking.properties.recordLocator],
    ).toBeDefined();
    expect(JSON.stringify(schemas.Booking.properties.recordLocator)).toContain('"maxLength":50');
    expect(schemas.Car.properties.vendor).toBeDefined();
    const segments = JSON.stringify(schemas.Booking.properties.segments);
    for (const kind of ['Car', 'Hotel', 'Air', 'Rail']) {
      expect(segments).toContain(`#/components/schemas/${kind}"`);
      expect(schemas[kind].properties.kind.const).toBe(kind.toLowerCase());
    }
    expect(
      document.paths['/v1/companies/{companyId}/bookings/{confirmationNumber}'].put.requestBody.content[
        'application/json'
      ].schema,
    ).toEqual({ $ref: '#/components/schemas/PutBookingRequest' });
  });
});
