/**
 * Opens the one SQLite file of a home: checks it really is SQLite, sets the pragmas
 * (WAL, synchronous=NORMAL, foreign_keys, busy_timeout) and applies the shipped drizzle-kit
 * migrations under BEGIN IMMEDIATE, so several processes opening a fresh home at once apply
 * the schema exactly once. A store migrated by a newer mailmon is refused, never touched.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { MailmonError } from '../../core/errors.js';
import { migrationsFolder } from '../system/package-info.js';

export interface SqliteStore {
  readonly file: string;
  readonly sqlite: Database.Database;
  close(): void;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';
const MIGRATIONS_TABLE = '__drizzle_migrations';

export function openDatabase(file: string, options: { migrate?: boolean; busyTimeoutMs?: number } = {}): SqliteStore {
  assertSqliteFile(file);
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
  } catch (error) {
    throw translateSqliteError(error, file);
  }
  try {
    sqlite.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    fs.chmodSync(file, 0o600);
    if (options.migrate !== false) applyMigrations(sqlite, file);
  } catch (error) {
    sqlite.close();
    throw translateSqliteError(error, file);
  }
  return { file, sqlite, close: () => sqlite.close() };
}

function assertSqliteFile(file: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw notSqlite(file);
    throw error;
  }
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    if (read === 0) return;
    if (read < 16 || header.toString('latin1') !== SQLITE_HEADER) throw notSqlite(file);
  } finally {
    fs.closeSync(fd);
  }
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

function applyMigrations(sqlite: Database.Database, file: string): void {
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

/** Maps better-sqlite3's errors to mailmon's: not a database, corrupt, locked. */
export function translateSqliteError(error: unknown, file: string): unknown {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_NOTADB') return notSqlite(file);
  if (code === 'SQLITE_CORRUPT') {
    return new MailmonError('store_corrupt', `The store ${file} is corrupt.`, {
      hint: 'Run "mailmon doctor" for details; restore a backup or move the file aside to start fresh.',
      cause: error,
    });
  }
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new MailmonError('store_locked', `The store ${file} is locked by another process.`, {
      hint: 'Another mailmon is writing; try again in a moment. "mailmon daemon status" shows whether the daemon runs.',
      cause: error,
    });
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new MailmonError('home_not_writable', `Cannot open the store ${file} for writing.`, {
      hint: 'Check the permissions of MAILMON_HOME and the store file (they should belong to you, mode 700/600).',
      cause: error,
    });
  }
  return error;
}
