/**
 * Issue 14: Ctrl-C is one documented rule (docs/interrupts.md), the same on a terminal and piped:
 * an interrupted `sync` says what was kept and exits 130; `tail` and `listen`, whose normal end
 * is Ctrl-C, exit 0. The terminal runs are real pseudo-terminals (util-linux `script`), where
 * Ctrl-C is the ^C byte the line discipline turns into SIGINT.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { terminalEnv } from '../support/terminal.js';
import { CLI, runCli, startCli, tempHome, type CliOptions } from '../support/cli.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
const INTERRUPTED = 'Sync interrupted; progress up to the last commit is kept.';

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 130, mailboxes: [{ generate: { messages: 300, seed: 130 } }] });
});
afterAll(async () => server?.close());

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/** Runs the built CLI in a pseudo-terminal; sends Ctrl-C once the output matches. Output is stdout and stderr as the terminal showed them. */
function runInTerminal(args: string[], options: CliOptions, interruptWhen: (output: string) => boolean, timeoutMs = 60_000): Promise<{ output: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const command = `stty cols 120 rows 40; exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...terminalEnv(options), SHELL: '/bin/sh' }, stdio: 'pipe' });
    let output = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (!sent && interruptWhen(output)) {
        sent = true;
        child.stdin.write('\x03');
      }
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ output, exitCode });
    });
  });
}

/** Runs the built CLI with pipes; sends SIGINT once stderr or stdout matches. */
function runPiped(args: string[], options: CliOptions, interruptWhen: (output: string) => boolean, timeoutMs = 60_000): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = startCli(args, options);
    let stdout = '';
    let stderr = '';
    let sent = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const check = () => {
      if (!sent && interruptWhen(stdout + stderr)) {
        sent = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), check()));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), check()));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, exitCode });
    });
  });
}

describe('Ctrl-C: one rule, on a terminal and piped (built CLI)', () => {
  it('sync --full interrupted: says progress is kept and exits 130, in a terminal and piped', async () => {
    const home = tempHome();
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    // Slow Gmail down so the full sync is still running when Ctrl-C comes.
    await server.control.setFaults({ latencyMs: 250 });
    try {
      const terminal = await runInTerminal(['sync', '--full'], { home, env }, (output) => /\d+\/300/.test(output));
      expect(terminal.output).toContain(INTERRUPTED);
      expect(terminal.exitCode, terminal.output).toBe(130);

      const piped = await runPiped(['sync', '--full'], { home, env }, (output) => /\d+\/300/.test(output));
      expect(piped.stderr).toContain(INTERRUPTED);
      expect(piped.exitCode, piped.stderr).toBe(130);
    } finally {
      await server.control.clearFaults();
    }
  }, 120_000);

  it('tail and listen end with Ctrl-C: exit 0 in a terminal and piped', async () => {
    const home = tempHome();
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    expect((await runCli(['sync'], { home, env, timeoutMs: 60_000 })).exitCode).toBe(0);

    const tailTerminal = await runInTerminal(['tail', '--last', '1'], { home, env }, (output) => output.includes('(1 shown, Ctrl-C to quit)'));
    expect(tailTerminal.output).toContain('mailbox.status_changed');
    expect(tailTerminal.exitCode, tailTerminal.output).toBe(0);
    const tailPiped = await runPiped(['tail', '--last', '1'], { home, env }, (output) => output.includes('mailbox.status_changed'));
    expect(tailPiped.exitCode, tailPiped.stderr).toBe(0);

    const listenArgs = ['listen', '--forward-to', 'http://127.0.0.1:9/hooks', '--from-now', '--no-sync'];
    const listenTerminal = await runInTerminal(listenArgs, { home, env }, (output) => /Ready/i.test(output));
    expect(listenTerminal.exitCode, listenTerminal.output).toBe(0);
    const listenPiped = await runPiped(listenArgs, { home, env }, (output) => /Ready/i.test(output));
    expect(listenPiped.exitCode, listenPiped.stderr).toBe(0);
  }, 120_000);
});
