import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerSimulatorCommand, startSimulator } from '../../../local/simulator';
import type { Simulator } from '../../../local/simulator';

/** Runs `simulator --port 0 …args` until `stop`: the simulator it started and the lines it printed. */
async function runCommand(args: string[]) {
  const lines: string[] = [];
  let started: (simulator: Simulator) => void = () => {};
  const running = new Promise<Simulator>((resolve) => (started = resolve));
  let release: () => void = () => {};
  const program = new Command().exitOverride();
  registerSimulatorCommand(program, {
    log: (line) => lines.push(line),
    untilStopped: (simulator) => {
      started(simulator);
      return new Promise<void>((resolve) => (release = resolve));
    },
  });
  const done = program.parseAsync(['simulator', '--port', '0', ...args], { from: 'user' });
  const simulator = await running;
  const stop = async () => {
    release();
    await done;
  };
  return { simulator, lines, stop };
}

describe('simulator command', () => {
  it('starts the simulator with the given token, prints how to call it, and stops cleanly', async () => {
    const { simulator, lines, stop } = await runCommand(['--token', 'local-token']);
    expect(lines.join('\n')).toContain(`Concur simulator listening on ${simulator.url}`);
    expect(lines.join('\n')).toContain('demo-company');
    expect(lines.join('\n')).toContain('access token:  local-token');
    const response = await fetch(`${simulator.url}/api/travel/trip/v1.1/`, {
      headers: { Authorization: 'Bearer local-token' },
    });
    expect(response.status).toBe(200);

    await stop();
    expect(lines.at(-1)).toBe('Concur simulator stopped');
    await expect(fetch(`${simulator.url}/api/travel/trip/v1.1/`)).rejects.toThrow();
  });

  it('grants the scopes given and rotates refresh tokens when asked; by default openid ITINER and the same refresh token', async () => {
    const run = async (args: string[]) => {
      const { simulator, lines, stop } = await runCommand(args);
      const client = simulator.tokens.clientFor();
      const sent = simulator.tokens.refreshTokenFor();
      const response = await fetch(`${simulator.url}/oauth2/v0/token`, {
        method: 'POST',
        body: new URLSearchParams({
          client_id: client.clientId,
          client_secret: client.clientSecret,
          grant_type: 'refresh_token',
          refresh_token: sent,
        }),
      });
      const answer = (await response.json()) as { scope: string; refresh_token: string };
      await stop();
      return { lines: lines.join('\n'), scope: answer.scope, kept: answer.refresh_token === sent };
    };
    const plain = await run([]);
    expect(plain).toMatchObject({ scope: 'openid ITINER', kept: true });
    expect(plain.lines).toContain('scope:         openid ITINER');
    expect(plain.lines).toContain('refreshes:     keep the refresh token');
    const granted = await run([
      '--scopes',
      'openid ITINER identity.user.ids.read identity.user.core.read',
      '--rotate-refresh-tokens',
    ]);
    expect(granted).toMatchObject({
      scope: 'openid ITINER identity.user.ids.read identity.user.core.read',
      kept: false,
    });
    expect(granted.lines).toContain('refreshes:     rotate the refresh token');
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
