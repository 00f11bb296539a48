/**
 * A whole local gateway per test file (dynalite, local Secrets Manager, simulator, the Lambda handlers behind
 * the local HTTP server) and small helpers to call it over real HTTP.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { administration } from '../../shared/composition/administration';
import { startLocalGateway } from '../../local/server/local-gateway';
import type { LocalGateway, LocalGatewayOptions } from '../../local/server/local-gateway';
import { DEFAULT_COMPANY_ID } from '../../local/simulator';

export const COMPANY = DEFAULT_COMPANY_ID;
export const TRAVELER = 'cm@example.com';

export async function startTestGateway(
  options: Pick<
    LocalGatewayOptions,
    'events' | 'concurRatePerMinute' | 'concurEvents' | 'supplierRatePerSecond' | 'changePollIntervalMs'
  > = {},
): Promise<LocalGateway & { apiKey: string }> {
  const gateway = await startLocalGateway({
    port: 0,
    dataDir: mkdtempSync(join(tmpdir(), 'cgw-test-')),
    simulatorPort: 0,
    // The tests of everything else send bursts well above a supplier's default 20 a second; the limit itself is
    // tested with its own rate (test/gateway/supplier-limits.test.ts).
    supplierRatePerSecond: 1_000,
    ...options,
  });
  return { ...gateway, apiKey: gateway.demoApiKey! };
}

/** Registers another supplier and returns its API key. */
export async function addSupplier(
  id: string,
  bookingSource: string,
  companies: string[],
  profile: 'tmc' | 'triplink' = 'tmc',
): Promise<string> {
  const admin = administration();
  const apiKey = admin.generateApiKey();
  await admin.registerSupplier({ id, bookingSource, companies, profile }, apiKey);
  return apiKey;
}

export interface Answer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export function api(gateway: { url: string }, apiKey?: string) {
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${gateway.url}${path}`, {
      method,
      headers: {
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed } as Answer;
  };
  return {
    get: (path: string, headers?: Record<string, string>) => call('GET', path, undefined, headers),
    put: (path: string, body: unknown, headers?: Record<string, string>) => call('PUT', path, body, headers),
    post: (path: string, body?: unknown, headers?: Record<string, string>) =>
      call('POST', path, body, headers),
    patch: (path: string, body: unknown, headers?: Record<string, string>) =>
      call('PATCH', path, body, headers),
    delete: (path: string, headers?: Record<string, string>) => call('DELETE', path, undefined, headers),
  };
}

/** A car booking in the JSON form, seed-shaped. */
export function carBooking(fields: Record<string, unknown> = {}, segment: Record<string, unknown> = {}) {
  return {
    segments: [
      {
        kind: 'car',
        vendor: 'ZE',
        confirmationNumber: 'F16726AIUS',
        startDateLocal: '2027-03-21T12:00:00',
        endDateLocal: '2027-03-23T12:00:00',
        startCityCode: 'SEA',
        endCityCode: 'SEA',
        dailyRate: 35,
        currency: 'USD',
        ...segment,
      },
    ],
    passengers: [{ nameFirst: 'Chris', nameLast: 'Miller' }],
    ...fields,
  };
}

export const bookingPath = (confirmationNumber: string, company = COMPANY) =>
  `/v1/companies/${company}/bookings/${encodeURIComponent(confirmationNumber)}`;
