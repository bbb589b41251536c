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
  server = await startFixtureServer({ quota: false, seed: 13, mailboxes: [{ generate: { messages: 120, seed: 13 } }] });
});
afterAll(async () => server?.close());

interface DoctorJson {
  ok: boolean;
  checks: Array<{ name: string; ok: boolean; detail: string; fix?: string }>;
}

let template: string | undefined;

/** A copy of a home with one mailbox logged in to the fixture and fully synced (120 messages). */
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

describe('the daemon on a corrupt store', () => {
  it('stops with store_corrupt (exit 4) instead of crash-looping into it, and marks the store for the next writer', async () => {
    const home = await syncedHome();
    const store = path.join(home, 'mailmon.db');
    const db = new Database(store, { readonly: true });
    const { rootpage } = db.prepare(`select rootpage from sqlite_master where name = 'mailboxes'`).get() as { rootpage: number };
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    // The page every sync reads first: the daemon meets the damage on its first tick.
    const fd = fs.openSync(store, 'r+');
    fs.writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, (rootpage - 1) * pageSize);
    fs.closeSync(fd);
    const daemon = await runCli(['daemon', 'run'], { home, env: { ...env, MAILMON_POLL_INTERVAL: '1s' }, timeoutMs: 30_000 });
    expect(daemon.signal, daemon.stderr).toBeNull();
    expect(daemon.exitCode, daemon.stderr).toBe(4);
    expect(daemon.stderr).toMatch(/service failed for good; stopping the daemon/);
    expect(daemon.stderr).toMatch(/Error: The store .* is corrupt/);
    const again = await runCli(['daemon', 'run', '--json'], { home, env, timeoutMs: 30_000 });
    expect(again.exitCode, again.stdout + again.stderr).toBe(4);
    expect(errorOf(again.stdout)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('was reported corrupt by SQLite') });
  }, 90_000);
});

describe('a locked store', () => {
  const fast = { ...env, MAILMON_STORE_BUSY_TIMEOUT: '200ms' };

  it('a writer blocked past the busy timeout gets store_locked (exit 7) with what to do, not "Unexpected error"', async () => {
    const home = tempHome();
    expect((await runCli(['mailboxes'], { home })).exitCode).toBe(0);
    const holder = new Database(path.join(home, 'mailmon.db'));
    holder.exec('BEGIN EXCLUSIVE');
    holder.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('held', 1);
    try {
      const json = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/hook', '--skip-verification', '--json'], { home, env: fast });
      expect(json.exitCode, json.stdout + json.stderr).toBe(7);
      expect(errorOf(json.stdout)).toMatchObject({ code: 'store_locked', message: expect.stringContaining('is locked by another process'), hint: expect.stringContaining('store.busy-timeout') });
      const human = await runCli(['webhooks', 'add', 'http://127.0.0.1:9/hook', '--skip-verification'], { home, env: fast });
      expect(human.stderr).toMatch(/^Error: The store .* is locked by another process.*\n→ Another program holds a long write transaction/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 60_000);

  it('a reader blocked by an exclusive lock gets store_locked too', async () => {
    const home = tempHome();
    expect((await runCli(['mailboxes'], { home })).exitCode).toBe(0);
    const holder = new Database(path.join(home, 'mailmon.db'));
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    holder.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('held', 1);
    try {
      const result = await runCli(['mailboxes', '--json'], { home, env: fast });
      expect(result.exitCode, result.stdout + result.stderr).toBe(7);
      expect(errorOf(result.stdout).code).toBe('store_locked');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  }, 60_000);
});

describe('a home mailmon cannot write', () => {
  // root ignores permission bits: the CLI runs as nobody when the tests run as root.
  const asNobody = (parent: string) => (process.getuid?.() === 0 ? { uid: 65534, gid: 65534, env: { ...env, HOME: parent } } : { env });

  it('still answers read-only commands from the store; writers get a clear error', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-ro-'));
    const home = path.join(parent, 'home');
    fs.cpSync(await syncedHome(), home, { recursive: true });
    for (const dir of [parent, home]) fs.chmodSync(dir, 0o555);
    fs.chmodSync(path.join(home, 'mailmon.db'), 0o444);
    const before = sha(path.join(home, 'mailmon.db'));
    const mailboxes = await runCli(['mailboxes', '--json'], { home, ...asNobody(parent) });
    expect(mailboxes.exitCode, mailboxes.stdout + mailboxes.stderr).toBe(0);
    expect(parseJson(mailboxes.stdout)).toEqual([expect.objectContaining({ emailAddress: 'dev@mailmon.test', messageCount: 120 })]);
    const events = await runCli(['events', 'list', '--limit', '3', '--json'], { home, ...asNobody(parent) });
    expect(events.exitCode, events.stderr).toBe(0);
    const sync = await runCli(['sync', '--json'], { home, ...asNobody(parent) });
    expect(sync.exitCode).toBe(3);
    expect(errorOf(sync.stdout)).toMatchObject({ code: 'home_not_writable', message: expect.stringContaining('is not writable') });
    expect(sha(path.join(home, 'mailmon.db'))).toBe(before);
  }, 90_000);
});

describe('a MAILMON_HOME that cannot be created', () => {
  it('fails at once with the reason, instead of spinning in a mkdir loop', async () => {
    const started = Date.now();
    const result = await runCli(['mailboxes', '--json'], { home: '/proc/nonexistent/x', timeoutMs: 10_000 });
    expect(result.signal).toBeNull();
    expect(result.exitCode).toBe(3);
    expect(errorOf(result.stdout)).toMatchObject({ code: 'home_not_writable', message: 'Cannot create the MAILMON_HOME directory /proc/nonexistent/x (at /proc/nonexistent): the file system does not allow creating directories there (ENOENT).' });
    expect(Date.now() - started).toBeLessThan(8_000);
  }, 20_000);

  it('names a dangling symlink and a parent that is a file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-paths-'));
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'link'));
    const dangling = await runCli(['mailboxes'], { home: path.join(dir, 'link') });
    expect(dangling.exitCode).toBe(3);
    expect(dangling.stderr).toContain(`MAILMON_HOME path ${path.join(dir, 'link')} is a symbolic link to ${path.join(dir, 'gone')}, which does not exist.`);
    expect(dangling.stderr).toContain(`→ Create the target (mkdir -p ${path.join(dir, 'gone')})`);
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const underFile = await runCli(['mailboxes'], { home: path.join(dir, 'file', 'home') });
    expect(underFile.exitCode).toBe(3);
    expect(underFile.stderr).toContain(`Cannot create the MAILMON_HOME directory ${path.join(dir, 'file', 'home')}: ${path.join(dir, 'file')} is a file, not a directory.`);
    expect(underFile.stderr).not.toContain('exists but is not a directory');
  }, 20_000);
});

