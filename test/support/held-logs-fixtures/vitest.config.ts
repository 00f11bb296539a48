import { defineConfig } from 'vitest/config';

/** Runs the fixtures beside it under the suite's own setup file, to see what it writes out. */
export default defineConfig({
  cacheDir: '../../../node_modules/.vite/held-logs-fixtures',
  test: {
    root: import.meta.dirname,
    include: ['*.fixture.ts'],
    setupFiles: ['../held-logs.ts'],
  },
});
