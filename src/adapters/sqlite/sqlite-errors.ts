/**
 * The one translation of SQLite's errors into mailmon's, used wherever SQL runs: when the
 * store is opened and, through the error renderer, for any statement of any command. It
 * loads no driver, so rendering an error stays cheap. A corruption SQLite reports is also
 * remembered beside the store (`mailmon.db.corrupt`), so writers refuse the store from then
 * on without paying for an integrity check on every open; `mailmon doctor` re-checks and
 * clears the mark once the store is intact.
 */
import fs from 'node:fs';
import path from 'node:path';
import { MailmonError, isMailmonError } from '../../core/errors.js';
import { notWritable } from '../system/home.js';

const DEFAULT_STORE = 'MAILMON_HOME/mailmon.db';

export function recoveryHint(file: string): string {
  return `To recover ("Recovering the store" in docs/guarantees.md): stop the daemon, move ${path.basename(file)}* out of ${path.dirname(file)}, copy your latest backup (from "mailmon store backup FILE") to ${file}, or leave it absent to start afresh and log in again.`;
}

/** Maps a better-sqlite3 error (by its code) to a MailmonError; anything else is returned as it is. */
export function translateSqliteError(error: unknown, file: string = DEFAULT_STORE): unknown {
  if (isMailmonError(error)) return error;
  const code = (error as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  if (code === 'SQLITE_NOTADB') {
    return new MailmonError('store_not_sqlite', `The store ${file} is not a SQLite database.`, {
      hint: 'Move it aside (mailmon will create a fresh store) or set MAILMON_HOME to another directory.',
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_IOERR_SHORT_READ') {
    const detail = (error as Error).message;
    markCorrupt(file, detail);
    return new MailmonError('store_corrupt', `The store ${file} is corrupt (SQLite: ${detail}). mailmon will not write to it.`, {
      hint: `Run "mailmon doctor" to check it. ${recoveryHint(file)}`,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new MailmonError('store_locked', `The store ${file} is locked by another process, longer than mailmon waits (store.busy-timeout).`, {
      hint: 'Another program holds a long write transaction (a mailmon command, the daemon, or a sqlite3 shell): let it finish or close it, then retry. "mailmon daemon status" shows whether the daemon runs; "mailmon config set store.busy-timeout 30s" waits longer.',
      cause: error,
    });
  }
  if (code === 'SQLITE_FULL') {
    return new MailmonError('store_full', `The disk holding the store ${file} is full; the change was rolled back, nothing was half-written.`, {
      hint: `Free some space on that disk (df -h ${path.dirname(file)} shows it), then retry; "mailmon config set retention 7d" keeps fewer delivered events.`,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_NOLFS') {
    return new MailmonError('store_io_error', `Reading or writing the store ${file} failed (SQLite: ${(error as Error).message}, ${code}).`, {
      hint: `The disk or file system under ${path.dirname(file)} reported an error: check it (df -h, dmesg), then run "mailmon doctor".`,
      cause: error,
    });
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code === 'SQLITE_PERM' || code === 'SQLITE_AUTH') {
    const dir = path.dirname(file);
    const probe = writeProbe(dir);
    if (probe === 'EROFS') return notWritable(dir, 'MAILMON_HOME', 'EROFS');
    return new MailmonError('home_not_writable', `Cannot write to the store ${file}.`, {
      hint: `Check the permissions of MAILMON_HOME and the store file (they should belong to you, mode 700/600: chmod 700 ${dir}; chmod 600 ${file}).`,
      cause: error,
    });
  }
  return error;
}

function writeProbe(dir: string): string | undefined {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return undefined;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code;
  }
}

export interface CorruptionMark {
  detectedAt: string;
  detail: string;
  /** The store file's inode when the mark was made: a store replaced by another file is not this one. */
  inode: number;
}

export function corruptionMarkFile(file: string): string {
  return `${file}.corrupt`;
}

/** Best effort: a home that cannot be written keeps no mark (and cannot be written to anyway). */
export function markCorrupt(file: string, detail: string): void {
  try {
    const inode = fs.statSync(file).ino;
    const mark: CorruptionMark = { detectedAt: new Date().toISOString(), detail, inode };
    fs.writeFileSync(corruptionMarkFile(file), `${JSON.stringify(mark)}\n`, { mode: 0o600 });
  } catch {
    // Nothing more to do: the error itself still reaches the user.
  }
}

export function clearCorruptionMark(file: string): void {
  fs.rmSync(corruptionMarkFile(file), { force: true });
}

/** The mark of the store at `file`, if SQLite reported this very file corrupt. */
export function corruptionMark(file: string): CorruptionMark | undefined {
  let mark: CorruptionMark;
  try {
    mark = JSON.parse(fs.readFileSync(corruptionMarkFile(file), 'utf8')) as CorruptionMark;
  } catch {
    return undefined;
  }
  try {
    return fs.statSync(file).ino === mark.inode ? mark : undefined;
  } catch {
    return undefined;
  }
}

export function markedCorrupt(file: string, mark: CorruptionMark): MailmonError {
  return new MailmonError('store_corrupt', `The store ${file} was reported corrupt by SQLite (${mark.detectedAt}: ${mark.detail}); mailmon will not write to it.`, {
    hint: `Commands that only read still work. Run "mailmon doctor" to check it again (it clears this once the store is intact). ${recoveryHint(file)}`,
  });
}
