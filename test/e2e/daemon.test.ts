/**
 * The daemon end to end: the built CLI as child processes, a temp MAILMON_HOME, the fixture Gmail
 * server in-process on 127.0.0.1 and a real receiver for `listen`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import type { MailmonEvent } from '../../src/core/events.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';
import { foldEvents } from '../support/event-fold.js';
import { startServer, type TestServer } from '../support/http-server.js';
import { untilWith } from '../support/until.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000', MAILMON_POLL_INTERVAL: '500ms' };
// Each test takes ~10-20 s alone; the generous timeouts are for a loaded machine running the whole suite
// in parallel, where every CLI start costs seconds. The daemon's own timing bounds stay tight.

let server: FixtureServer;
const cleanups: Array<() => Promise<unknown> | unknown> = [];
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 77, mailboxes: [{ emailAddress: 'dev@mailmon.test', generate: { messages: 30 } }, { emailAddress: 'ops@mailmon.test', generate: { messages: 10 } }] });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
afterAll(async () => server?.close());

interface DaemonStatusJson {
  running: boolean;
  pid: number | null;
  mailboxes: Array<{ mailboxId: string; emailAddress: string; status: string; lastSuccessAt: number | null; lastError: string | null }>;
}

const until = untilWith({ timeoutMs: 10_000, everyMs: 50 });

async function daemonStatus(home: string): Promise<DaemonStatusJson> {
  const result = await runCli(['daemon', 'status', '--json'], { home, env });
  expect(result.exitCode, result.stderr).toBe(0);
  return parseJson<DaemonStatusJson>(result.stdout);
}

function readDb<T>(home: string, query: (db: Database.Database) => T): T {
  const db = new Database(path.join(home, 'mailmon.db'), { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

async function startDaemon(home: string) {
  const started = await runCli(['daemon', 'start', '--json'], { home, env, timeoutMs: 30_000 });
  expect(started.exitCode, started.stdout + started.stderr).toBe(0);
  const result = parseJson<{ pid: number; replacedStalePid: number | null }>(started.stdout);
  cleanups.push(() => runCli(['daemon', 'stop'], { home, env }));
  return result;
}

describe('mailmon daemon (built CLI)', () => {
  it('syncs without being asked, wakes a listen in another process, survives SIGKILL without duplicates, stops cleanly', async () => {
    const home = tempHome('mailmon-daemon-');
    const login = await runCli(['login', '--fixture', server.url, '--login-hint', 'dev@mailmon.test', '--json'], { home, env });
    expect(login.exitCode, login.stderr).toBe(0);
    const { mailboxId } = parseJson<{ mailboxId: string }>(login.stdout);

    const first = await startDaemon(home);
    // A second start for the same home starts nothing and succeeds, like systemctl start (issue 14).
    const second = await runCli(['daemon', 'start'], { home, env });
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout.split('\n')[0]).toBe(`Daemon already running (pid ${first.pid}). Logs: mailmon daemon logs -f (${path.join(home, 'logs', 'daemon.log')})`);

    // status shows the daemon and the mailbox, synced by the daemon alone.
    await until('the initial sync', () => readDb(home, (db) => db.prepare('select last_success_at as at from mailboxes where id = ?').get(mailboxId) as { at: number | null }).at);
    expect(await daemonStatus(home)).toMatchObject({ running: true, pid: first.pid, mailboxes: [{ mailboxId, emailAddress: 'dev@mailmon.test', status: 'active', lastError: null }] });
    const overview = await runCli(['status', '--json'], { home, env });
    expect(parseJson(overview.stdout)).toMatchObject({ daemon: { running: true, pid: first.pid }, mailboxes: [{ mailboxId, messageCount: 30, status: 'active' }] });

    // A listen in another process, not syncing itself, forwards what the daemon commits.
    const arrivals: number[] = [];
    const receiver: TestServer = await startServer((_request, response) => {
      arrivals.push(Date.now());
      response.writeHead(200).end('ok');
    });
    cleanups.push(() => receiver.close());
    const listen = startCli(['listen', '--no-sync', '--forward-to', `${receiver.url}/hook`, '--from-now'], { home, env });
    cleanups.push(() => listen.kill('SIGKILL'));
    let listenStderr = '';
    listen.stderr.on('data', (chunk: Buffer) => (listenStderr += chunk.toString()));
    await waitForLine(listen, 'stderr', (line) => line.startsWith('Ready!'));
    expect(listenStderr).toContain(`Forwarding events committed by the daemon (pid ${first.pid}).\n`);

    const sent = await server.control.send({ mailbox: 'dev@mailmon.test', subject: 'daemon e2e' });
    const delivered = await until('the forwarded message.created', () => {
      const index = receiver.requests.findIndex((request) => request.headers['x-mailmon-event-type'] === 'message.created' && request.body.includes(sent.id));
      return index >= 0 ? { request: receiver.requests[index], arrivedAt: arrivals[index] } : null;
    });
    const event = JSON.parse(delivered.request.body) as { occurredAt: string };
    const latencyMs = delivered.arrivedAt - Date.parse(event.occurredAt);
    console.log(`commit → POST latency: ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(500);

    // SIGKILL the daemon in the middle of a sync (slow Gmail keeps it there).
    await server.control.setFaults({ latencyMs: 800 });
    await server.control.send({ mailbox: 'dev@mailmon.test', subject: 'interrupted' });
    const interrupted = await until('a running sync', () => readDb(home, (db) => db.prepare(`select id from sync_runs where status = 'running'`).get() as { id: string } | undefined), 15_000);
    process.kill(first.pid, 'SIGKILL');
    await until('the daemon to die', () => {
      try {
        process.kill(first.pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    await server.control.clearFaults();
    expect(fs.existsSync(path.join(home, 'run', 'daemon.pid'))).toBe(true);

    const restarted = await startDaemon(home);
    expect(restarted.replacedStalePid).toBe(first.pid);
    expect(readDb(home, (db) => db.prepare('select status from sync_runs where id = ?').get(interrupted.id))).toEqual({ status: 'abandoned' });
    const recovered = await until('the interrupted change to be synced', () => receiver.requests.some((request) => request.body.includes('"subject":"interrupted"') || request.body.includes('interrupted')));
    expect(recovered).toBe(true);

    // `mailmon sync` goes through the daemon instead of competing for the lease.
    await server.control.modify({ mailbox: 'dev@mailmon.test', id: sent.id, addLabelIds: ['STARRED'] });
    const sync = await runCli(['sync'], { home, env });
    expect(sync.exitCode, sync.stderr).toBe(0);
    expect(sync.stderr).toContain(`The daemon (pid ${restarted.pid}) ran this sync.`);
    expect(sync.stdout).toMatch(/dev@mailmon\.test/);
    const syncJson = await runCli(['sync', '--json'], { home, env });
    expect(parseJson(syncJson.stdout)).toMatchObject({ results: [{ mailboxId }], failures: [] });

    const events = parseJson<MailmonEvent[]>((await runCli(['events', 'list', '--limit', '100000', '--json'], { home, env })).stdout);
    const folded = foldEvents(events);
    expect(folded.problems).toEqual([]);

    const stopped = await runCli(['daemon', 'stop', '--json'], { home, env });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
    expect(parseJson(stopped.stdout)).toMatchObject({ wasRunning: true, pid: restarted.pid, forced: false, leasesLeft: 0 });
    expect(fs.readdirSync(path.join(home, 'leases'))).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'run'))).toEqual([]);
    expect((await daemonStatus(home)).running).toBe(false);
  }, 150_000);

  it('keeps syncing a healthy mailbox on time while another has a revoked token', async () => {
    const home = tempHome('mailmon-daemon-');
    for (const address of ['dev@mailmon.test', 'ops@mailmon.test']) {
      const login = await runCli(['login', '--fixture', server.url, '--login-hint', address], { home, env });
      expect(login.exitCode, login.stderr).toBe(0);
    }
    await server.control.revokeToken({ mailbox: 'ops@mailmon.test' });
    await startDaemon(home);
    await until('the revoked mailbox to need reauth', () => readDb(home, (db) => db.prepare(`select 1 from mailboxes where email_address = 'ops@mailmon.test' and status = 'reauth_required'`).get()));
    const broken = (await daemonStatus(home)).mailboxes.find((mailbox) => mailbox.emailAddress === 'ops@mailmon.test');
    expect(broken).toMatchObject({ status: 'reauth_required', lastError: expect.any(String) });
    for (let round = 0; round < 2; round++) {
      const sent = await server.control.send({ mailbox: 'dev@mailmon.test', subject: `healthy ${round}` });
      const sentAt = Date.now();
      await until("the healthy mailbox to pick up the change", () => readDb(home, (db) => db.prepare("select 1 from messages where provider_message_id = ?").get(sent.id)), 6_000);
      // On time: within a few poll intervals (500 ms), far below the broken mailbox's backoff (5 s and up).
      expect(Date.now() - sentAt).toBeLessThan(4_000);
    }
    // A login while the daemon runs hands the sync to it.
    const again = await runCli(['login', '--fixture', server.url, '--login-hint', 'dev@mailmon.test'], { home, env });
    expect(again.stderr).toMatch(/The daemon \(pid \d+\) is starting a sync of dev@mailmon\.test\./);

    const logs = await runCli(['daemon', 'logs', '--lines', '200'], { home, env });
    expect(logs.stdout).toMatch(/INFO {3}daemon ready {2}pid=\d+/);
    expect(logs.stdout).toMatch(/WARN {3}sync failed {2}mailbox=ops@mailmon\.test/);
    const stopped = await runCli(['daemon', 'stop'], { home, env });
    expect(stopped.stdout).toMatch(/^Daemon stopped \(pid \d+, exited cleanly/);

    // Without a daemon, `mailmon status` still reads the store (plain text off a TTY).
    const status = await runCli(['status'], { home, env });
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/^○ Daemon not running/);
    expect(status.stdout).toMatch(/ops@mailmon\.test\s+reauth_required/);
    expect(status.stdout).toMatch(/Listeners\n {2}none/);
  }, 120_000);

  it('daemon start replaces a pid file whose pid was reused by another process after a crash', async () => {
    const home = tempHome('mailmon-daemon-');
    const impostor = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { stdio: 'ignore' });
    cleanups.push(() => impostor.kill('SIGKILL'));
    fs.mkdirSync(path.join(home, 'run'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(home, 'run', 'daemon.pid'), JSON.stringify({ pid: impostor.pid, hostname: os.hostname(), startedAt: 1, version: '0.1.0' }));
    fs.writeFileSync(path.join(home, 'run', 'daemon.sock'), ''); // left by the crashed daemon: nobody listens
    const started = await startDaemon(home);
    expect(started.replacedStalePid).toBe(impostor.pid);
    expect(impostor.exitCode).toBeNull(); // the unrelated process was left alone
  }, 60_000);

  it('daemon start reports the error the daemon died with', async () => {
    const home = tempHome('mailmon-daemon-');
    const started = await runCli(['daemon', 'start'], { home, env: { ...env, MAILMON_POLL_INTERVAL: 'soon' } });
    expect(started.exitCode).toBe(1);
    expect(started.stderr).toMatch(/The daemon exited during start \(code 3\):\n {2}Error: .*poll-interval/);
    expect(fs.existsSync(path.join(home, 'run', 'daemon.pid'))).toBe(false);
  }, 60_000);
});
