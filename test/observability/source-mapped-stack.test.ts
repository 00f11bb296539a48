/**
 * A logged error's stack names the original sources of a minified bundle, from the map beside the bundle, as
 * `--enable-source-maps` would print it; frames without a map, and lines that are not frames, stay as they are.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { sourceMappedStack, withSourceMappedStack } from '../../shared/observability/source-mapped-stack';

let directory: string;
/** The stacks V8 wrote in a plain Node process (vitest maps the stacks of what it imports itself). */
let raw: { deep: string; outer: string; cause: string };

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'cgw-stack-'));
  writeFileSync(
    join(directory, 'failing.ts'),
    [
      'export function failDeep(): never {',
      "  throw new Error('deep failure at /a/b.mjs:1:2');",
      '}',
      'export function failWithCause(): never {',
      '  try {',
      '    failDeep();',
      '  } catch (cause) {',
      "    throw new Error('outer failure', { cause });",
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  // As the stack bundles a function: minified ESM, a map of mappings only beside it.
  const bundle = join(directory, 'out', 'index.mjs');
  await build({
    entryPoints: [join(directory, 'failing.ts')],
    bundle: true,
    format: 'esm',
    platform: 'node',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    outfile: bundle,
    logLevel: 'silent',
  });
  const script = `
    const { failDeep, failWithCause } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const stackOf = (fail) => { try { fail(); } catch (error) { return error; } };
    const outer = stackOf(failWithCause);
    console.log(JSON.stringify({ deep: stackOf(failDeep).stack, outer: outer.stack, cause: outer.cause.stack }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
  });
  raw = JSON.parse(child.stdout) as typeof raw;
});

const source = () => join(directory, 'failing.ts');

describe('sourceMappedStack', () => {
  it('points a bundle’s frames at the original file, line and column', () => {
    expect(raw.deep).toMatch(/index\.mjs:1:\d+\)?$/m);
    const mapped = sourceMappedStack(raw.deep);
    expect(mapped).toContain(`(${source()}:2:9)`);
    expect(mapped).not.toContain('index.mjs:');
  });

  it('leaves the message, and frames of files without a map, as they are', () => {
    const stack = `${raw.deep}\n    at main (${join(directory, 'no-map.mjs')}:3:7)\n    at node:internal/main:1:1`;
    const mapped = sourceMappedStack(stack).split('\n');
    expect(mapped[0]).toBe('Error: deep failure at /a/b.mjs:1:2');
    expect(mapped.slice(-2)).toEqual(stack.split('\n').slice(-2));
  });

  it('maps the stacks of an error’s causes too, in place', () => {
    const error = Object.assign(new Error('outer failure', { cause: new Error('deep failure') }), {
      stack: raw.outer,
    });
    (error.cause as Error).stack = raw.cause;
    expect(withSourceMappedStack(error)).toBe(error);
    expect(error.stack).toContain(`(${source()}:8:11)`);
    expect((error.cause as Error).stack).toContain(`(${source()}:2:9)`);
  });

  it('leaves what is not an error, or cannot be changed, alone', () => {
    expect(withSourceMappedStack('a string')).toBe('a string');
    const frozen = Object.freeze(Object.assign(new Error('frozen'), { stack: raw.deep }));
    expect(withSourceMappedStack(frozen).stack).toBe(raw.deep);
  });
});
