/**
 * Issue 14: sync progress that names the mailbox by address, reaches its total, and shows
 * percent and ETA — in `sync` (a terminal and piped), in `status` during a daemon's full sync,
 * and in `mailmon sync` while it waits for the daemon (which never prints "null").
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { terminalEnv } from '../support/terminal.js';
import { CLI, parseJson, runCli, startCli, tempHome, type CliOptions } from '../support/cli.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };
const MESSAGES = 600;

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 600, mailboxes: [{ generate: { messages: MESSAGES, seed: 600 } }] });
});
afterAll(async () => server?.close());

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

function runInTerminal(args: string[], options: CliOptions, timeoutMs = 90_000): Promise<{ output: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const command = `stty cols 160 rows 40; exec ${[process.execPath, CLI, ...args].map(quote).join(' ')}`;
    const child = spawn('script', ['-qec', command, '/dev/null'], { env: { ...terminalEnv(options), SHELL: '/bin/sh' }, stdio: 'pipe' });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      resolve({ output, exitCode });
    });
  });
}

/** A running command and what it printed so far. */
function started(args: string[], options: CliOptions) {
  const child = startCli(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, stdout: () => stdout, stderr: () => stderr };
}

/** The daemon's progress as a waiting `sync` prints it on stderr. */
const PROGRESS = /dev@mailmon\.test: \w+ [\d,]+\/[\d,]+ \d+% \(\d+ msg\/s, ETA /;
const COUNT = /([\d,]+)\/([\d,]+) (\d+)%/g;
const counts = (text: string) => [...text.matchAll(COUNT)].map((match) => ({ processed: Number(match[1].replaceAll(',', '')), total: Number(match[2].replaceAll(',', '')), percent: Number(match[3]) }));

async function until<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, everyMs = 200, lastSeen: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} ${lastSeen()}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

describe('sync progress (built CLI)', () => {
  it('sync in a terminal and piped: the bar names the address, shows percent, and its last frame reaches the total', async () => {
    const home = tempHome();
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    await server.control.setFaults({ latencyMs: 60 });
    try {
      const terminal = await runInTerminal(['sync'], { home, env });
      expect(terminal.exitCode, terminal.output).toBe(0);
      const frames = terminal.output.split('✓')[0];
      expect(frames).toContain('dev@mailmon.test');
      expect(frames).not.toMatch(/mbx_/);
      const seen = counts(frames);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.at(-1)).toEqual({ processed: MESSAGES, total: MESSAGES, percent: 100 });

      const piped = await runCli(['sync', '--full'], { home, env, timeoutMs: 90_000 });
      expect(piped.exitCode, piped.stderr).toBe(0);
      const lines = piped.stderr.split('\n').filter((line) => COUNT.test(line));
      expect(lines[0]).toMatch(/^dev@mailmon\.test: \w+ [\d,]+\/[\d,]+ \d+% \(\d+ msg\/s, ETA /);
      expect(counts(lines.join('\n')).at(-1)).toEqual({ processed: MESSAGES, total: MESSAGES, percent: 100 });
    } finally {
      await server.control.clearFaults();
    }
  }, 180_000);

  it("while the daemon runs the initial full sync: status shows percent and ETA; sync shows the daemon's progress, Ctrl-C stops waiting, and no \"null\"", async () => {
    const home = tempHome('mailmon-output-progress-');
    expect((await runCli(['login', '--fixture', server.url], { home, env })).exitCode).toBe(0);
    // Slow enough (a few seconds per round of calls) that a loaded CI machine still catches it mid-way.
    await server.control.setFaults({ latencyMs: 2500 });
    try {
      expect((await runCli(['daemon', 'start'], { home, env, timeoutMs: 60_000 })).exitCode).toBe(0);

      // Waiting for the daemon's sync, piped: its progress every 2 s; Ctrl-C stops waiting with 130.
      const waiting = started(['sync'], { home, env });
      await until('the daemon progress line', () => PROGRESS.test(waiting.stderr()));
      waiting.child.kill('SIGINT');
      const code = await waiting.exited;
      expect(waiting.stderr()).toContain('Stopped waiting; the daemon');
      expect(code, waiting.stderr()).toBe(130);

      // status during the full sync: percent and ETA, live from the daemon (JSON and the table).
      let seen = '';
      const report = await until('status with progress', async () => {
        const status = parseJson<{ mailboxes: Array<{ progress: { processed: number; total: number; percent: number; etaSeconds: number | null } | null }> }>((await runCli(['status', '--json'], { home, env })).stdout);
        const progress = status.mailboxes[0].progress;
        seen = JSON.stringify(progress);
        if (!progress || progress.processed === 0 || progress.etaSeconds === null) return false;
        const plain = (await runCli(['status'], { home, env })).stdout;
        seen += plain;
        if (!/dev@mailmon\.test +pending \(full sync [\d,]+\/600 \d+%, ETA \d+(s|m\d\ds)\)/.test(plain)) return false;
        // The ink screen in a terminal: "pending ⟳ 45% 270/600 ETA 12s", not just "pending ⟳".
        const screen = (await runInTerminal(['status'], { home, env })).output;
        seen += screen;
        return /pending ⟳ \d+% [\d,]+\/600 ETA \d+(s|m\d\ds)/.test(screen) && progress;
      }, 60_000, 200, () => seen);
      expect(report.total).toBe(MESSAGES);
      expect(report.percent).toBe(Math.round((report.processed / report.total) * 100));

      // A sync asked for now waits for the daemon's and prints a real history id, never "null".
      // Once it shows that it waits (or has ended), the rest of the daemon's sync need not crawl
      // at 2.5 s a call.
      const synced = started(['sync'], { home, env });
      await until('the sync waiting for the daemon', () => PROGRESS.test(synced.stderr()) || synced.child.exitCode !== null);
      await server.control.clearFaults();
      expect(await synced.exited, synced.stderr()).toBe(0);
      expect(synced.stdout()).toMatch(/✓ dev@mailmon\.test: /);
      expect(synced.stdout() + synced.stderr()).not.toContain('null');
    } finally {
      await server.control.clearFaults();
      await runCli(['daemon', 'stop'], { home, env, timeoutMs: 60_000 });
    }
  }, 240_000);
});
