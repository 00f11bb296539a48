import { beforeAll, expect, it } from 'vitest';

beforeAll(() => {
  process.stdout.write(`${JSON.stringify({ level: 'ERROR', marker: 'before-the-hook-failed' })}\n`);
  throw new Error('the gateway did not start');
});

it('never runs', () => {
  expect(1).toBe(1);
});
