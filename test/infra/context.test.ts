/**
 * The CDK app's context as `cdk synth -c …` hands it over (CDK_CONTEXT_JSON): a value it cannot use stops it
 * with one line naming the value and exit 1, before anything is built, never with a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { stageOptionsFromContext } from '../../infra/context';

const root = fileURLToPath(new URL('../..', import.meta.url));

function synthWith(context: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      CDK_CONTEXT_JSON: JSON.stringify(context),
      CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'cgw-cdk-out-')),
    },
  });
  return { status: result.status, stderr: result.stderr.trim() };
}

describe('-c sandbox', () => {
  it('keeps the hosted sandbox unless it is false', () => {
    expect(stageOptionsFromContext(new App()).sandbox).toBe(true);
    expect(stageOptionsFromContext(new App({ context: { sandbox: 'true' } })).sandbox).toBe(true);
    expect(stageOptionsFromContext(new App({ context: { sandbox: 'false' } })).sandbox).toBe(false);
  });
});

describe('cdk synth -c with a value the app cannot use', () => {
  it.each([
    [
      { stage: 'Prod_1' },
      /^cdk app: -c stage=Prod_1: stage "Prod_1" is not a valid stage name: .*lower-case/,
    ],
    [{ throttleRate: 'abc' }, /^cdk app: -c throttleRate=abc: a positive number is needed$/],
    [{ throttleBurst: '-5' }, /^cdk app: -c throttleBurst=-5: a positive number is needed$/],
    [{ eventSources: '{not json' }, /^cdk app: -c eventSources=\{not json: not JSON/],
    [{ eventSources: '["a"]' }, /^cdk app: -c eventSources=\["a"\]: a JSON object of source → supplier id/],
    [{ partnerAccounts: '123' }, /^cdk app: -c partnerAccounts=123: 12-digit AWS account ids/],
    [{ partnerAccounts: '111122223333' }, /^cdk app: -c partnerAccounts needs -c eventSources/],
    [{ domainName: 'api.example.com' }, /^cdk app: -c domainName=api.example.com needs -c certificateArn/],
    [
      { logRetentionDays: '31' },
      /^cdk app: -c logRetentionDays=31: one of CloudWatch Logs' retention periods/,
    ],
    [{ alarmEmail: 'oncall' }, /^cdk app: -c alarmEmail=oncall: an e-mail address is needed$/],
    [{ supplierRate: '2.5' }, /^cdk app: -c supplierRate=2.5: a whole number from 1 to 10000 is needed$/],
    [{ sandbox: 'no' }, /^cdk app: -c sandbox=no: true or false is needed$/],
    [
      { changePollInterval: '5m' },
      /^cdk app: -c changePollInterval=5m: 5m is shorter than 10 minutes, which Concur's polling rule forbids$/,
    ],
    [{ changePollInterval: '630s' }, /^cdk app: -c changePollInterval=630s: whole minutes are needed$/],
    [{ changePollInterval: 'often' }, /^cdk app: -c changePollInterval=often: "often" is not a duration/],
  ])(
    '%j: one line naming it, exit 1',
    (context, message) => {
      const { status, stderr } = synthWith(context);
      expect(status).toBe(1);
      expect(stderr).toMatch(message);
      expect(stderr.split('\n')).toHaveLength(1);
    },
    120_000,
  );
});
