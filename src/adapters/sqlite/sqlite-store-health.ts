/** The StoreHealth port on one SQLite file; SQLite's errors come out translated (store_corrupt, store_locked…). */
import fs from 'node:fs';
import { hasCode } from '../../core/errors.js';
import type { StoreHealth } from '../../app/ports/store-health.js';
import { appliedMigrations, openDatabase, shippedMigrations, type SqliteStore } from './database.js';
import { clearCorruptionMark, markCorrupt, translateSqliteError } from './sqlite-errors.js';

export function sqliteStoreHealth(store: SqliteStore): StoreHealth {
  const translated = <T>(read: () => T): Promise<T> => {
    try {
      return Promise.resolve(read());
    } catch (error) {
      return Promise.reject(translateSqliteError(error, store.file));
    }
  };
  return {
    engine: () => translated(() => ({ name: 'sqlite' as const, version: (store.sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v })),
    integrityProblems: () => translated(() => integrityProblems(store)),
    migrations: () => translated(() => ({ applied: appliedMigrations(store.sqlite).length, shipped: shippedMigrations().length })),
    settingsChecks: () => translated(() => {
      const journal = store.sqlite.pragma('journal_mode', { simple: true }) as string;
      return [{ name: 'store journal', ok: journal === 'wal', detail: `journal_mode=${journal}`, fix: journal === 'wal' ? undefined : 'Close other programs using the store, then re-run any mailmon command.' }];
    }),
    markCorrupt: async (problem) => markCorrupt(store.file, problem),
    clearCorruptionMark: async () => clearCorruptionMark(store.file),
  };
}

/** integrity_check's findings; SQLite may also throw "malformed" before it can list them. */
function integrityProblems(store: SqliteStore): string[] {
  try {
    const rows = store.sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  } catch (error) {
    if (!hasCode(translateSqliteError(error, store.file), 'store_corrupt')) throw error;
    return [(error as Error).message];
  }
}

/**
 * Opens a store for doctor, which re-checks a store marked corrupt instead of refusing it. A
 * store too damaged to read its migrations is opened without them, so integrity_check can say
 * what is wrong. Errors come out translated.
 */
export function openStoreForDoctor(file: string): SqliteStore {
  try {
    try {
      return openDatabase(file, { ignoreCorruptionMark: true });
    } catch (error) {
      if (!hasCode(translateSqliteError(error, file), 'store_corrupt') || !fs.existsSync(file) || fs.statSync(file).size === 0) throw error;
      return openDatabase(file, { ignoreCorruptionMark: true, migrate: false });
    }
  } catch (error) {
    throw translateSqliteError(error, file);
  }
}
