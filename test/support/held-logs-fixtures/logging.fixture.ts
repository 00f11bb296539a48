import { beforeAll, expect, it } from 'vitest';

const log = (marker: string) => process.stdout.write(`${JSON.stringify({ level: 'INFO', marker })}\n`);

beforeAll(() => {
  log('started-outside-tests');
});

it('passes', () => {
  log('of-the-passing-test');
  process.stderr.write(`${JSON.stringify({ level: 'WARN', marker: 'warned-by-the-passing-test' })}\n`);
  process.stdout.write('plain text of the passing test\n');
  expect(1).toBe(1);
});

it('fails', () => {
  log('of-the-failing-test');
  expect(1).toBe(2);
});
