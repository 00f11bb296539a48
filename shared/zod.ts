/**
 * zod as the project uses it: the mini build, with English messages. Every schema imports it as a namespace
 * (`import * as z from '…/zod'`), so that a bundle carries only the schema kinds and checks it uses.
 *
 * zod/mini is tree-shakable, which keeps zod's share of a Lambda function's cold start small. Unlike classic zod it
 * loads no locale: without the line below, every message would be "Invalid input". Only the English module is
 * imported, so no bundle carries the other locales.
 */
import { config, globalRegistry } from 'zod/mini';
import type { ZodMiniType, core } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export * from 'zod/mini';

/**
 * A copy of the schema carrying JSON Schema metadata (an `id` makes it an OpenAPI component; descriptions,
 * bounds and enumerations the checks cannot state), for `schema.apply(withMeta, {…})`. A copy, because the
 * schema may be shared or already named; zod/mini's own `z.meta()` check would not do: a check is carried into
 * every later `.check()` and `z.extend()` of the schema, so a named schema's id would spread to them.
 */
export function withMeta<T extends ZodMiniType>(schema: T, metadata: core.GlobalMeta): T {
  const copy = schema.clone();
  globalRegistry.add(copy as ZodMiniType, metadata);
  return copy;
}
