/**
 * `mailmon store backup FILE`: a consistent copy of the store through SQLite's online backup
 * API, safe while the daemon and other commands write (WAL: the copy reads a snapshot and
 * blocks nobody). The copy is written under a temp name, checked with integrity_check, turned
 * into one self-contained file (rollback journal, no -wal beside it) and only then renamed
 * to FILE, so FILE is never a half-written backup.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MailmonError } from '../../core/errors.js';
import type { SqliteStore } from './database.js';
import { translateSqliteError } from './sqlite-errors.js';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export interface StoreBackupResult {
  file: string;
  bytes: number;
  pages: number;
  durationMs: number;
  /** 'ok', or what integrity_check found: the store's own corruption, copied as it is. */
  integrity: string;
}

/** Pages per step: small enough to report progress, large enough that a busy writer rarely restarts the copy. */
const STEPS = 50;

export async function backupStore(store: SqliteStore, destination: string, options: { force?: boolean; onProgress?: (progress: BackupProgress) => void; now?: () => number } = {}): Promise<StoreBackupResult> {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const file = path.resolve(destination);
  checkDestination(store.file, file, options.force === true);
  const temp = `${file}.${process.pid}.tmp`;
  let lastRemaining = Number.POSITIVE_INFINITY;
  let restarted = false;
  try {
    const done = await store.sqlite.backup(temp, {
      progress: ({ totalPages, remainingPages }) => {
        // Another process wrote meanwhile and SQLite started over: finish in one step (one read snapshot).
        if (remainingPages > lastRemaining) restarted = true;
        lastRemaining = remainingPages;
        options.onProgress?.({ totalPages, remainingPages });
        return restarted ? totalPages : Math.max(100, Math.ceil(totalPages / STEPS));
      },
    });
    const integrity = finishCopy(temp);
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, file);
    options.onProgress?.({ totalPages: done.totalPages, remainingPages: 0 });
    return { file, bytes: fs.statSync(file).size, pages: done.totalPages, durationMs: now() - startedAt, integrity };
  } catch (error) {
    throw translateSqliteError(error, store.file);
  } finally {
    for (const leftover of [temp, `${temp}-wal`, `${temp}-shm`, `${temp}-journal`]) fs.rmSync(leftover, { force: true });
  }
}

function checkDestination(storeFile: string, file: string, force: boolean): void {
  if ([storeFile, `${storeFile}-wal`, `${storeFile}-shm`].includes(file)) {
    throw new MailmonError('usage', `${file} is the store itself.`, { hint: 'Give a path outside MAILMON_HOME, e.g. ~/mailmon-backup.db.' });
  }
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(path.dirname(file));
  } catch {
    // Reported below.
  }
  if (!stat?.isDirectory()) {
    throw new MailmonError('usage', `Cannot write the backup: the directory ${path.dirname(file)} does not exist.`, { hint: `Create it first (mkdir -p ${path.dirname(file)}) or choose another path.` });
  }
  if (fs.existsSync(file) && !force) {
    throw new MailmonError('usage', `${file} already exists.`, { hint: 'Choose a new file name, or pass --force to replace it.' });
  }
}

/** Checks the copy and makes it one file: the backup API copies the WAL flag of the source. */
function finishCopy(temp: string): string {
  const copy = new Database(temp);
  try {
    copy.pragma('journal_mode = DELETE');
    const rows = copy.pragma('integrity_check') as Array<{ integrity_check: string }>;
    const problems = rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    return problems.length === 0 ? 'ok' : problems.slice(0, 3).join('; ');
  } catch (error) {
    return (error as Error).message;
  } finally {
    copy.close();
  }
}
