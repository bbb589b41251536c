/**
 * Issue 14, "Output that lies or says nothing", through the built CLI and a real daemon: the
 * daemon log records sync failures, delivery failures and endpoint health changes; `mailboxes`
 * and `status` (and their --json) show the last error instead of "synced 5s ago".
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { startServer } from '../support/http-server.js';
import { untilWith } from '../support/until.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '300ms', MAILMON_DELIVERY_RETRY_SCHEDULE: '0s,300ms,300ms' };

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 41, mailboxes: [{ generate: { messages: 10, seed: 41 } }] });
});
afterAll(async () => server?.close());

/** A pass-through proxy to the fixture that can be switched to answer every Gmail call 400 (a failure no retry hides). */
async function startBreakableProxy(target: string): Promise<{ url: string; breakGmail: () => void; close: () => Promise<void> }> {
  let broken = false;
  const upstream = new URL(target);
  const proxy = http.createServer((request, response) => {
    if (broken && request.url?.includes('/gmail/v1/')) {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 400, message: 'Precondition check failed.', errors: [{ reason: 'failedPrecondition' }] } }));
      return;
    }
    const forward = http.request({ host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    forward.on('error', () => response.destroy());
    request.pipe(forward);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/`,
    breakGmail: () => (broken = true),
    close: () => new Promise<void>((resolve) => {
      proxy.closeAllConnections();
      proxy.close(() => resolve());
    }),
  };
}

const until = untilWith({ timeoutMs: 30_000, everyMs: 150 });

interface LogLine {
  level: string;
  msg: string;
  [field: string]: unknown;
}

describe('the daemon says what failed', () => {
  it('logs delivery failures, health changes and sync failures; mailboxes and status show the last error', async () => {
    const home = tempHome('mailmon-output-daemon-');
    const proxy = await startBreakableProxy(server.url);
    // The receiver fails once with 500, then answers 410 Gone (which disables the endpoint).
    const app = await startServer((_request, response) => response.writeHead(app.requests.length === 1 ? 500 : 410).end());
    const logs = async () => parseJson<LogLine[]>(`[${(await runCli(['daemon', 'logs', '--lines', '500', '--json'], { home, env })).stdout.trim().split('\n').filter(Boolean).join(',')}]`);
    try {
      expect((await runCli(['login', '--fixture', proxy.url], { home, env })).exitCode).toBe(0);
      expect((await runCli(['sync'], { home, env })).exitCode).toBe(0);
      const added = await runCli(['webhooks', 'add', `${app.url}/hooks`, '--events', 'message.*', '--skip-verification', '--json'], { home, env });
      expect(added.exitCode, added.stderr).toBe(0);
      const endpoint = parseJson<{ id: string; secret: string }>(added.stdout);
      // DEBUG reaches the detached daemon: its traces go to logs/daemon.stderr.log.
      const started = await runCli(['daemon', 'start'], { home, env: { ...env, DEBUG: 'mailmon:*' }, timeoutMs: 60_000 });
      expect(started.exitCode, started.stderr).toBe(0);

      await server.control.send({ subject: 'to a failing receiver' });
      const health = await until('the health change in the daemon log', async () => (await logs()).find((line) => line.msg === 'endpoint health changed'));
      expect(health).toMatchObject({ level: 'warn', endpointId: endpoint.id, from: 'active', to: 'disabled', reason: expect.stringMatching(/410/) });
      const failures = (await logs()).filter((line) => line.msg === 'delivery failed' || line.msg === 'delivery given up');
      expect(failures[0]).toMatchObject({ level: 'warn', msg: 'delivery failed', endpointId: endpoint.id, attempt: 1, status: 500, nextRetryInMs: expect.any(Number) });
      expect(failures.some((line) => line.status === 410)).toBe(true);
      // Never the URL (it may carry a token) in those lines.
      for (const line of failures) expect(JSON.stringify(line)).not.toContain(app.url);
      const traces = fs.readFileSync(path.join(home, 'logs', 'daemon.stderr.log'), 'utf8');
      expect(traces).toMatch(new RegExp(`mailmon:delivery ${endpoint.id} evt_\\w+ attempt 1 500 \\d+ms next retry in \\d+ms`));
      expect(traces).toMatch(/mailmon:delivery POST http:\/\/127\.0\.0\.1:\d+\/hooks evt_\w+ attempt 1 500 \d+ms/);
      expect(traces).toMatch(/mailmon:gmail history\.list 200 \d+ms 2u/);
      expect(traces).not.toContain(endpoint.secret);
      expect(traces).not.toMatch(/ya29\.|1\/\/0/);
      const statusJson = parseJson<{ endpoints: Array<{ id: string; lastError: string | null }> }>((await runCli(['status', '--json'], { home, env })).stdout);
      expect(statusJson.endpoints).toEqual([expect.objectContaining({ id: endpoint.id, lastError: expect.stringMatching(/410/) })]);

      // Now every Gmail call fails: the daemon's next poll fails and says so everywhere.
      proxy.breakGmail();
      await server.control.send({ subject: 'while Gmail is broken' });
      const syncFailed = await until('the sync failure in the daemon log', async () => (await logs()).find((line) => line.msg === 'sync failed'));
      expect(syncFailed).toMatchObject({ level: 'warn', mailbox: 'dev@mailmon.test', error: expect.stringMatching(/Gmail answered 400/), retryInMs: expect.any(Number) });

      const mailboxesJson = parseJson<Array<{ lastError: string | null }>>((await runCli(['mailboxes', '--json'], { home, env })).stdout);
      expect(mailboxesJson[0].lastError).toMatch(/Gmail answered 400/);
      const table = (await runCli(['mailboxes'], { home, env })).stdout;
      expect(table).toMatch(/LAST SUCCESS .* LAST ERROR/);
      expect(table).toMatch(/failing/);
      expect(table).toMatch(/Gmail answered 400/);
      const status = await runCli(['status', '--json'], { home, env });
      expect(parseJson<{ mailboxes: Array<{ lastError: string | null }> }>(status.stdout).mailboxes[0].lastError).toMatch(/Gmail answered 400/);
      expect((await runCli(['status'], { home, env })).stdout).toMatch(/last error[\s\S]*Gmail answered 400/i);
    } finally {
      await runCli(['daemon', 'stop'], { home, env, timeoutMs: 60_000 });
      await app.close();
      await proxy.close();
    }
  }, 150_000);
});
