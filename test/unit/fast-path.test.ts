import { describe, expect, it } from 'vitest';
import { fastPathFor, type FastPathProcess } from '../../src/cli/fast-path.js';

const piped = (args: string[], overrides: Partial<FastPathProcess> = {}): FastPathProcess => ({
  argv: ['/usr/bin/node', '/opt/mailmon/bin/run.js', ...args],
  env: { NO_COLOR: '1' },
  platform: 'linux',
  osRelease: '6.8.0-generic',
  stdoutIsTTY: false,
  cwdExists: true,
  ...overrides,
});

describe('which invocations skip oclif', () => {
  it('--version alone, except under WSL (oclif names the platform "wsl" there)', () => {
    expect(fastPathFor(piped(['--version']))).toBe('version');
    expect(fastPathFor(piped(['--version'], { stdoutIsTTY: true }))).toBe('version');
    expect(fastPathFor(piped(['--version'], { osRelease: '5.15.153.1-microsoft-standard-WSL2' }))).toBeUndefined();
    expect(fastPathFor(piped(['--version', '--json']))).toBeUndefined();
  });

  it('exactly `status --json` or `sync --json` into a pipe or file, with nothing that makes oclif print more', () => {
    expect(fastPathFor(piped(['status', '--json']))).toBe('status-json');
    expect(fastPathFor(piped(['status', '--json'], { env: {} }))).toBe('status-json');
    expect(fastPathFor(piped(['sync', '--json']))).toBe('sync-json');
    for (const env of [{ FORCE_COLOR: '0' }, { DEBUG: 'mailmon:*' }, { MAILMON_DEBUG: '1' }]) expect(fastPathFor(piped(['sync', '--json'], { env })), JSON.stringify(env)).toBeUndefined();
    expect(fastPathFor(piped(['sync', '--json'], { stdoutIsTTY: true }))).toBeUndefined();
    expect(fastPathFor(piped(['sync', '--json'], { cwdExists: false }))).toBeUndefined();
  });

  it('the daemon as the service units and `daemon start` run it, with nothing that makes oclif print more', () => {
    expect(fastPathFor(piped(['daemon', 'run']))).toBe('daemon-run');
    expect(fastPathFor(piped(['daemon', 'run'], { stdoutIsTTY: true }))).toBe('daemon-run');
    expect(fastPathFor(piped(['daemon', 'run', '--detached']))).toBe('daemon-run-detached');
    for (const args of [['daemon', 'run', '--json'], ['daemon', 'run', '--verbose'], ['daemon', 'run', '--detached', '--json'], ['daemon', 'run', '--help'], ['daemon', 'start'], ['daemon', 'run', '--detached=true']]) {
      expect(fastPathFor(piped(args)), args.join(' ')).toBeUndefined();
    }
    expect(fastPathFor(piped(['daemon', 'run'], { env: { DEBUG: 'mailmon:*' } }))).toBeUndefined();
    expect(fastPathFor(piped(['daemon', 'run'], { env: { FORCE_COLOR: '1' } }))).toBeUndefined();
    expect(fastPathFor(piped(['daemon', 'run', '--detached'], { cwdExists: false }))).toBeUndefined();
  });

  it('any other arguments go through oclif (its parser, help and errors)', () => {
    for (const args of [['status'], ['status', '--json', '--verbose'], ['status', '--json', '-w'], ['--json', 'status'], ['status', '--json', '--'], ['status', '--help'], ['status', '--json=true'], ['doctor', '--json'],
      ['sync'], ['sync', '--json', '--full'], ['sync', 'you@example.com', '--json'], ['sync', '--json', '--wait', '5'], ['sync', '--json', '--verbose'], ['--json', 'sync'], ['sync', '--help']]) {
      expect(fastPathFor(piped(args)), args.join(' ')).toBeUndefined();
    }
  });

  it('a terminal, FORCE_COLOR of any value (oclif colours JSON with a theme), DEBUG or MAILMON_DEBUG (oclif traces), or a vanished cwd (oclif warns) go through oclif', () => {
    expect(fastPathFor(piped(['status', '--json'], { stdoutIsTTY: true }))).toBeUndefined();
    for (const value of ['1', '0', '']) expect(fastPathFor(piped(['status', '--json'], { env: { FORCE_COLOR: value } })), `FORCE_COLOR=${value}`).toBeUndefined();
    expect(fastPathFor(piped(['status', '--json'], { env: { DEBUG: 'mailmon:*' } }))).toBeUndefined();
    expect(fastPathFor(piped(['status', '--json'], { env: { MAILMON_DEBUG: '1' } }))).toBeUndefined();
    expect(fastPathFor(piped(['status', '--json'], { cwdExists: false }))).toBeUndefined();
  });
});
