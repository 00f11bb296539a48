#!/usr/bin/env node
// Runs the TypeScript CLI directly, so the command works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns about Node 20 on every run of an operator command; the project supports Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../cli/main.ts');
