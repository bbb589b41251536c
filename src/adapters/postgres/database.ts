/**
 * Opens the shared PostgreSQL store: a `pg` connection pool, and the shipped drizzle-kit
 * migrations (/migrations-pg) applied on open. Guarantees:
 * - migrations are applied once however many processes open the store at the same moment:
 *   all of them in one transaction, under a transaction-level advisory lock, re-checked once
 *   the lock is held (an up-to-date store is opened without taking the lock at all);
 * - a store migrated by a newer mailmon is refused (store_too_new) and not changed;
 * - a store doctor marked corrupt is refused (store_corrupt) until doctor clears the mark;
 * - a failed open leaves no pool behind, and says why (pg-errors.ts): unreachable, wrong
 *   user or password, no such database, connection lost;
 * - a pooled connection that dies, idle or checked out (mid-transaction), is never an uncaught
 *   error: its pending and next queries fail (store_connection_lost), the transaction helpers
 *   destroy it rather than pool it, and the next query gets a fresh connection.
 */
import pg from 'pg';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { readMigrationFiles, type MigrationMeta } from 'drizzle-orm/migrator';
import { MailmonError } from '../../core/errors.js';
import { redactStoreUrl, validateStoreUrl } from '../../core/store-url.js';
import { pgMigrationsFolder } from '../system/package-info.js';
import { ADVISORY_NAMESPACE, AdvisoryLock } from './advisory-locks.js';
import { closedWhileConnecting, translatePostgresError } from './pg-errors.js';
import * as schema from './schema.js';

export { translatePostgresError } from './pg-errors.js';

export type PostgresDb = NodePgDatabase<typeof schema>;

export interface PostgresStore {
  /** The store URL without its password, for messages. */
  readonly display: string;
  readonly pool: pg.Pool;
  readonly db: PostgresDb;
  close(): Promise<void>;
}

export interface PostgresOpenOptions {
  /** Apply missing migrations (default). false: only connect and refuse a newer schema. */
  migrate?: boolean;
  /** Connections in the pool (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before store_unreachable (default 10 s). */
  connectTimeoutMs?: number;
  /** Shown in pg_stat_activity, to tell daemons and commands apart. */
  applicationName?: string;
  /** Open a store marked corrupt anyway: doctor, which re-checks it and sets or clears the mark. */
  ignoreCorruptionMark?: boolean;
}

/** drizzle's own table and schema, so drizzle-kit's tools read the same history. */
const MIGRATIONS_TABLE = '"drizzle"."__drizzle_migrations"';

export async function openPostgres(url: string, options: PostgresOpenOptions = {}): Promise<PostgresStore> {
  validateStoreUrl(url);
  const display = redactStoreUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    application_name: options.applicationName ?? 'mailmon',
  });
  // An idle connection the server dropped is reported here; the pool has already discarded it.
  pool.on('error', () => undefined);
  // A checked-out client has no listener of the pool's: without this one, a connection lost
  // between two statements of a transaction would be an unhandled 'error' event that kills the
  // process. The failure still reaches the caller, through its pending or next query.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await firstConnection(pool, display);
    await ensureSchema(pool, display, options.migrate !== false);
    if (!options.ignoreCorruptionMark) await refuseMarkedCorrupt(pool, display);
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw translatePostgresError(error, display);
  }
  return { display, pool, db: drizzle({ client: pool, schema }), close: () => pool.end() };
}

/** Connects once before anything else, so that a server that drops every new connection is reported as unreachable, not as a lost connection. */
async function firstConnection(pool: pg.Pool, display: string): Promise<void> {
  const client = await pool.connect().catch((error: unknown) => {
    throw closedWhileConnecting(error, display);
  });
  client.release();
}

export function shippedPgMigrations(): MigrationMeta[] {
  return readMigrationFiles({ migrationsFolder: pgMigrationsFolder() });
}

/** created_at (the migration's folder time) of every applied migration, oldest first. */
export async function appliedPgMigrations(client: pg.Pool | pg.PoolClient): Promise<number[]> {
  const exists = await client.query<{ table: string | null }>(`select to_regclass('drizzle.__drizzle_migrations')::text as table`);
  if (exists.rows[0]?.table == null) return [];
  const rows = await client.query<{ created_at: string }>(`select created_at from ${MIGRATIONS_TABLE} order by created_at`);
  return rows.rows.map((row) => Number(row.created_at));
}

async function ensureSchema(pool: pg.Pool, display: string, migrate: boolean): Promise<void> {
  const shipped = shippedPgMigrations();
  const latest = shipped.at(-1)?.folderMillis ?? 0;
  // Fast path, no lock: an up-to-date store (the usual case) costs two reads.
  const newest = refuseNewer(await appliedPgMigrations(pool), latest, display);
  if (!migrate || newest >= latest) return;
  const client = await pool.connect();
  let failed = false;
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1, $2)', [ADVISORY_NAMESPACE, AdvisoryLock.migrations]);
    await applyMissing(client, shipped, latest, display);
    await client.query('commit');
  } catch (error) {
    failed = true;
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed mid-migration may be broken: destroy it rather than pool it.
    client.release(failed);
  }
}

/** Inside the lock: another opener may have applied some or all of them meanwhile. */
async function applyMissing(client: pg.PoolClient, shipped: MigrationMeta[], latest: number, display: string): Promise<void> {
  await client.query('create schema if not exists drizzle');
  await client.query(`create table if not exists ${MIGRATIONS_TABLE} (id serial primary key, hash text not null, created_at bigint)`);
  const newest = refuseNewer(await appliedPgMigrations(client), latest, display);
  for (const migration of shipped) {
    if (migration.folderMillis <= newest) continue;
    // One round trip per migration: its statements as one simple-protocol query.
    await client.query(migration.sql.filter((statement) => statement.trim() !== '').join(';\n'));
    await client.query(`insert into ${MIGRATIONS_TABLE} (hash, created_at) values ($1, $2)`, [migration.hash, migration.folderMillis]);
  }
}

/** The `corrupt` mark doctor leaves in store_marks (a store predating that table has none). */
export async function corruptionMark(client: pg.Pool | pg.PoolClient): Promise<{ detail: string; markedAt: number } | undefined> {
  const exists = await client.query<{ table: string | null }>(`select to_regclass('store_marks')::text as table`);
  if (exists.rows[0]?.table == null) return undefined;
  const rows = await client.query<{ detail: string; marked_at: string }>(`select detail, marked_at from store_marks where name = 'corrupt'`);
  return rows.rows[0] ? { detail: rows.rows[0].detail, markedAt: Number(rows.rows[0].marked_at) } : undefined;
}

async function refuseMarkedCorrupt(pool: pg.Pool, display: string): Promise<void> {
  const mark = await corruptionMark(pool);
  if (!mark) return;
  throw new MailmonError('store_corrupt', `The PostgreSQL store at ${display} was found damaged by doctor on ${new Date(mark.markedAt).toISOString()} (${mark.detail}). mailmon will not write to it.`, {
    hint: 'Repair or restore the database, then run "mailmon doctor": it checks the store again and clears the mark once it is intact.',
  });
}

/** The newest applied migration's time; throws store_too_new when this mailmon does not know it. */
function refuseNewer(applied: number[], latestShipped: number, display: string): number {
  const newest = applied.at(-1) ?? 0;
  if (newest > latestShipped) {
    throw new MailmonError('store_too_new', `The PostgreSQL store at ${display} was migrated by a newer mailmon.`, {
      hint: 'Upgrade mailmon (npm install -g mailmon@latest) here: every daemon and command sharing a store must run a version that knows its schema. The store was not changed.',
    });
  }
  return newest;
}
