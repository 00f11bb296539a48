/**
 * What a Lambda container (or the local process) builds once and keeps: each piece is made on first use, so a
 * function pays only for the pieces its routes use. `resetServices` forgets them all, so the next use reads the
 * environment again (the local default's restarts, tests).
 */
const pieces = new Map<string, unknown>();

export function once<T>(name: string, make: () => T): T {
  if (!pieces.has(name)) pieces.set(name, make());
  return pieces.get(name) as T;
}

export function resetServices(): void {
  pieces.clear();
}

/** A setting the deployment must provide; its absence is a wiring fault, reported by name. */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}
