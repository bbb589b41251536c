/**
 * Opens the one SQLite file of a home: checks it really is SQLite, sets the pragmas
 * (WAL, synchronous=NORMAL, foreign_keys, busy_timeout) and applies the shipped drizzle-kit
 * migrations under BEGIN IMMEDIATE. A store migrated by a newer mailmon is refused, never
 * touched. A store is only ever created where none exists, complete, under a temp name and
 * linked into place (createStore): an empty, truncated or WAL-orphaned store file is lost
 * data and refused (store_corrupt), never replaced. A store SQLite reported corrupt is
 * refused to writers and opened read-only for readers. A home that cannot be written gets
 * a read-only store, without migrations.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { MailmonError } from '../../core/errors.js';
import { migrationsFolder } from '../system/package-info.js';
import { corruptionMark, markedCorrupt, recoveryHint, translateSqliteError } from './sqlite-errors.js';

export { translateSqliteError } from './sqlite-errors.js';

export interface SqliteStore {
  readonly file: string;
  readonly sqlite: Database.Database;
  close(): void;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

/**
 * better-sqlite3 finds its addon through the `bindings` package, which probes a dozen paths
 * from a stack trace on the first open (~6 ms of CPU, far more wall time on a loaded machine):
 * the addon of an ordinary install is named directly. Another layout (a debug build) leaves
 * the choice to `bindings`, as before.
 */
const driverOptions: Pick<Database.Options, 'nativeBinding'> = (() => {
  try {
    return { nativeBinding: createRequire(import.meta.url).resolve('better-sqlite3/build/Release/better_sqlite3.node') };
  } catch {
    return {};
  }
})();
const MIGRATIONS_TABLE = '__drizzle_migrations';

export interface OpenOptions {
  migrate?: boolean;
  busyTimeoutMs?: number;
  /** Open without writing anything (for a home that cannot be written): no migration, no pragma changes. */
  readOnly?: boolean;
  /** 'read': a store SQLite reported corrupt is still opened, read-only. 'write' (default): refused. */
  access?: 'read' | 'write';
  /** For doctor, which re-checks the store and clears or sets the mark itself. */
  ignoreCorruptionMark?: boolean;
}

export function openDatabase(file: string, options: OpenOptions = {}): SqliteStore {
  if (options.readOnly) return openReadOnly(file, options);
  if (!storeExists(file)) createStore(file, options);
  assertSqliteFile(file);
  const mark = options.ignoreCorruptionMark ? undefined : corruptionMark(file);
  if (mark) {
    if (options.access === 'read') return openReadOnly(file, options);
    throw markedCorrupt(file, mark);
  }
  let sqlite: Database.Database;
  try {
    // fileMustExist: the store is only ever created by createStore, under another name.
    sqlite = new Database(file, { ...driverOptions, fileMustExist: true });
  } catch (error) {
    throw translateSqliteError(error, file);
  }
  try {
    configure(sqlite, options);
    fs.chmodSync(file, 0o600);
    if (options.migrate !== false) applyMigrations(sqlite, file);
  } catch (error) {
    sqlite.close();
    throw translateSqliteError(error, file);
  }
  return { file, sqlite, close: () => sqlite.close() };
}

function configure(sqlite: Database.Database, options: OpenOptions): void {
  sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
}

/**
 * A home without a store gets one; a store that exists is never replaced. The new store is
 * built under a temp name (schema applied, closed so its WAL is folded in) and hard-linked
 * into place, which fails if the name exists: concurrent openers of a fresh home race on
 * the link, one wins, the others use its store. So mailmon.db is never seen empty, and an
 * empty mailmon.db can only mean lost data.
 */
