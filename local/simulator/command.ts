/**
 * `concur-gateway simulator [--port N] [--token T]`: runs the simulator until SIGINT/SIGTERM and prints what a
 * client needs to call it (base URL, company, access token, OAuth client and refresh token).
 */
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_COMPANY_ID } from './options';
import { startSimulator } from './simulator';
import type { Simulator } from './simulator';

export const DEFAULT_SIMULATOR_PORT = 4010;

export interface SimulatorCommandIo {
  /** Where the banner goes; default console.log. */
  log?: (line: string) => void;
  /** Resolves when the simulator should stop; default the first SIGINT or SIGTERM. */
  untilStopped?: (simulator: Simulator) => Promise<void>;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535)
    throw new InvalidArgumentError('expected a port number (0–65535).');
  return port;
}

function parseSeed(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

export function registerSimulatorCommand(program: Command, io: SimulatorCommandIo = {}): Command {
  const log = io.log ?? ((line: string) => console.log(line));
  const untilStopped = io.untilStopped ?? untilSignal;
  program
    .command('simulator')
    .description('Run the stateful SAP Concur Itinerary v1.1 sandbox simulator')
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, DEFAULT_SIMULATOR_PORT)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--token <token>', `access token accepted for ${DEFAULT_COMPANY_ID} (default: a generated one)`)
    .option('--seed <seed>', 'seed of the generated ids, tokens and random faults', parseSeed)
    .option(
      '--scopes <scopes>',
      `scopes granted to ${DEFAULT_COMPANY_ID}'s app, space-separated (default: openid ITINER, no Identity scope)`,
    )
    .option('--rotate-refresh-tokens', 'a refresh answers a new refresh token (default: the same one)')
    .action(
      async (options: {
        port: number;
        host: string;
        token?: string;
        seed?: number;
        scopes?: string;
        rotateRefreshTokens?: boolean;
      }) => {
        let simulator: Simulator;
        try {
          simulator = await startSimulator({
            port: options.port,
            host: options.host,
            companies: [
              {
                id: DEFAULT_COMPANY_ID,
                ...(options.token !== undefined ? { accessToken: options.token } : {}),
                ...(options.scopes !== undefined
                  ? { scopes: options.scopes.split(/\s+/).filter(Boolean) }
                  : {}),
              },
            ],
            ...(options.seed !== undefined ? { seed: options.seed } : {}),
            ...(options.rotateRefreshTokens ? { rotateRefreshTokens: true } : {}),
          });
        } catch (error) {
          const { code, message } = error as NodeJS.ErrnoException;
          program.error(
            code === 'EADDRINUSE'
              ? `port ${options.port} on ${options.host} is in use; choose another with --port (0: any free port)`
              : `the simulator cannot start: ${message}`,
          );
        }
        const client = simulator.tokens.clientFor();
        log(`Concur simulator listening on ${simulator.url}`);
        log(`company:       ${simulator.defaultCompanyId}`);
        log(`access token:  ${simulator.accessTokenFor()}`);
        log(`refresh token: ${simulator.tokens.refreshTokenFor()}`);
        log(`client:        ${client.clientId} / ${client.clientSecret}`);
        log(`scope:         ${simulator.tokens.grantedScope()}`);
        log(
          `refreshes:     ${options.rotateRefreshTokens ? 'rotate the refresh token' : 'keep the refresh token'}`,
        );
        log(`admin API:     ${simulator.url}/_sim/requests (see docs/simulator.md)`);
        await untilStopped(simulator);
        await simulator.close();
        log('Concur simulator stopped');
      },
    );
  return program;
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
