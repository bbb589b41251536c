/**
 * The README's "CI with fixtures" recipe, run as written: its shell block is extracted from
 * README.md and executed by bash in a directory laid out like a project after `npm ci` (mailmon
 * in node_modules, its bin in node_modules/.bin, both the built package). Only the app's port
 * (PORT=3000 in the README) is swapped for a free one. The recipe starts its own receiver, which
 * verifies every signature with the secret the recipe hands it, and stops what it started.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, cliEnv } from '../support/cli.js';
import { closedPort } from '../support/http-server.js';

function recipe(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## CI with fixtures'));
  const match = section.match(/```sh\n([\s\S]*?)```/);
  if (!match) throw new Error('README has no shell block under "CI with fixtures"');
  return match[1];
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
});
