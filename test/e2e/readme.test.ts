/**
 * The README's "CI with fixtures" recipe, run as written: its shell block is extracted from
 * README.md and executed with `mailmon` being the built CLI. Only the receiver's port (3000 in
 * the README) is swapped for a free one.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT, cliEnv } from '../support/cli.js';
import { startServer } from '../support/http-server.js';

function recipe(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## CI with fixtures'));
  const match = section.match(/```sh\n([\s\S]*?)```/);
  if (!match) throw new Error('README has no shell block under "CI with fixtures"');
  return match[1];
}

describe('README', () => {
  it('the "CI with fixtures" recipe works exactly as written', async () => {
    const app = await startServer((_request, response) => response.writeHead(200).end('ok'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-readme-'));
    const script = [
      'set -euo pipefail',
      `mailmon() { "${process.execPath}" "${CLI}" "$@"; }`,
      recipe().replaceAll('127.0.0.1:3000', `127.0.0.1:${app.port}`),
    ].join('\n');
    fs.writeFileSync(path.join(dir, 'recipe.sh'), script);
    const env = cliEnv();
    delete env.MAILMON_SECRET_STORE; // as a user's shell: the default (auto) store
    // Its own process group: background jobs of the recipe (the fixture server) are cleaned up with it.
    const child = spawn('bash', ['recipe.sh'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // the group is already gone
    }
    await app.close();
    expect(code, output.slice(-3000)).toBe(0);
    const types = app.requests.map((request) => String(request.headers['x-mailmon-event-type']));
    // listen delivered the trigger's two events; the replays sent them (and the initial status change) again.
    expect(types.filter((type) => type === 'message.created').length).toBeGreaterThanOrEqual(3);
    expect(fs.readFileSync(path.join(dir, 'events.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(3);
  }, 180_000);
});
