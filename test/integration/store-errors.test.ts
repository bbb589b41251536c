/**
 * The store adapter under failure, below the CLI: racing creators of a fresh store, SQLite's
 * own errors (full, locked, read-only, corrupt) from ordinary statements turned into
 * mailmon's errors by the one renderer, and the read-only-file-system wording.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/adapters/sqlite/database.js';
import { notWritable } from '../../src/adapters/system/home.js';
import { describeError } from '../../src/cli/render-error.js';
import { ExitCode } from '../../src/core/errors.js';
import { ROOT, tempHome } from '../support/cli.js';

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  while (opened.length > 0) opened.pop()?.close();
});

function freshStorePath(): string {
  const home = tempHome();
  fs.mkdirSync(home, { recursive: true });
  return path.join(home, 'mailmon.db');
}

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('creating a fresh store', () => {
  it('never shows a racing opener an empty store: 6 processes × 15 fresh homes, every open succeeds', async () => {
    const homes = Array.from({ length: 15 }, () => freshStorePath());
    const script = `
      const { openDatabase } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/adapters/sqlite/database.js'))});
      const failures = [];
      for (const file of JSON.parse(process.argv[1])) {
        try { openDatabase(file).close(); } catch (error) { failures.push(String(error.code) + ': ' + error.message); }
      }
      process.stdout.write(JSON.stringify(failures));`;
    const runs = await Promise.all(Array.from({ length: 6 }, () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(homes)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.on('error', reject);
      child.on('close', () => resolve(out));
    })));
    for (const out of runs) expect(JSON.parse(out)).toEqual([]);
    for (const file of homes) {
      expect(fs.readdirSync(path.dirname(file)).filter((name) => name.endsWith('.new'))).toEqual([]);
      const db = new Database(file, { readonly: true });
      expect((db.prepare('select count(*) as n from __drizzle_migrations').get() as { n: number }).n).toBeGreaterThan(0);
      db.close();
    }
  }, 60_000);
});

describe("SQLite's errors from any statement, through the one renderer", () => {
  it('a full disk (SQLITE_FULL) is store_full, exit 4, with a hint to free space', () => {
    const file = freshStorePath();
    const store = openDatabase(file);
    opened.push(store);
    store.sqlite.exec('create table ballast (payload blob)');
    const pages = store.sqlite.pragma('page_count', { simple: true }) as number;
    // The portable way to make SQLite meet a full disk: cap the file at its current size.
    store.sqlite.pragma(`max_page_count = ${pages}`);
    const error = thrownBy(() => store.sqlite.prepare('insert into ballast values (randomblob(100000))').run());
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    const rendered = describeError(error, 'sync', file);
    expect(rendered).toMatchObject({ code: 'store_full', exitCode: ExitCode.store, message: expect.stringContaining(`The disk holding the store ${file} is full`) });
    expect(rendered.hint).toContain(`df -h ${path.dirname(file)}`);
  });

  it('a lock held past the busy timeout, met by an ordinary statement, is store_locked (exit 7)', () => {
    const file = freshStorePath();
    const store = openDatabase(file, { busyTimeoutMs: 50 });
    opened.push(store);
    const holder = new Database(file);
    opened.push(holder);
    holder.exec('BEGIN EXCLUSIVE');
    const error = thrownBy(() => store.sqlite.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('x', 1));
    holder.exec('ROLLBACK');
    expect(describeError(error, 'sync', file)).toMatchObject({ code: 'store_locked', exitCode: ExitCode.busy, hint: expect.stringContaining('store.busy-timeout') });
  });

  it('a store that became read-only under a running command is home_not_writable, not "Unexpected error"', () => {
    const file = freshStorePath();
    openDatabase(file).close();
    const store = new Database(file, { readonly: true });
    opened.push(store);
    const error = thrownBy(() => store.exec('create table t (x)'));
    expect(describeError(error, 'sync', file)).toMatchObject({ code: 'home_not_writable', exitCode: ExitCode.config });
  });

  it('corruption met by a statement is store_corrupt and marks the store, so the next writer refuses it', () => {
    const file = freshStorePath();
    openDatabase(file).close();
    const reader = openDatabase(file, { access: 'read' });
    opened.push(reader);
    const sqliteError = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    expect(describeError(sqliteError, 'events:list', file)).toMatchObject({ code: 'store_corrupt', exitCode: ExitCode.store });
    expect(fs.existsSync(`${file}.corrupt`)).toBe(true);
    expect(describeError(thrownBy(() => openDatabase(file)), 'sync', file)).toMatchObject({ code: 'store_corrupt', message: expect.stringContaining('mailmon will not write to it') });
    // Readers still open it (read-only) to salvage what they can.
    opened.push(openDatabase(file, { access: 'read' }));
  });

  it('an I/O error is store_io_error (exit 4) and names the disk, and a SQL bug stays an internal error', () => {
    // SQLite raises these from the OS (EIO, EFBIG…); the translation is by code alone.
    const io = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    expect(describeError(io, 'sync', '/data/home/mailmon.db')).toMatchObject({ code: 'store_io_error', exitCode: ExitCode.store, hint: expect.stringContaining('/data/home') });
    const bug = Object.assign(new Error('no such column: x'), { code: 'SQLITE_ERROR' });
    expect(describeError(bug, 'sync', '/data/home/mailmon.db')).toMatchObject({ code: 'internal' });
  });
});

describe('a home on a read-only file system', () => {
  it('is explained without suggesting chmod', () => {
    const error = notWritable('/mnt/ro/home', 'MAILMON_HOME', 'EROFS');
    expect(error.message).toBe('MAILMON_HOME directory /mnt/ro/home is on a read-only file system.');
    expect(error.hint).not.toMatch(/chmod/);
    expect(notWritable('/home/me/x', 'MAILMON_HOME', 'EACCES').hint).toMatch(/chmod 700/);
  });
});

