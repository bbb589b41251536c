/**
 * `store copy`: moves a SQLite home's store into an EMPTY PostgreSQL database, all or nothing.
 * Every table of the PostgreSQL schema that holds data (not leases or daemons: those belong to
 * running daemons) is copied row for row with the same ids and event sequences, in reference
 * order, in ONE PostgreSQL transaction; the SQLite side is read in one read transaction, so
 * the copy is a consistent snapshot even while a daemon writes. Before committing, every
 * table's row count in PostgreSQL is checked against SQLite; any difference, any error, or a
 * target that is not empty rolls everything back. A SQLite table with rows that PostgreSQL has
 * no table for stops the copy (nothing would be silently left behind).
 */
import type Database from 'better-sqlite3';
import { is } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import { MailmonError } from '../../core/errors.js';
import * as schema from './schema.js';

export interface CopyProgress {
  table: string;
  rows: number;
  /** Tables done so far, and how many there are. */
  done: number;
  of: number;
}

export interface CopyResult {
  tables: Array<{ table: string; rows: number }>;
  rows: number;
  durationMs: number;
}

/** Owned by running daemons, never copied. */
const NOT_COPIED = new Set(['leases', 'daemons']);
/** PostgreSQL allows 65535 parameters per statement. */
const MAX_PARAMETERS = 60_000;

interface TablePlan {
  name: string;
  columns: Array<{ name: string; kind: 'boolean' | 'json' | 'plain' }>;
}

/** The tables to copy, each after every table it references (foreign keys), columns typed for conversion. */
export function copyPlan(): TablePlan[] {
  const configs = (Object.values(schema) as unknown[]).filter((value): value is PgTable => is(value, PgTable)).map((table) => getTableConfig(table)).filter((config) => !NOT_COPIED.has(config.name));
  const references = new Map(configs.map((config) => [config.name, config.foreignKeys.map((key) => getTableConfig(key.reference().foreignTable).name).filter((name) => name !== config.name)]));
  const ordered: string[] = [];
  const visit = (name: string) => {
    if (ordered.includes(name)) return;
    for (const referenced of references.get(name) ?? []) visit(referenced);
    ordered.push(name);
  };
  for (const name of [...references.keys()].sort()) visit(name);
  return ordered.filter((name) => references.has(name)).map((name) => configs.find((config) => config.name === name)!).map((config) => ({
    name: config.name,
    columns: config.columns.map((column) => ({ name: column.name, kind: column.columnType === 'PgBoolean' ? 'boolean' : column.columnType === 'PgJson' || column.columnType === 'PgJsonb' ? 'json' : 'plain' })),
  }));
}

export async function copySqliteToPostgres(sqlite: Database.Database, pool: pg.Pool, options: { onProgress?: (progress: CopyProgress) => void; now?: () => number } = {}): Promise<CopyResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const plan = copyPlan();
  refuseUncopied(sqlite, new Set(plan.map((table) => table.name)));
  refuseKeychainHeld(sqlite);
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('begin isolation level serializable');
    await refuseNotEmpty(client, plan);
    const tables = copyInSnapshot(sqlite, plan, (table, rows) => insertRows(client, table, rows), options.onProgress);
    const copied: CopyResult['tables'] = [];
    for (const step of tables) copied.push(await step());
    await checkCounts(client, copied);
    await client.query('commit');
    return { tables: copied, rows: copied.reduce((sum, table) => sum + table.rows, 0), durationMs: now() - started };
  } catch (error) {
    failed = true;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release(failed);
  }
}

/** Reads every table inside one SQLite read transaction (a snapshot), returning one insert step per table. */
function copyInSnapshot(sqlite: Database.Database, plan: TablePlan[], insert: (table: TablePlan, rows: unknown[][]) => Promise<void>, onProgress?: (progress: CopyProgress) => void) {
  const present = new Set((sqlite.prepare(`select name from sqlite_master where type = 'table'`).all() as Array<{ name: string }>).map((row) => row.name));
  const snapshot = sqlite.transaction(() => plan.map((table) => ({ table, rows: present.has(table.name) ? readRows(sqlite, table) : [] })))();
  return snapshot.map(({ table, rows }, index) => async () => {
    await insert(table, rows);
    onProgress?.({ table: table.name, rows: rows.length, done: index + 1, of: plan.length });
    return { table: table.name, rows: rows.length };
  });
}

