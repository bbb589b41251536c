/**
 * What an idle daemon holds: its HTTP API listens from the start, but fastify, the routes and
 * their schemas load only when the first request comes — and that request is served. The
 * webhook HTTP client waits for the first delivery, prom-client's process metrics for the first
 * scrape.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, ROOT, cliEnv, parseJson, runCli, tempHome, waitForLine } from '../support/cli.js';

const children: Array<ReturnType<typeof spawn>> = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('the idle daemon', () => {
  it('loads the HTTP API framework on the first request, not at start, and serves that request; no webhook client before a delivery', async () => {
    const home = tempHome('mailmon-footprint-');
    const trace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-trace-')), 'imports.txt');
    const daemon = spawn(process.execPath, ['--import', path.join(ROOT, 'test/support/trace-imports.mjs'), CLI, 'daemon', 'run'], {
      cwd: ROOT, env: { ...cliEnv({ home }), MAILMON_TRACE_FILE: trace }, stdio: 'pipe',
    });
    children.push(daemon);
    await waitForLine(daemon, 'stderr', (line) => line.includes('api listening'), 60_000);
    const heavy = ['/node_modules/fastify/', '/node_modules/typebox/', '/node_modules/@fastify/swagger/', '/dist/src/api/server.js'];
    const atStart = fs.readFileSync(trace, 'utf8');
    // The HTTP client for webhooks loads on the first delivery.
    for (const module of [...heavy, '/node_modules/undici/']) expect(atStart, module).not.toContain(module);
    // prom-client's index (its process defaults and @opentelemetry/api) loads at the first scrape.
    expect(atStart).not.toContain('/node_modules/prom-client/index.js');
    // The daemon's entry point runs without the CLI framework (src/cli/fast-path.ts).
    expect(atStart).not.toContain('/node_modules/@oclif/core/');

    const status = await runCli(['daemon', 'status', '--json'], { home });
    const url = parseJson<{ api: { url: string } | null }>(status.stdout).api!.url;
    const response = await fetch(`${url}/healthz`);
    expect(response.status).toBe(200);
    const afterRequest = fs.readFileSync(trace, 'utf8');
    for (const module of heavy) expect(afterRequest, module).toContain(module);

    const exited = new Promise<number | null>((resolve) => daemon.once('exit', (code) => resolve(code)));
    daemon.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000);
});
