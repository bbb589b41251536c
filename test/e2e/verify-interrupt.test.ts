/**
 * Ctrl-C during `mailmon verify` is an interruption (exit 130, code `interrupted`), not
 * "Unexpected error: This operation was aborted" (exit 1, code `internal`). Found by the flag fuzz
 * (flag-fuzz.test.ts, exhaustive run), which stops long-running command lines with SIGINT.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { startFixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome } from '../support/cli.js';

it('Ctrl-C while verify waits on Gmail exits 130 with code interrupted', async () => {
  const home = tempHome();
  const server = await startFixtureServer({ quota: false, mailboxes: [{ generate: { messages: 3, seed: 1 } }] });
  try {
    expect((await runCli(['login', '--fixture', server.url], { home, timeoutMs: 60_000 })).exitCode).toBe(0);
    await server.control.setFaults({ latencyMs: 60_000 });
    await server.control.clearRequests();
    const child = startCli(['verify', '--json'], { home });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Verify is inside its Gmail calls once it has its access token (each call now takes a minute).
    const deadline = Date.now() + 30_000;
    while (!(await server.control.requests()).some((entry) => entry.path === '/token') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(parseJson<{ error: { code: string } }>(stdout.trim()).error.code).toBe('interrupted');
  } finally {
    await server.close();
    fs.rmSync(path.dirname(home), { recursive: true, force: true });
  }
}, 120_000);
