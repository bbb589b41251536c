/**
 * `mailmon doctor`: checks a home and says exactly how to fix what is wrong. Each check is
 * independent, so one broken part (say, a store that is not SQLite) does not hide the others.
 * Later features add their checks to the extra checks; each gets the open store.
 */
import { hasCode, isMailmonError } from '../core/errors.js';
import type { HealthCheck, StoreHealth } from './ports/store-health.js';

export type DoctorCheck = HealthCheck;

export interface DoctorReport {
  ok: boolean;
  home: string;
  versions: { mailmon: string; node: string; sqlite?: string; postgresql?: string; platform: string };
  migrations: { applied: number; shipped: number };
  checks: DoctorCheck[];
}

/** A store opened for doctor: its health, and the handle the extra checks receive. */
export interface DoctorStore<Handle> {
  health: StoreHealth;
  handle: Handle;
  close(): Promise<void>;
}

export interface DoctorDeps<Handle = unknown> {
  version: string;
  runtime: { node: string; platform: string };
  home: {
    /** As shown to the user. */
    name: string;
    /** Paths in the home that group or others may access, as `relative (mode)`. */
    loosePermissions(): Promise<string[]>;
  };
  store: {
    /** As shown to the user. */
    name: string;
    /** How many migrations this version ships (reported even when the store does not open). */
    shippedMigrations: number;
    /** How to recover a corrupt store. */
    recoveryHint: string;
    /** Re-checks a store marked corrupt instead of refusing it (doctor sets or clears the mark). */
    open(): Promise<DoctorStore<Handle>>;
  };
  /** Extra checks contributed by other features; each gets the open store. */
  extraChecks?: Array<(store: Handle) => DoctorCheck[] | Promise<DoctorCheck[]>>;
}

export async function runDoctor<Handle>(deps: DoctorDeps<Handle>): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [permissionsCheck(deps.home.name, await deps.home.loosePermissions())];
  const versions: DoctorReport['versions'] = { mailmon: deps.version, node: deps.runtime.node, platform: deps.runtime.platform };
  const migrations = { applied: 0, shipped: deps.store.shippedMigrations };
  let store: DoctorStore<Handle> | undefined;
  try {
    store = await deps.store.open();
    checks.push({ name: 'store opens', ok: true, detail: deps.store.name });
  } catch (error) {
    const corrupt = hasCode(error, 'store_corrupt');
    const check = failedCheck(corrupt ? 'store integrity' : 'store opens', error);
    checks.push(corrupt ? { ...check, fix: corruptFix(deps) } : check);
  }
  if (store) {
    try {
      await checkOpenStore(store, deps, { checks, versions, migrations });
    } catch (error) {
      checks.push(failedCheck('store', error));
    } finally {
      await store.close();
    }
  }
  return { ok: checks.every((check) => check.ok), home: deps.home.name, versions, migrations, checks };
}

type Findings = Pick<DoctorReport, 'checks' | 'versions' | 'migrations'>;

async function checkOpenStore<Handle>(store: DoctorStore<Handle>, deps: DoctorDeps<Handle>, findings: Findings): Promise<void> {
  const engine = await store.health.engine();
  findings.versions[engine.name] = engine.version;
  const integrity = await integrityCheck(store.health, deps);
  findings.checks.push(integrity);
  // The other checks write (doctor recovers stuck syncs): never into a corrupt store.
  if (!integrity.ok) return;
  await store.health.clearCorruptionMark();
  findings.checks.push(...(await store.health.settingsChecks()));
  Object.assign(findings.migrations, await store.health.migrations());
  findings.checks.push(migrationsCheck(findings.migrations));
  for (const extra of deps.extraChecks ?? []) findings.checks.push(...(await extra(store.handle)));
}

/** Every directory under the home must be 0700 and every file 0600 (no group/other bits). */
function permissionsCheck(home: string, loose: string[]): DoctorCheck {
  if (loose.length === 0) return { name: 'file permissions', ok: true, detail: 'directories 700, files 600' };
  return {
    name: 'file permissions',
    ok: false,
    detail: `readable by others: ${loose.slice(0, 5).join(', ')}${loose.length > 5 ? ` and ${loose.length - 5} more` : ''}`,
    fix: `chmod -R go-rwx ${home}`,
  };
}

function corruptFix(deps: Pick<DoctorDeps, 'store'>): string {
  return `mailmon will not write to this store until doctor finds it intact. ${deps.store.recoveryHint}`;
}

async function integrityCheck(health: StoreHealth, deps: Pick<DoctorDeps, 'store'>): Promise<DoctorCheck> {
  const problems = await health.integrityProblems();
  if (problems.length === 0) return { name: 'store integrity', ok: true, detail: 'integrity_check: ok' };
  await health.markCorrupt(problems[0]);
  return {
    name: 'store integrity',
    ok: false,
    detail: `integrity_check failed: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (and ${problems.length - 3} more)` : ''}`,
    fix: corruptFix(deps),
  };
}

function migrationsCheck({ applied, shipped }: DoctorReport['migrations']): DoctorCheck {
  return { name: 'migrations', ok: applied === shipped, detail: `${applied} of ${shipped} applied`, fix: applied === shipped ? undefined : 'Re-run any mailmon command to apply them.' };
}

/** A check that threw: its message and hint. */
function failedCheck(name: string, error: unknown): DoctorCheck {
  if (isMailmonError(error)) return { name, ok: false, detail: error.message, fix: error.hint };
  return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
}