describe('mailmon store backup', () => {
  it('copies the store while another process writes; the copy restores a lost store', async () => {
    const home = await syncedHome();
    const store = path.join(home, 'mailmon.db');
    // A writer busy in another connection all along (as the daemon would be), with enough data for progress lines.
    const writer = new Database(store);
    writer.pragma('busy_timeout = 5000');
    writer.exec('create table ballast (n integer primary key, payload blob)');
    const fill = writer.prepare('insert into ballast (payload) values (randomblob(4000))');
    writer.transaction(() => {
      for (let i = 0; i < 4000; i += 1) fill.run();
    })();
    // A write every 20 ms: busy enough that SQLite restarts the online backup, slow enough that a loaded 2-core CI box still finishes it.
    const ticker = setInterval(() => fill.run(), 20);
    const backupFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-backup-')), 'copy.db');
    const child = startCli(['store', 'backup', backupFile], { home, env });
    const progress = waitForLine(child, 'stderr', (line) => /^Backing up… \d+% of \d+ pages$/.test(line), 60_000);
    const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    await progress;
    const code = await exit;
    clearInterval(ticker);
    writer.close();
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/^Backed up the store to .*copy\.db \(\d+(\.\d)? MB, \d+ ms\)\.\n$/);
    expect(fs.existsSync(`${backupFile}-wal`)).toBe(false);
    const copy = new Database(backupFile, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect((copy.prepare('select count(*) as n from ballast').get() as { n: number }).n).toBeGreaterThanOrEqual(4000);
    copy.close();
    expect((fs.statSync(backupFile).mode & 0o777).toString(8)).toBe('600');

    // Lose the store, then follow the documented recovery.
    fs.truncateSync(store, 0);
    expect((await runCli(['mailboxes'], { home, env })).exitCode).toBe(4);
    const aside = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-broken-'));
    for (const name of fs.readdirSync(home).filter((entry) => entry.startsWith('mailmon.db'))) fs.renameSync(path.join(home, name), path.join(aside, name));
    fs.copyFileSync(backupFile, store);
    const restored = await runCli(['mailboxes', '--json'], { home, env });
    expect(restored.exitCode, restored.stderr).toBe(0);
    expect(parseJson(restored.stdout)).toEqual([expect.objectContaining({ emailAddress: 'dev@mailmon.test', messageCount: 120 })]);
    expect((await runCli(['doctor', '--json'], { home, env })).exitCode).toBe(0);
  }, 120_000);

  it('refuses to overwrite a file without --force and reports JSON with --json', async () => {
    const home = tempHome();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-backup-')), 'b.db');
    fs.writeFileSync(file, 'keep me');
    const refused = await runCli(['store', 'backup', file, '--json'], { home });
    expect(refused.exitCode).toBe(2);
    expect(errorOf(refused.stdout)).toMatchObject({ code: 'usage', hint: expect.stringContaining('--force') });
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    const forced = await runCli(['store', 'backup', file, '--force', '--json'], { home });
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(parseJson(forced.stdout)).toMatchObject({ file, bytes: fs.statSync(file).size, integrity: 'ok' });
  }, 30_000);
});
