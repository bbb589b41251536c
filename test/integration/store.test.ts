import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appliedMigrations, openDatabase, shippedMigrations } from '../../src/adapters/sqlite/database.js';
import { hasCode } from '../../src/core/errors.js';
import { tempHome } from '../support/cli.js';

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  while (opened.length > 0) opened.pop()?.close();
});

function freshStorePath(): string {
  const home = tempHome();
  fs.mkdirSync(home, { recursive: true });
  return path.join(home, 'mailmon.db');
}

describe('the SQLite store', () => {
  it('applies every shipped migration once, with the pragmas PRODUCT §3 asks for', () => {
    const file = freshStorePath();
    const store = openDatabase(file);
    opened.push(store);
    expect(appliedMigrations(store.sqlite)).toHaveLength(shippedMigrations().length);
    expect(store.sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.sqlite.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    const tables = (store.sqlite.prepare(`select name from sqlite_master where type='table'`).all() as Array<{ name: string }>).map((row) => row.name);
    for (const table of ['mailboxes', 'credentials', 'labels', 'threads', 'messages', 'sync_runs', 'events', 'consumers', 'webhook_endpoints', 'subscriptions', 'deliveries']) {
      expect(tables).toContain(table);
    }
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe('600');
  });

  it('is idempotent: reopening applies nothing twice', () => {
    const file = freshStorePath();
    openDatabase(file).close();
    const again = openDatabase(file);
    opened.push(again);
    expect(appliedMigrations(again.sqlite)).toHaveLength(shippedMigrations().length);
  });

  it('refuses a store migrated by a newer mailmon and leaves it untouched', () => {
    const file = freshStorePath();
    const store = openDatabase(file);
    store.sqlite.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('future', Date.now() + 10 ** 12);
    store.close();
    const before = fs.readFileSync(file);
    let caught: unknown;
    try {
      opened.push(openDatabase(file));
    } catch (error) {
      caught = error;
    }
    expect(hasCode(caught, 'store_too_new')).toBe(true);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('names a file that is not SQLite instead of overwriting it', () => {
    const file = freshStorePath();
    fs.writeFileSync(file, 'this is not a database, it is a shopping list\n'.repeat(20));
    let caught: unknown;
    try {
      opened.push(openDatabase(file));
    } catch (error) {
      caught = error;
    }
    expect(hasCode(caught, 'store_not_sqlite')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toMatch(/^this is not a database/);
  });
});