function createStore(file: string, options: OpenOptions): void {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  try {
    const sqlite = new Database(temp, driverOptions);
    try {
      configure(sqlite, options);
      applyMigrations(sqlite, temp);
    } finally {
      sqlite.close();
    }
    try {
      fs.linkSync(temp, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return; // another process created it first: use theirs
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS' && code !== 'EXDEV') throw error;
      // No hard links on this file system: an exclusive copy still never replaces a store
      // (a concurrent opener may briefly see it short, and is told so, rather than losing data).
      try {
        fs.copyFileSync(temp, file, fs.constants.COPYFILE_EXCL);
      } catch (copyError) {
        if ((copyError as NodeJS.ErrnoException).code !== 'EEXIST') throw copyError;
      }
    }
  } catch (error) {
    throw translateSqliteError(error, file);
  } finally {
    for (const leftover of [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`]) fs.rmSync(leftover, { force: true });
  }
}

/** Whether the store file exists; a write-ahead log without its store is refused, not replayed into a new one. */
function storeExists(file: string): boolean {
  if (fs.existsSync(file)) return true;
  // The store appears before its WAL, so a WAL without a store (checked again) means the store was removed.
  if (fileSize(`${file}-wal`) === 0 || fs.existsSync(file)) return fs.existsSync(file);
  throw new MailmonError('store_corrupt', `The store ${file} is missing but its write-ahead log ${file}-wal is still there.`, {
    hint: `Restore the store from a backup (see "mailmon store backup --help"). If you deleted it on purpose, delete ${file}-wal and ${file}-shm too to start fresh.`,
  });
}

/**
 * For a home that cannot be written: SQLite reads a WAL store read-only when its -shm exists;
 * otherwise (a cleanly closed store in a read-only directory) the file is read into memory.
 */
function openReadOnly(file: string, options: OpenOptions): SqliteStore {
  if (!fs.existsSync(file)) {
    throw new MailmonError('home_not_writable', `There is no store at ${file}, and its directory cannot be written to create one.`, {
      hint: 'Set MAILMON_HOME to a writable directory (or to the home that holds your store).',
    });
  }
  assertSqliteFile(file);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file, { ...driverOptions, readonly: true, fileMustExist: true });
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqlite.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    const code = String((error as { code?: string }).code);
    if (!code.startsWith('SQLITE_CANTOPEN') && !code.startsWith('SQLITE_READONLY')) throw translateSqliteError(error, file);
    // The image is the main file only: with a non-empty WAL beside it, it may be stale or torn.
    if (fileSize(`${file}-wal`) > 0) {
      throw new MailmonError('home_not_writable', `Cannot read the store ${file}: its write-ahead log needs a writable directory.`, {
        hint: `Copy the home somewhere writable (cp -r ${path.dirname(file)} /tmp/mailmon-copy) and set MAILMON_HOME to the copy.`,
        cause: error,
      });
    }
    const image = fs.readFileSync(file);
    // Bytes 18-19 say "WAL"; an in-memory image must use the rollback format.
    image[18] = 1;
    image[19] = 1;
    sqlite = new Database(image, { ...driverOptions, readonly: true });
  }
  try {
    sqlite.pragma('foreign_keys = ON');
    const applied = appliedMigrations(sqlite).length;
    if (applied < shippedMigrations().length) {
      throw new MailmonError('home_not_writable', `The store ${file} needs an upgrade to this mailmon's schema, and its home cannot be written.`, {
        hint: 'Run mailmon once with a writable MAILMON_HOME to upgrade the store, or use the mailmon version that wrote it.',
      });
    }
  } catch (error) {
    sqlite.close();
    throw translateSqliteError(error, file);
  }
  return { file, sqlite, close: () => sqlite.close() };
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

function assertSqliteFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw notSqlite(file);
    if (code === 'EACCES' || code === 'EPERM') {
      throw new MailmonError('home_not_writable', `Cannot read the store ${file}: permission denied.`, {
        hint: `It should belong to you with mode 600 (chmod 600 ${file}), or set MAILMON_HOME to your own home.`,
        cause: error,
      });
    }
    throw error;
  }
  try {
    const header = Buffer.alloc(100);
    const read = fs.readSync(fd, header, 0, 100, 0);
    const text = header.subarray(0, Math.min(read, 16)).toString('latin1');
    if (read === 0) throw emptyStore(file);
    if (!SQLITE_HEADER.startsWith(text)) throw notSqlite(file);
    if (read < 100) throw truncatedStore(file, read);
  } finally {
    fs.closeSync(fd);
  }
}

