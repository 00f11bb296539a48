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
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
