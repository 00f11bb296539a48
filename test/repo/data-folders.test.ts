/**
 * Lint after seed: the README's LOCAL_SEED example run as a newcomer runs it, in the repository itself, then
 * every file it wrote is checked the way `npm run lint` and `git add -A` see it. The data folders hold secrets
 * in plain text and JSON no formatter wrote: git, ESLint and Prettier must all pass them by, under every name
 * the README suggests for DATA_DIR.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import * as prettier from 'prettier';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_DATA_DIR } from '../../local/data-dir';
import { startNpmStart } from '../cli/support';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });

const root = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** Every DATA_DIR the README shows, and the default. */
const suggestedDataDirs = [
  DEFAULT_DATA_DIR,
  ...[...readme.matchAll(/DATA_DIR=([\w.-]+)/g)].map((match) => match[1]!),
];

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
const eslint = new ESLint({ cwd: root });

/** What lint and git would make of `file`: a list of the tools that would not pass it by. */
async function toolsSeeing(file: string): Promise<string[]> {
  const seen: string[] = [];
  if (!(await eslint.isPathIgnored(file))) seen.push('eslint');
  const info = await prettier.getFileInfo(file, {
    ignorePath: [join(root, '.gitignore'), join(root, '.prettierignore')],
  });
  if (!info.ignored) seen.push('prettier');
  if (git('status', '--porcelain', '--untracked-files=all', '--', relative(root, file)).trim() !== '')
    seen.push('git');
  return seen;
}

const made: string[] = [];
afterAll(() => {
  for (const folder of made) rmSync(folder, { recursive: true, force: true });
});

describe('the data folders the README suggests', () => {
  it('names at least the default, a second instance’s and the seed’s', () => {
    expect(suggestedDataDirs).toEqual(expect.arrayContaining(['.gateway-data', '.gateway-data-seeded']));
    expect(suggestedDataDirs.length).toBeGreaterThanOrEqual(3);
  });

  it('are passed by git, ESLint and Prettier under each name the README gives', async () => {
    for (const name of suggestedDataDirs) {
      for (const file of ['secrets/companies/co-1.json', 'demo-api-key', 'dynamodb/000003.log', 'x.ts']) {
        expect(await toolsSeeing(join(root, name, file)), `${name}/${file}`).toEqual([]);
      }
    }
  });

  it('after the README’s LOCAL_SEED example, nothing npm start wrote is seen by lint or git', async () => {
    const seedJson = /LOCAL_SEED=seed\.json[\s\S]*?```json\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(seedJson, 'the README’s seed example').toBeDefined();
    const seedFile = join(mkdtempSync(join(tmpdir(), 'cgw-seed-')), 'seed.json');
    writeFileSync(seedFile, seedJson!);
    made.push(seedFile);
    // The README's name with a suffix of this run: the same pattern, and never a newcomer's own folder.
    const dataDir = join(root, `.gateway-data-seeded-${process.pid}`);
    made.push(dataDir);
    const server = await startNpmStart(dataDir, { LOCAL_SEED: seedFile });
    await server.stop();
    const written = filesUnder(dataDir);
    expect(written.some((file) => file.includes(`${join('secrets', '')}`))).toBe(true);
    for (const file of written) expect(await toolsSeeing(file), relative(root, file)).toEqual([]);
  });
});
