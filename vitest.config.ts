import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    globalSetup: ['test/support/scratch-dir.ts'],
    setupFiles: ['test/support/held-logs.ts'],
    // Most files spend their time waiting on child processes, sockets and timers rather than computing: two run
    // side by side even where vitest's default (one fewer than the cores) would run one at a time.
    maxWorkers: Math.max(2, availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
