/**
 * Stack traces that name the project's source files, for the errors the gateway logs. The Lambda bundles are
 * minified and ship with a source map beside them; the map is read when an error is logged, not at start:
 * `--enable-source-maps` would parse it at every cold start, a cost each new container pays for stack traces it
 * almost never prints.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Per generated file: its source map, or undefined when it has none (the AWS SDK, Node's own files). */
const sourceMaps = new Map<string, SourceMap | undefined>();

function sourceMapOf(file: string): SourceMap | undefined {
  if (!sourceMaps.has(file)) {
    let sourceMap: SourceMap | undefined;
    try {
      const mapFile = `${file}.map`;
      if (existsSync(mapFile)) sourceMap = new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8')));
    } catch {
      // An unreadable map leaves the stack as V8 wrote it.
    }
    sourceMaps.set(file, sourceMap);
  }
  return sourceMaps.get(file);
}

/** A V8 stack frame's location at the end of its line: `file:///…/index.mjs:1:2345` or `/…/index.mjs:1:2345`. */
const FRAME_LOCATION = /((?:file:\/\/)?\/[^\s()]+):(\d+):(\d+)(\)?)$/;

/** The stack with each frame in a source-mapped file pointing at the original source, as Node would print it. */
export function sourceMappedStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => {
      if (!/^\s+at /.test(line)) return line;
      return line.replace(
        FRAME_LOCATION,
        (location, file: string, lineNumber: string, column: string, close) => {
          const generated = file.startsWith('file://') ? fileURLToPath(file) : file;
          const origin = sourceMapOf(generated)?.findOrigin(Number(lineNumber), Number(column));
          if (!origin || !('fileName' in origin)) return location;
          const source = fileURLToPath(new URL(origin.fileName, pathToFileURL(generated)));
          return `${source}:${origin.lineNumber}:${origin.columnNumber}${close}`;
        },
      );
    })
    .join('\n');
}

/**
 * The error, its stack (and its causes' stacks) source-mapped, ready for the logger. The error is changed in
 * place so that the logger's own formatting (name, location, cause) stays the one it gives every error.
 */
export function withSourceMappedStack<T>(error: T): T {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (typeof current.stack === 'string') {
      try {
        current.stack = sourceMappedStack(current.stack);
      } catch {
        // A frozen error keeps V8's stack.
      }
    }
    current = current.cause;
  }
  return error;
}
