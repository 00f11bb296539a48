/**
 * The frame of every operator command: the global options (`--local [DATA_DIR]`, `--stage`, `--region`,
 * `--json`), the target opened before the action and closed after it, and failures reported one way.
 */
import type { Command } from 'commander';
import { reportFailure } from './output';
import { openTarget } from './target';
import type { Target } from './target';

/** The options every operator command sees, its own and the global ones. */
export type OperatorOptions = Record<string, unknown> & { json?: boolean };

export type OperatorAction = (target: Target, options: OperatorOptions, ...args: string[]) => Promise<void>;
export type OperatorCommand = (command: Command, action: OperatorAction) => void;

export function addTargetOptions(program: Command): void {
  program
    .option('--local [dataDir]', 'act on the npm start data (DATA_DIR, default .gateway-data) instead of AWS')
    .option('--stage <name>', 'the deployed stage (default: CONCUR_GATEWAY_STAGE or dev)')
    .option('--region <region>', 'its AWS region (default: AWS_REGION)')
    .option('--json', 'machine-readable output');
}

export const operatorCommand: OperatorCommand = (command, action) => {
  command.action(async (...received: unknown[]) => {
    // Commander passes the arguments, then the command's options, then the command itself.
    const self = received[received.length - 1] as Command;
    const args = received.slice(0, -2) as string[];
    const options = self.optsWithGlobals<OperatorOptions>();
    let target: Target | undefined;
    try {
      target = await openTarget({
        local: options.local as boolean | string | undefined,
        stage: options.stage as string | undefined,
        region: options.region as string | undefined,
      });
      await action(target, options, ...args);
    } catch (error) {
      reportFailure(options, target ? target.explainFailure(error) : error);
    } finally {
      await target?.close();
    }
  });
};