function emptyStore(file: string): MailmonError {
  return new MailmonError('store_corrupt', `The store ${file} is empty (0 bytes): its data is gone.`, { hint: `mailmon will not replace it. ${recoveryHint(file)}` });
}

function truncatedStore(file: string, bytes: number): MailmonError {
  return new MailmonError('store_corrupt', `The store ${file} is truncated (${bytes} bytes, shorter than a SQLite header).`, { hint: `mailmon will not replace it. ${recoveryHint(file)}` });
}

function notSqlite(file: string): MailmonError {
  return new MailmonError('store_not_sqlite', `The store ${file} is not a SQLite database.`, {
    hint: 'Move it aside (mailmon will create a fresh store) or set MAILMON_HOME to another directory.',
  });
}

export interface AppliedMigration {
  hash: string;
  createdAt: number;
}

export function appliedMigrations(sqlite: Database.Database): AppliedMigration[] {
  const exists = sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(MIGRATIONS_TABLE);
  if (!exists) return [];
  return (sqlite.prepare(`select hash, created_at as createdAt from ${MIGRATIONS_TABLE} order by created_at`).all() as AppliedMigration[])
    .map((row) => ({ hash: row.hash, createdAt: Number(row.createdAt) }));
}

export function shippedMigrations(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: migrationsFolder() });
}

/**
 * The newest shipped migration's timestamp, from the journal alone: every open compares it with
 * the store's newest, and only a store that is behind reads (and hashes) the migration files.
 */
function latestShippedMillis(): number {
  const journal = JSON.parse(fs.readFileSync(path.join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> };
  return journal.entries.reduce((latest, entry) => Math.max(latest, entry.when), 0);
}

/** created_at of the newest applied migration; 0 for a store without any. */
function latestAppliedMillis(sqlite: Database.Database): number {
  const exists = sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = ?`).get(MIGRATIONS_TABLE);
  if (!exists) return 0;
  const row = sqlite.prepare(`select max(created_at) as newest from ${MIGRATIONS_TABLE}`).get() as { newest: number | bigint | null };
  return Number(row.newest ?? 0);
}

function applyMigrations(sqlite: Database.Database, file: string): void {
  // Fast path: the store is current, so nothing is read beyond the journal and no write lock is taken.
  if (latestAppliedMillis(sqlite) === latestShippedMillis()) return;
  const shipped = shippedMigrations();
  const latestShipped = shipped.at(-1)?.folderMillis ?? 0;
  const check = (applied: AppliedMigration[]) => {
    const newest = applied.at(-1)?.createdAt ?? 0;
    if (newest > latestShipped) {
      throw new MailmonError('store_too_new', `The store ${file} was migrated by a newer mailmon.`, {
        hint: 'Upgrade mailmon (npm install -g mailmon@latest), or use another MAILMON_HOME. The store was not changed.',
      });
    }
    return newest;
  };
  // Fast path: nothing to do, no write lock taken.
  if (check(appliedMigrations(sqlite)) >= latestShipped) return;
  const migrate = sqlite.transaction(() => {
    sqlite.exec(`create table if not exists ${MIGRATIONS_TABLE} (id integer primary key autoincrement, hash text not null, created_at numeric)`);
    const newest = check(appliedMigrations(sqlite));
    const insert = sqlite.prepare(`insert into ${MIGRATIONS_TABLE} (hash, created_at) values (?, ?)`);
    for (const migration of shipped) {
      if (migration.folderMillis <= newest) continue;
      for (const statement of migration.sql) {
        if (statement.trim() !== '') sqlite.exec(statement);
      }
      insert.run(migration.hash, migration.folderMillis);
    }
  });
  migrate.immediate();
}
