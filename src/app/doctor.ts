/**
 * `mailmon doctor`: checks a home and says exactly how to fix what is wrong. Each check is
 * independent, so one broken part (say, a store that is not SQLite) does not hide the others.
 * Later features add their checks to DOCTOR_CHECKS.
 */
import fs from 'node:fs';
import path from 'node:path';
import { hasCode, isMailmonError } from '../core/errors.js';
import type { HomeLayout } from '../adapters/system/home.js';
import { appliedMigrations, openDatabase, shippedMigrations, type SqliteStore } from '../adapters/sqlite/database.js';
import { clearCorruptionMark, markCorrupt, recoveryHint, translateSqliteError } from '../adapters/sqlite/sqlite-errors.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  home: string;
  versions: { mailmon: string; node: string; sqlite?: string; platform: string };
  migrations: { applied: number; shipped: number };
  checks: DoctorCheck[];
}

export interface DoctorDeps {
  home: HomeLayout;
  version: string;
  /** Extra checks contributed by other features; each gets the open store. */
  extraChecks?: Array<(store: SqliteStore, home: HomeLayout) => DoctorCheck[] | Promise<DoctorCheck[]>>;
}

export async function runDoctor(deps: DoctorDeps): Promise<DoctorReport> {
  const { home } = deps;
  const checks: DoctorCheck[] = [];
  const versions: DoctorReport['versions'] = { mailmon: deps.version, node: process.versions.node, platform: `${process.platform}-${process.arch}` };
  const migrations = { applied: 0, shipped: shippedMigrations().length };

  checks.push(checkPermissions(home.root));

  let store: SqliteStore | undefined;
  try {
    // Doctor re-checks a store marked corrupt instead of refusing it: it sets or clears the mark below.
    store = openStoreForDoctor(home.store);
    checks.push({ name: 'store opens', ok: true, detail: home.store });
  } catch (error) {
    const corrupt = hasCode(error, 'store_corrupt');
    const check = failedCheck(corrupt ? 'store integrity' : 'store opens', error, home.store);
    checks.push(corrupt ? { ...check, fix: corruptFix(home.store) } : check);
  }
  if (store) {
    try {
      versions.sqlite = (store.sqlite.prepare('select sqlite_version() as v').get() as { v: string }).v;
      const integrity = integrityCheck(store);
      checks.push(integrity);
      // The other checks write (doctor recovers stuck syncs): never into a corrupt store.
      if (integrity.ok) {
        clearCorruptionMark(home.store);
        await storeChecks(store, home, deps, checks, migrations);
      }
    } catch (error) {
      checks.push(failedCheck('store', error, home.store));
    } finally {
      store.close();
    }
  }
  return { ok: checks.every((check) => check.ok), home: home.root, versions, migrations, checks };
}

/** Every directory under the home must be 0700 and every file 0600 (no group/other bits). */
function checkPermissions(root: string): DoctorCheck {
  const loose: string[] = [];
  const walk = (target: string) => {
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(target);
    } catch {
      return;
    }
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) loose.push(`${path.relative(root, target) || '.'} (${(stat.mode & 0o777).toString(8)})`);
    if (stat.isDirectory()) for (const entry of fs.readdirSync(target)) walk(path.join(target, entry));
  };
  walk(root);
  if (loose.length === 0) return { name: 'file permissions', ok: true, detail: 'directories 700, files 600' };
  return {
    name: 'file permissions',
    ok: false,
    detail: `readable by others: ${loose.slice(0, 5).join(', ')}${loose.length > 5 ? ` and ${loose.length - 5} more` : ''}`,
    fix: `chmod -R go-rwx ${root}`,
  };
}

/** A store too damaged to read its migrations is opened without them, so integrity_check can say what is wrong. */
function openStoreForDoctor(file: string): SqliteStore {
  try {
    return openDatabase(file, { ignoreCorruptionMark: true });
  } catch (error) {
    if (!hasCode(error, 'store_corrupt') || !fs.existsSync(file) || fs.statSync(file).size === 0) throw error;
    return openDatabase(file, { ignoreCorruptionMark: true, migrate: false });
  }
}

function corruptFix(file: string): string {
  return `mailmon will not write to this store until doctor finds it intact. ${recoveryHint(file)}`;
}

/** A full integrity_check: SQLite may also throw "malformed" before it can list the problems. */
function integrityCheck(store: SqliteStore): DoctorCheck {
  let problems: string[];
  try {
    const rows = store.sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>;
    problems = rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
  } catch (error) {
    const translated = translateSqliteError(error, store.file);
    if (!hasCode(translated, 'store_corrupt')) throw translated;
    problems = [(error as Error).message];
  }
  if (problems.length === 0) return { name: 'store integrity', ok: true, detail: 'integrity_check: ok' };
  markCorrupt(store.file, problems[0]);
  return {
    name: 'store integrity',
    ok: false,
    detail: `integrity_check failed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
    fix: corruptFix(store.file),
  };
}

async function storeChecks(store: SqliteStore, home: HomeLayout, deps: DoctorDeps, checks: DoctorCheck[], migrations: DoctorReport['migrations']): Promise<void> {
  const journal = store.sqlite.pragma('journal_mode', { simple: true }) as string;
  checks.push({ name: 'store journal', ok: journal === 'wal', detail: `journal_mode=${journal}`, fix: journal === 'wal' ? undefined : 'Close other programs using the store, then re-run any mailmon command.' });
  migrations.applied = appliedMigrations(store.sqlite).length;
  checks.push({
    name: 'migrations',
    ok: migrations.applied === migrations.shipped,
    detail: `${migrations.applied} of ${migrations.shipped} applied`,
    fix: migrations.applied === migrations.shipped ? undefined : 'Re-run any mailmon command to apply them.',
  });
  for (const extra of deps.extraChecks ?? []) checks.push(...(await extra(store, home)));
}

/** A check that threw: its message and hint, SQLite's errors translated like everywhere else. */
function failedCheck(name: string, error: unknown, file: string): DoctorCheck {
  const translated = translateSqliteError(error, file);
  if (isMailmonError(translated)) return { name, ok: false, detail: translated.message, fix: translated.hint };
  return { name, ok: false, detail: translated instanceof Error ? translated.message : String(translated) };
}
