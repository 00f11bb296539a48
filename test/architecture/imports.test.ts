/**
 * The house rules of the module graph, read from the sources: no import cycles, and dependencies that run one
 * way only, so that what ships to Lambda (functions/, shared/) never pulls in what does not (local/, cli/),
 * and the domain never reaches up into the functions or the infrastructure.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
const FOLDERS = ['shared', 'functions', 'local', 'cli', 'infra', 'scripts', 'bench'];

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Relative imports of a file (static, re-exports and dynamic), resolved to files of the repo. TypeScript's own
 * pre-processor reads them, so an import written inside a string (a generator's template) is not one.
 */
function importsOf(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const specifiers = importedFiles.map(({ fileName }) => fileName).filter((name) => name.startsWith('.'));
  return specifiers.map((specifier) => {
    const base = resolve(dirname(file), specifier.replace(/\.js$/, ''));
    for (const candidate of [`${base}.ts`, join(base, 'index.ts'), base]) {
      try {
        if (statSync(candidate).isFile()) return relative(root, candidate);
      } catch {
        // try the next form
      }
    }
    throw new Error(`${relative(root, file)} imports ${specifier}, which does not exist`);
  });
}

const graph = new Map<string, string[]>(
  FOLDERS.flatMap((folder) => sources(join(root, folder))).map((file) => [
    relative(root, file),
    importsOf(file),
  ]),
);

function cycles(): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

const top = (file: string) => file.split('/')[0]!;

describe('the module graph', () => {
  it('reads every source folder', () => {
    expect(graph.size).toBeGreaterThan(100);
    for (const folder of ['shared', 'functions', 'local', 'cli', 'infra'])
      expect([...graph.keys()].some((file) => top(file) === folder)).toBe(true);
  });

  it('has no import cycles', () => {
    expect(cycles().map((cycle) => cycle.join(' → '))).toEqual([]);
  });

  it('runs one way: shared and functions never import what does not ship, shared never imports upward', () => {
    const allowed: Record<string, string[]> = {
      shared: ['shared'],
      functions: ['functions', 'shared'],
      infra: ['infra', 'shared', 'functions'],
      local: ['local', 'shared', 'functions'],
      cli: ['cli', 'shared', 'local'],
    };
    // The hosted sandbox's function ships the Concur simulator (see the test below).
    const shipsSimulator = (file: string, target: string) =>
      file.startsWith('functions/sandbox/') && target.startsWith('local/simulator/');
    const wrong = [...graph]
      .filter(([file]) => allowed[top(file)])
      .flatMap(([file, imports]) =>
        imports
          .filter((target) => !allowed[top(file)]!.includes(top(target)) && !shipsSimulator(file, target))
          .map((target) => `${file} → ${target}`),
      );
    expect(wrong).toEqual([]);
  });

  it('ships of the simulator, in the hosted sandbox, only modules that import nothing but the simulator and shared', () => {
    const reached = new Set<string>();
    const visit = (file: string) => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const target of graph.get(file) ?? []) visit(target);
    };
    visit('functions/sandbox/handler.ts');
    expect([...reached].some((file) => file.startsWith('local/simulator/'))).toBe(true);
    expect(
      [...reached].filter(
        (file) => !/^(functions|shared)\//.test(file) && !file.startsWith('local/simulator/'),
      ),
    ).toEqual([]);
    expect([...reached]).not.toContain('local/simulator/command.ts');
  });

  it('imports zod in one module, as zod/mini with English alone, which the others import as a namespace', () => {
    // Classic zod, or zod's index of locales, would put every language's messages in the bundles.
    const zodImports = [...graph.keys()].flatMap((file) =>
      ts
        .preProcessFile(readFileSync(join(root, file), 'utf8'), true, true)
        .importedFiles.map(({ fileName }) => fileName)
        .filter((name) => name === 'zod' || name.startsWith('zod/'))
        .map((name) => `${file} → ${name}`),
    );
    expect([...new Set(zodImports)]).toEqual([
      'shared/zod.ts → zod/mini',
      'shared/zod.ts → zod/v4/locales/en.js',
    ]);
    // esbuild drops the unused parts of zod only behind `import * as`: a namespace passed on by name (a named
    // import or a re-export of it) keeps all of zod in the bundles.
    const otherwise = [...graph.entries()]
      .filter(([, imports]) => imports.includes('shared/zod.ts'))
      .flatMap(([file]) =>
        [
          ...readFileSync(join(root, file), 'utf8').matchAll(
            /^(?:import|export)\b[^;]*?from '(?:\.\.?\/)+(?:shared\/)?zod';$/gm,
          ),
        ]
          .map(([statement]) => statement)
          .filter((statement) => !/^import (type )?\* as z from|^import \{ withMeta \} from/.test(statement))
          .map((statement) => `${file}: ${statement}`),
      );
    expect(otherwise).toEqual([]);
  });
});
