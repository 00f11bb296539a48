import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSimulatorCommand, startSimulator } from '../../../local/simulator';
import type { Simulator } from '../../../local/simulator';

describe('simulator command', () => {
  it('starts the simulator with the given token, prints how to call it, and stops cleanly', async () => {
    const lines: string[] = [];
    let started: (simulator: Simulator) => void = () => {};
    const running = new Promise<Simulator>((resolve) => (started = resolve));
    let stop: () => void = () => {};
    const program = new Command().exitOverride();
    registerSimulatorCommand(program, {
      log: (line) => lines.push(line),
      untilStopped: (simulator) => {
        started(simulator);
        return new Promise<void>((resolve) => (stop = resolve));
      },
    });

    const done = program.parseAsync(['simulator', '--port', '0', '--token', 'local-token'], { from: 'user' });
    const simulator = await running;
    expect(lines.join('\n')).toContain(`Concur simulator listening on ${simulator.url}`);
    expect(lines.join('\n')).toContain('demo-company');
    expect(lines.join('\n')).toContain('access token:  local-token');
    const response = await fetch(`${simulator.url}/api/travel/trip/v1.1/`, {
      headers: { Authorization: 'Bearer local-token' },
    });
    expect(response.status).toBe(200);

    stop();
    await done;
    expect(lines.at(-1)).toBe('Concur simulator stopped');
    await expect(fetch(`${simulator.url}/api/travel/trip/v1.1/`)).rejects.toThrow();
  });

  it('answers a port in use with one line naming it', async () => {
    const taken = await startSimulator({ port: 0 });
    try {
      const errors: string[] = [];
      const program = new Command().exitOverride().configureOutput({ writeErr: (line) => errors.push(line) });
      registerSimulatorCommand(program, { log: () => {} });
      program.commands[0]!.exitOverride().configureOutput({ writeErr: (line) => errors.push(line) });
      await expect(
        program.parseAsync(['simulator', '--port', String(taken.port)], { from: 'user' }),
      ).rejects.toThrow(/in use/);
      expect(errors.join('')).toBe(
        `port ${taken.port} on 127.0.0.1 is in use; choose another with --port (0: any free port)\n`,
      );
    } finally {
      await taken.close();
    }
  });

  it('refuses a port that is not a number', async () => {
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerSimulatorCommand(program, { log: () => {} });
    program.commands[0]!.exitOverride().configureOutput({ writeErr: () => {} });
    await expect(program.parseAsync(['simulator', '--port', 'http'], { from: 'user' })).rejects.toThrow(
      /port number/,
    );
  });
});
