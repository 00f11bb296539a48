#!/usr/bin/env node
// Runs the TypeScript CLI directly, so the command works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
