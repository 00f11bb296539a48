/**
 * One dynalite per test file, with uniquely named tables so files never see each other's items.
 */
import { randomUUID } from 'node:crypto';
import { createTables, type TableNames } from '../../shared/adapters/dynamodb';
import { startDynalite, type RunningDynalite } from '../../local/dynalite';

export type TestDynalite = RunningDynalite;

export function startTestDynalite(): Promise<TestDynalite> {
  return startDynalite();
}

/** Creates a fresh pair of tables whose names start with `prefix` and end with a random suffix. */
export async function createTestTables(dynamo: TestDynalite, prefix: string): Promise<TableNames> {
  const suffix = randomUUID().slice(0, 8);
  const names = { state: `${prefix}-state-${suffix}`, idempotency: `${prefix}-idem-${suffix}` };
  await createTables(dynamo.client, names);
  return names;
}