function readRows(sqlite: Database.Database, table: TablePlan): unknown[][] {
  const columns = table.columns.map((column) => `"${column.name}"`).join(', ');
  const rows = sqlite.prepare(`select ${columns} from "${table.name}" order by rowid`).raw().all() as unknown[][];
  return rows.map((row) => row.map((value, index) => convert(value, table.columns[index].kind)));
}

function convert(value: unknown, kind: TablePlan['columns'][number]['kind']): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'boolean') return value === 1 || value === true || value === '1';
  if (typeof value === 'bigint') return value.toString();
  return value;
}

async function insertRows(client: pg.PoolClient, table: TablePlan, rows: unknown[][]): Promise<void> {
  const width = table.columns.length;
  const batch = Math.max(1, Math.floor(MAX_PARAMETERS / width));
  const columns = table.columns.map((column) => `"${column.name}"`).join(', ');
  for (let start = 0; start < rows.length; start += batch) {
    const chunk = rows.slice(start, start + batch);
    const values = chunk.map((_, row) => `(${table.columns.map((_column, column) => `$${row * width + column + 1}`).join(', ')})`).join(', ');
    await client.query(`insert into "${table.name}" (${columns}) values ${values}`, chunk.flat());
  }
}

async function refuseNotEmpty(client: pg.PoolClient, plan: TablePlan[]): Promise<void> {
  const checks = plan.map((table) => `select '${table.name}' as name where exists (select 1 from "${table.name}")`).join(' union all ');
  const filled = (await client.query<{ name: string }>(checks)).rows.map((row) => row.name);
  if (filled.length === 0) return;
  throw new MailmonError('store_not_empty', `The PostgreSQL database is not empty (${filled.join(', ')} hold rows); store copy only fills an empty one.`, {
    hint: 'Copy into a new, empty database (createdb mailmon_new), or drop and recreate this one if its contents are not needed.',
    details: { tables: filled },
  });
}

/** A credential in one machine's OS keychain cannot be read by daemons elsewhere: only sealed envelopes move. */
function refuseKeychainHeld(sqlite: Database.Database): void {
  const held = ['credentials', 'secrets'].flatMap((table) => (sqlite.prepare(`select '${table}' as name from "${table}" where store = 'keychain'`).all() as Array<{ name: string }>).map((row) => row.name));
  if (held.length === 0) return;
  throw new MailmonError('store_sqlite_only', `${held.length} credential${held.length === 1 ? ' is' : 's are'} kept in this machine's OS keychain, which daemons on other machines cannot read; nothing was copied.`, {
    hint: 'Move them into sealed envelopes first: set MAILMON_SECRET_STORE=file and MAILMON_ENCRYPTION_KEY, then log in to those mailboxes again.',
  });
}

function refuseUncopied(sqlite: Database.Database, copied: Set<string>): void {
  const tables = (sqlite.prepare(`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like '%drizzle%'`).all() as Array<{ name: string }>).map((row) => row.name);
  const left = tables.filter((name) => !copied.has(name) && (sqlite.prepare(`select exists (select 1 from "${name}") as filled`).get() as { filled: number }).filled === 1);
  if (left.length === 0) return;
  throw new MailmonError('store_sqlite_only', `The SQLite store holds ${left.join(', ')}, which the PostgreSQL store of this mailmon cannot keep yet; nothing was copied.`, {
    hint: 'Upgrade mailmon, or remove those rows first if they are not needed.',
    details: { tables: left },
  });
}

async function checkCounts(client: pg.PoolClient, copied: CopyResult['tables']): Promise<void> {
  for (const table of copied) {
    const count = Number((await client.query<{ n: string }>(`select count(*) as n from "${table.table}"`)).rows[0].n);
    if (count !== table.rows) throw new MailmonError('internal', `store copy: ${table.table} has ${count} rows in PostgreSQL after copying ${table.rows}; nothing was committed.`);
  }
}
