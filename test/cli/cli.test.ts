import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
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

describe('concur-gateway translate', () => {
  it('turns a booking in the JSON form (stdin) into Concur XML on stdout', () => {
    const document = parseConcurXml(seed003Booking.xml);
    const { status, stdout, stderr } = run(['translate', 'booking'], JSON.stringify(document));
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(xmlLeaves(stdout)).toEqual(xmlLeaves(seed003Booking.xml));
  });

  it('reads a trip from a file and applies the chosen profile', () => {
    const tripLink = seedExamples().find((e) => e.id === '002#1')!;
    const file = join(mkdtempSync(join(tmpdir(), 'cgw-cli-')), 'trip.json');
    writeFileSync(file, JSON.stringify(parseConcurXml(tripLink.xml)));
    expect(run(['translate', 'trip', file]).status).toBe(1);
    const { status, stdout } = run(['translate', 'trip', file, '--profile', 'triplink', '--compact']);
    expect(status).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    expect(stdout).toContain('<TripStatus>HK</TripStatus>');
  });

  it('answers an invalid document with exit 1 and a problem+json listing every problem with its path', () => {
    const { status, stdout, stderr } = run(
      ['translate', 'booking'],
      JSON.stringify({ booking: { recordLocator: 'x'.repeat(60), colour: 'red' } }),
    );
    expect(status).toBe(1);
    expect(stdout).toBe('');
    const problem = JSON.parse(stderr);
    expect(problem).toMatchObject({ type: 'urn:concur-gateway:problem:invalid-document', status: 400 });
    expect(problem.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'booking.bookingSource',
      'booking.colour',
      'booking.recordLocator',
    ]);
  });

  it('answers input that is not JSON with exit 1 and a problem+json', () => {
    const { status, stderr } = run(['translate', 'trip'], '<Itinerary/>');
    expect(status).toBe(1);
    expect(JSON.parse(stderr)).toMatchObject({ type: 'urn:concur-gateway:problem:invalid-json' });
  });
});

describe('input the command line cannot read', () => {
  it('answers a missing file or a directory with exit 1 and a problem+json naming it, never a stack trace', () => {
    const folder = mkdtempSync(join(tmpdir(), 'cgw-cli-'));
    for (const [args, reason] of [
      [['translate', 'booking', join(folder, 'missing.json')], 'no such file'],
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
