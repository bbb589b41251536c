/**
 * The README's "CI with fixtures" recipe, run as written: its shell block is extracted from
 * README.md and executed by bash in a directory laid out like a project after `npm ci` (mailmon
 * in node_modules, its bin in node_modules/.bin, both the built package). Only the app's port
 * (PORT=3000 in the README) is swapped for a free one. The recipe starts its own receiver, which
 * verifies every signature with the secret the recipe hands it, and stops what it started.
 * Its listen → trigger → wait part, the one that races with a daemon, is also run 5 times with
 * and 5 times without a daemon (MAILMON_CHAOS_README_RUNS times each; npm run test:chaos: 20).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { CLI, ROOT, cliEnv, runCli, tempHome } from '../support/cli.js';
import { closedPort, startServer } from '../support/http-server.js';

function recipe(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## CI with fixtures'));
  const match = section.match(/```sh\n([\s\S]*?)```/);
  if (!match) throw new Error('README has no shell block under "CI with fixtures"');
  return match[1];
}

/** Runs a bash script in its own process group (its background jobs die with it); resolves with the exit code and output. */
async function runScript(dir: string, script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  fs.writeFileSync(path.join(dir, 'script.sh'), script);
  const child = spawn('bash', ['script.sh'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // the group is already gone
  }
  return { code, output };
}

/** The recipe's lines from `mailmon listen` to `wait $LISTEN`: start listen, cause a change, wait for its delivery. */
function listenBlock(): string {
  const lines = recipe().split('\n');
  const first = lines.findIndex((line) => line.startsWith('mailmon listen'));
  const last = lines.findIndex((line) => line.startsWith('wait $LISTEN'));
  if (first < 0 || last < first) throw new Error('the README recipe has no listen … wait $LISTEN block');
  return lines.slice(first, last + 1).join('\n');
}

describe('README', () => {
  it('the "CI with fixtures" recipe works exactly as written', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-readme-'));
    fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'mailmon'));
    fs.symlinkSync(CLI, path.join(dir, 'node_modules', '.bin', 'mailmon'));
    const port = await closedPort();
    const script = recipe();
    expect(script).toContain('export PORT=3000');
    fs.writeFileSync(path.join(dir, 'recipe.sh'), script.replace('export PORT=3000', `export PORT=${port}`));
    const env = cliEnv();
    delete env.MAILMON_SECRET_STORE; // as a user's shell: the default (auto) store
    delete env.MAILMON_HOME; // the recipe makes its own
    // Its own process group, so the test can check that the recipe stopped everything it started.
    const child = spawn('bash', ['recipe.sh'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    let leftRunning = true;
    try {
      process.kill(-child.pid!, 0);
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      leftRunning = false; // the group is gone: the fixture server and the app were stopped
    }
    expect(code, output.slice(-3000)).toBe(0);
    expect(leftRunning, 'the recipe left a process running').toBe(false);
    const received = fs.readFileSync(path.join(dir, 'received.log'), 'utf8').trim().split('\n');
    // The app verified each delivery: listen delivered the trigger's two events; the replays sent them (and the initial status change) again.
    expect(received.filter((type) => type === 'message.created').length).toBeGreaterThanOrEqual(3);
    expect(received.filter((type) => type === 'thread.updated').length).toBeGreaterThanOrEqual(3);
    expect(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(3);
  }, 180_000);

  const RUNS = Number(process.env.MAILMON_CHAOS_README_RUNS ?? 5);
  it(`its listen → trigger → wait block never misses the change: ${RUNS} runs with and ${RUNS} without a daemon`, async () => {
    const app = await startServer((_request, response) => response.writeHead(200).end('ok'));
    const fixtures: FixtureServer[] = [];
    const homes: string[] = [];
    try {
      // Two homes on two fixture mailboxes, run side by side: one with a daemon, one without.
      const setups = [true, false].map(async (withDaemon) => {
        const fixture = await startFixtureServer({ quota: false, seed: 3, mailboxes: [{ generate: { messages: 5, seed: 3 } }] });
        fixtures.push(fixture);
        const home = tempHome('mailmon-readme-race-');
        homes.push(home);
        expect((await runCli(['login', '--fixture', fixture.url], { home })).exitCode).toBe(0);
        expect((await runCli(['sync'], { home })).exitCode).toBe(0);
        if (withDaemon) expect((await runCli(['daemon', 'start'], { home, timeoutMs: 30_000 })).exitCode).toBe(0);
        const dir = path.dirname(home);
        // Each run is a new consumer (its own path), so each starts "from now", as a first CI run does.
        const run = listenBlock().replaceAll('127.0.0.1:$PORT/hook', `127.0.0.1:$PORT/${withDaemon ? 'daemon' : 'alone'}-$i`);
        const script = [
          'set -uo pipefail',
          `mailmon() { "${process.execPath}" "${CLI}" "$@"; }`,
          `export PORT=${app.port}`,
          // This fixture server runs in-process, so no serve recorded its control token in the home.
          `export MAILMON_FIXTURE_TOKEN=${fixture.controlToken}`,
          'failures=0',
          `for i in $(seq 1 ${RUNS}); do`,
          '  rm -f listen.jsonl',
          '  (',
          '    set -e',
          ...run.split('\n').map((line) => `    ${line}`),
          '  ) || { failures=$((failures + 1)); echo "run $i failed"; cat listen.jsonl; }',
          'done',
          'echo "failures: $failures"',
          '[ "$failures" -eq 0 ]',
        ].join('\n');
        return { withDaemon, ...(await runScript(dir, script, cliEnv({ home }))) };
      });
      const results = await Promise.all(setups);
      for (const result of results) expect(result.code, `${result.withDaemon ? 'with' : 'without'} a daemon:\n${result.output.slice(-3000)}`).toBe(0);
      // Every run got its change (message.created + thread.updated) on its own path.
      for (const prefix of ['daemon', 'alone']) {
        for (let i = 1; i <= RUNS; i++) {
          const types = app.requests.filter((request) => request.url === `/${prefix}-${i}`).map((request) => String(request.headers['x-mailmon-event-type']));
          expect(types, `${prefix} run ${i}`).toContain('message.created');
        }
      }
    } finally {
      await Promise.all(homes.map((home) => runCli(['daemon', 'stop'], { home })));
      await Promise.all(fixtures.map((fixture) => fixture.close()));
      await app.close();
    }
  }, 240_000);
});
