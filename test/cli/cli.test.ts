import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConcurXml } from '../../shared/concur';
import { seedExamples } from '../support/seed-examples';
import { xmlLeaves } from '../support/xml-leaves';

const bin = resolve(__dirname, '../../bin/concur-gateway.mjs');

function run(args: string[], input = '') {
  const result = spawnSync(process.execPath, [bin, ...args], { input, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const seed003Booking = seedExamples().find((e) => e.id === '003#10')!;

const traveler = { loginId: 'cm@example.com' };

describe('concur-gateway translate: the API’s dry run on this machine', () => {
  it('turns the booking PUT’s body (stdin) into the XML the PUT would post', () => {
    const { booking } = parseConcurXml(seed003Booking.xml) as { booking: Record<string, unknown> };
    const { status, stdout, stderr } = run(
      ['translate', 'booking', '--booking-source', 'Alamo', '--confirmation', 'PANAMA50'],
      JSON.stringify({ booking, traveler }),
    );
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(xmlLeaves(stdout)).toEqual(xmlLeaves(seed003Booking.xml));
  });

  it('fills in what the API fills in: the booking source, and the record locator from the confirmation number', () => {
    const { booking } = parseConcurXml(seed003Booking.xml) as { booking: Record<string, unknown> };
    const { bookingSource: _source, recordLocator: _locator, ...bare } = booking;
    const { status, stdout } = run(
      ['translate', 'booking', '--booking-source', 'Alamo', '--confirmation', 'PANAMA50'],
      JSON.stringify({ booking: bare, traveler }),
    );
    expect(status).toBe(0);
    expect(xmlLeaves(stdout)).toEqual(xmlLeaves(seed003Booking.xml));
  });

  it('reads the trip create’s body from a file and applies the chosen profile', () => {
    const tripLink = seedExamples().find((e) => e.id === '002#1')!;
    const { itinerary } = parseConcurXml(tripLink.xml) as { itinerary: Record<string, unknown> };
    const file = join(mkdtempSync(join(tmpdir(), 'cgw-cli-')), 'trip.json');
    writeFileSync(file, JSON.stringify({ itinerary, traveler }));
    const source = ['--booking-source', 'TravelBookings.com'];
    expect(run(['translate', 'trip', file, ...source]).status).toBe(1);
    const { status, stdout } = run([
      'translate',
      'trip',
      file,
      ...source,
      '--profile',
      'triplink',
      '--compact',
    ]);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('<TripStatus>HK</TripStatus>');
  });

  it('answers an invalid body with exit 1 and the API’s problem+json listing every problem with its path', () => {
    const { status, stdout, stderr } = run(
      ['translate', 'booking', '--booking-source', 'Alamo', '--confirmation', 'X1'],
      JSON.stringify({ booking: { recordLocator: 'x'.repeat(60), colour: 'red' } }),
    );
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const problem = JSON.parse(stderr);
    expect(problem).toMatchObject({ type: 'urn:concur-gateway:problem:validation', status: 400 });
    expect(problem).not.toHaveProperty('requestId');
    expect(problem.errors.map((e: { path: string }) => e.path)).toEqual(
      expect.arrayContaining(['booking.colour', 'booking.recordLocator', 'traveler']),
    );
  });

  it('needs the source of the write: --booking-source, or --supplier (not both)', () => {
    const body = JSON.stringify({ booking: {}, traveler });
    for (const args of [[], ['--booking-source', 'A', '--supplier', 'acme']]) {
      const { status, stderr } = run(['translate', 'booking', '--confirmation', 'X1', ...args], body);
      expect(status).toBe(1);
      expect(JSON.parse(stderr)).toMatchObject({
        type: 'urn:concur-gateway:problem:invalid-options',
        detail: expect.stringContaining('--booking-source'),
      });
    }
  });

  it('translates the README’s sample file as the README says', () => {
    const readme = readFileSync(resolve(__dirname, '../../README.md'), 'utf8');
    const sample = /`booking\.json`[^\n]*\n\n```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const command = /npx concur-gateway (translate booking booking\.json [^\n#]*)/.exec(readme)?.[1];
    expect(sample, 'the README’s booking.json').toBeDefined();
    expect(command, 'the README’s translate booking command').toBeDefined();
    const folder = mkdtempSync(join(tmpdir(), 'cgw-cli-'));
    writeFileSync(join(folder, 'booking.json'), sample!);
    const args = command!
      .trim()
      .split(/\s+/)
      .map((arg) => (arg === 'booking.json' ? join(folder, arg) : arg));
    const { status, stdout, stderr } = run(args);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('<BookingSource>AcmeCars</BookingSource>');
    expect(stdout).toContain('<RecordLocator>F16726AIUS</RecordLocator>');
  });

  it('answers input that is not JSON with exit 1 and a problem+json', () => {
    const { status, stderr } = run(['translate', 'trip', '--booking-source', 'A'], '<Itinerary/>');
    expect(status).toBe(1);
    expect(JSON.parse(stderr)).toMatchObject({ type: 'urn:concur-gateway:problem:invalid-json' });
  });
});

describe('input the command line cannot read', () => {
  it('answers a missing file or a directory with exit 1 and a problem+json naming it, never a stack trace', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cgw-cli-'));
    for (const [args, reason] of [
      [
        [
          'translate',
          'booking',
          '--booking-source',
          'A',
          '--confirmation',
          'X1',
          join(folder, 'missing.json'),
        ],
        'no such file',
      ],
      [['parse', folder], 'a directory, not a file'],
    ] as const) {
      const { status, stdout, stderr } = run([...args]);
      expect(status).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(JSON.parse(stderr)).toMatchObject({
        type: 'urn:concur-gateway:problem:unreadable-input',
        detail: `${args.at(-1)}: ${reason}`,
      });
    }
  });
});

describe('concur-gateway parse', () => {
  it('turns Concur XML into the JSON form', () => {
    const example = seedExamples().find((e) => e.id === '004#4')!;
    const { status, stdout } = run(['parse'], example.xml);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual(parseConcurXml(example.xml));
  });

  it('refuses hostile XML with exit 1 and a problem+json', () => {
    const { status, stderr } = run(['parse'], '<!DOCTYPE x [<!ENTITY a "b">]><Message>&a;</Message>');
    expect(status).toBe(1);
    expect(JSON.parse(stderr)).toMatchObject({
      type: 'urn:concur-gateway:problem:malformed-xml',
      errors: [{ path: '', message: expect.stringContaining('DOCTYPE') }],
    });
  });
});
