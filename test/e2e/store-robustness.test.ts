/**
 * The store and the home when something is wrong with them (issue 13): an empty or corrupt
 * store is never silently replaced or written into, a locked or full store and an impossible
 * home are clear errors, and `mailmon store backup` gives users a way back.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureServer, type FixtureServer } from '../../src/fixtures/server.js';
import { parseJson, runCli, startCli, tempHome, waitForLine } from '../support/cli.js';

const env = { MAILMON_QUOTA_UNITS_PER_SECOND: '100000' };

let server: FixtureServer;
beforeAll(async () => {
  server = await startFixtureServer({ quota: false, seed: 13, mailboxes: [{ generate: { messages: 300, seed: 13 } }] });
});
afterAll(async () => server?.close());

interface DoctorJson {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
}

let template: string | undefined;

/** A copy of a home with one mailbox logged in to the fixture and fully synced (300 messages). */
async function syncedHome(): Promise<string> {
  if (!template) {
    template = tempHome();
    const login = await runCli(['login', '--fixture', server.url, '--json'], { home: template, env });
    expect(login.exitCode, login.stderr).toBe(0);
    const sync = await runCli(['sync', '--json'], { home: template, env, timeoutMs: 60_000 });
    expect(sync.exitCode, sync.stderr).toBe(0);
  }
  const home = tempHome();
  fs.cpSync(template, home, { recursive: true });
  return home;
}

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function errorOf(stdout: string): { code: string; message: string; hint?: string } {
  return parseJson<{ error: { code: string; message: string; hint?: string } }>(stdout).error;
}

describe('the store: never replaced, never written when broken', () => {
  it('refuses a zero-length store in every command instead of re-creating it empty', async () => {
    const home = await syncedHome();
    const store = path.join(home, 'mailmon.db');
    fs.truncateSync(store, 0);
    for (const args of [['mailboxes'], ['sync'], ['webhooks', 'list']]) {
      const result = await runCli([...args, '--json'], { home, env });
      expect(result.exitCode, `${args.join(' ')}: ${result.stdout}${result.stderr}`).toBe(4);
      expect(errorOf(result.stdout)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('is empty (0 bytes)'), hint: expect.stringContaining('mailmon store backup') });
    }
    const doctor = await runCli(['doctor', '--json'], { home, env });
    expect(doctor.exitCode).toBe(1);
    const report = parseJson<DoctorJson>(doctor.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks.find((check) => check.name === 'store integrity')).toMatchObject({ ok: false, detail: expect.stringContaining('empty') });
    const human = await runCli(['mailboxes'], { home, env });
    expect(human.stderr).toMatch(/^Error: The store .*mailmon\.db is empty \(0 bytes\): its data is gone\.\n→ mailmon will not replace it\./);
    expect(fs.statSync(store).size).toBe(0);
  }, 90_000);

  it('refuses a write-ahead log left without its store instead of replaying it into a new one', async () => {
    const home = await syncedHome();
    const store = path.join(home, 'mailmon.db');
    // Hold a connection so the WAL survives, then delete the store under it.
    const holder = new Database(store);
    holder.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('wal-only', 1);
    fs.rmSync(store);
    const result = await runCli(['mailboxes', '--json'], { home, env });
    holder.close();
    expect(result.exitCode, result.stdout + result.stderr).toBe(4);
    expect(errorOf(result.stdout)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('its write-ahead log') });
    expect(fs.existsSync(store)).toBe(false);
  }, 90_000);

  it('reports a corrupt store as a failed doctor check, then writers refuse it and readers still read', async () => {
    const home = await syncedHome();
    const store = path.join(home, 'mailmon.db');
    const size = fs.statSync(store).size;
    expect(size).toBeGreaterThan(64 * 1024);
    const fd = fs.openSync(store, 'r+');
    fs.writeSync(fd, Buffer.alloc(8192, 0xa5), 0, 8192, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);

    const doctor = await runCli(['doctor', '--json'], { home, env });
    expect(doctor.exitCode, doctor.stderr).toBe(1);
    const report = parseJson<DoctorJson>(doctor.stdout);
    const integrity = report.checks.find((check) => check.name === 'store integrity');
    expect(integrity).toMatchObject({ ok: false, detail: expect.stringMatching(/integrity_check failed|malformed|corrupt/) });
    expect(integrity?.fix).toContain('mailmon store backup');
    const human = await runCli(['doctor'], { home, env });
    expect(human.stdout).toMatch(/✗ store integrity/);
    expect(human.stderr).not.toMatch(/Unexpected error/);

    const before = sha(store);
    for (const args of [['sync'], ['verify']]) {
      const writer = await runCli([...args, '--json'], { home, env, timeoutMs: 60_000 });
      expect(writer.exitCode, `${args.join(' ')}: ${writer.stdout}${writer.stderr}`).toBe(4);
      expect(errorOf(writer.stdout)).toMatchObject({ code: 'store_corrupt', hint: expect.stringContaining('mailmon doctor') });
    }
    expect(sha(store)).toBe(before);
    // Reading is allowed (that is how users salvage what is left) but writes nothing: it works,
    // or SQLite meets the broken pages and says so; it is never an "Unexpected error".
    const reader = await runCli(['events', 'list', '--limit', '5', '--json'], { home, env });
    if (reader.exitCode !== 0) expect(errorOf(reader.stdout).code, reader.stdout + reader.stderr).toBe('store_corrupt');
    expect(sha(store)).toBe(before);
  }, 120_000);
});
