/**
 * The project's one import of zod: its mini build, with English messages.
 *
 * zod/mini is tree-shakable (a bundle carries the schema kinds and checks it uses, not all of zod), which keeps
 * zod's share of a Lambda function's cold start small. Unlike classic zod it loads no locale: without the line
 * below, every message would be "Invalid input". Only the English module is imported, so no bundle carries the
 * other locales.
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

z.config(en());

export { z };

/**
 * A copy of the schema carrying JSON Schema metadata (an `id` makes it an OpenAPI component; descriptions,
 * bounds and enumerations the checks cannot state), for `schema.apply(withMeta, {…})`. A copy, because the
 * schema may be shared or already named; zod/mini's own `z.meta()` check would not do: a check is carried into
 * every later `.check()` and `z.extend()` of the schema, so a named schema's id would spread to them.
 */
export function withMeta<T extends z.ZodMiniType>(schema: T, metadata: z.core.GlobalMeta): T {
  const copy = schema.clone();
  z.globalRegistry.add(copy as z.ZodMiniType, metadata);
  return copy;
}
