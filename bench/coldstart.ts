/**
 * Cold start of what `cdk deploy` ships: the stage is synthesized (real bundling), and each function's bundle
 * is imported in fresh Node processes with the function's NODE_OPTIONS. Beside it, in the same run and
 * interleaved with it, the import of the same AWS SDK modules alone (the bundle's external imports): what
 * the function's own code adds is the difference. Each bundle import is paired with the SDK-only import right
 * after it, and the own code's time is the median of the pairs' differences: on a shared machine the load
 * drifts within a run, and a pair sees the same load.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { synthesizeGateway } from '../test/support/lambda-bundles';

const RUNS = 31;
/** The goals: own code adds at most this share to the SDK-only import time, and bundles stay below this size. */
const OWN_CODE_SHARE_GOAL = 0.25;
const BUNDLE_SIZE_GOAL = 400 * 1024;

/** Milliseconds to import `file` in a fresh process, measured inside it (process start-up excluded). */
function importMs(file: string, nodeOptions: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t);`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: nodeOptions, AWS_REGION: 'us-east-1' },
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed:\n${result.stderr}`);
  return Number(result.stdout.trim().split('\n').pop());
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;

/** The AWS SDK modules a bundle imports (the stack leaves them out: the runtime provides them). */
function sdkImports(code: string): string[] {
  const specifiers = new Set<string>();
  for (const match of code.matchAll(/(?:from|import)\s*["'](@aws-sdk\/[^"']+)["']/g))
    specifiers.add(match[1]!);
  return [...specifiers].sort();
}

export function runColdStartBench(): void {
  console.log('\nCold start: synthesizing the stage (real bundling)…');
  const gateway = synthesizeGateway();
  const rows: string[][] = [];
  for (const fn of gateway.functions) {
    const code = readFileSync(fn.file, 'utf8');
    const sdkModules = sdkImports(code);
    // The SDK-only baseline lives beside the bundle so it resolves the same packages the same way.
    const baseline = join(fn.directory, 'sdk-only.mjs');
    writeFileSync(baseline, sdkModules.map((name) => `import ${JSON.stringify(name)};`).join('\n') + '\n');
    const nodeOptions = String(fn.environment.NODE_OPTIONS ?? '');
    const bundleTimes: number[] = [];
    const sdkTimes: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      bundleTimes.push(importMs(fn.file, nodeOptions));
      sdkTimes.push(importMs(baseline, nodeOptions));
    }
    const bundleMs = median(bundleTimes);
    const sdkMs = median(sdkTimes);
    const ownMs = median(bundleTimes.map((ms, run) => ms - sdkTimes[run]!));
    const share = sdkModules.length > 0 ? ownMs / sdkMs : undefined;
    const assetBytes = readdirSync(fn.directory)
      .filter((name) => !name.endsWith('.map') && name !== 'sdk-only.mjs')
      .reduce((sum, name) => sum + sizeOf(join(fn.directory, name)), 0);
    const bundleBytes = Buffer.byteLength(code);
    rows.push([
      fn.logicalId.replace(/Function[0-9A-F]*$/, ''),
      kb(bundleBytes) + (bundleBytes < BUNDLE_SIZE_GOAL ? '' : ' (over goal)'),
      kb(assetBytes),
      `${bundleMs.toFixed(1)} ms`,
      `${sdkMs.toFixed(1)} ms`,
      `${ownMs.toFixed(1)} ms`,
      share === undefined
        ? 'no SDK'
        : `${(share * 100).toFixed(0)}%${share <= OWN_CODE_SHARE_GOAL ? '' : ' (over goal)'}`,
      sdkModules.join(' ') || '—',
    ]);
  }
  const header = [
    'function',
    'bundle',
    'deployed',
    'import',
    'SDK only',
    'own code',
    'own/SDK',
    'SDK modules',
  ];
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => '  ' + cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ');
  console.log(
    `\nCold start: median import time of ${RUNS} fresh Node ${process.versions.node} processes per function, each followed by one importing the SDK alone; own code: the median of the ${RUNS} differences`,
  );
  console.log(
    `  goals: bundle < ${kb(BUNDLE_SIZE_GOAL)}, own code ≤ ${OWN_CODE_SHARE_GOAL * 100}% of the SDK-only import time; "deployed" excludes source maps\n`,
  );
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function sizeOf(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0);
}
