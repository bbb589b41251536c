/**
 * The StoreHealth port on PostgreSQL (src/app/ports/store-health.ts). PostgreSQL keeps its own
 * pages consistent, so the integrity check is mailmon's: every table of the schema is there.
 * The checks a shared store needs: the events trigger that wakes readers on every machine is
 * present and enabled; this machine's clock agrees with the database's (leases are judged by
 * the database clock, but event, sync and delivery times are stamped by each daemon); no
 * delivery claim has outlived the age at which a live daemon releases it (then none runs).
 * The corruption mark is the `corrupt` row of store_marks, which openPostgres refuses.
 */
import { getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import type { HealthCheck, StoreHealth } from '../../app/ports/store-health.js';
import { appliedPgMigrations, shippedPgMigrations } from './database.js';
import { num, query, type PgHandle } from './pg-transaction.js';
import * as schema from './schema.js';

export interface StoreHealthOptions {
  /** Larger skews fail the clock check (default 2 s). */
  maxClockSkewMs?: number;
  /** A claim older than this is stuck: a live daemon would have released it (default 10 min). */
  stuckClaimMs?: number;
  /** This machine's clock (tests move it). */
  now?: () => number;
}

const TABLES = Object.values(schema).filter((value) => is(value, PgTable)).map((table) => getTableName(table));

export function postgresStoreHealth(store: PgHandle, options: StoreHealthOptions = {}): StoreHealth {
  const now = options.now ?? Date.now;
  return {
    async engine() {
      const rows = await query<{ version: string }>(store, `select current_setting('server_version') as version`);
      return { name: 'postgresql', version: rows.rows[0].version };
    },
    async integrityProblems() {
      const rows = await query<{ name: string }>(store, `select table_name as name from information_schema.tables where table_schema = current_schema()`);
      const present = new Set(rows.rows.map((row) => row.name));
      return TABLES.filter((table) => !present.has(table)).map((table) => `table ${table} is missing`);
    },
    async migrations() {
      return { applied: (await appliedPgMigrations(store.pool)).length, shipped: shippedPgMigrations().length };
    },
    settingsChecks: async () => [await wakeUpCheck(store), await clockCheck(store, now, options.maxClockSkewMs ?? 2_000), await claimsCheck(store, options.stuckClaimMs ?? 600_000)],
    async markCorrupt(problem) {
      // Best effort, as on SQLite: the problem itself still reaches the user.
      await query(store, `insert into store_marks (name, detail, marked_at) values ('corrupt', $1, $2) on conflict (name) do update set detail = excluded.detail, marked_at = excluded.marked_at`,
        [problem, now()]).catch(() => undefined);
    },
    async clearCorruptionMark() {
      await query(store, `delete from store_marks where name = 'corrupt'`);
    },
  };
}

async function wakeUpCheck(store: PgHandle): Promise<HealthCheck> {
  const rows = await query<{ enabled: string }>(store, `select tgenabled as enabled from pg_trigger where tgname = 'events_appended' and tgrelid = to_regclass('events')`);
  const enabled = rows.rows[0] !== undefined && rows.rows[0].enabled !== 'D';
  return enabled
    ? { name: 'event wake-ups', ok: true, detail: 'events notify mailmon_events at commit' }
    : { name: 'event wake-ups', ok: false, detail: `the events_appended trigger is ${rows.rows[0] ? 'disabled' : 'missing'}: readers on other machines wake only by their slow poll`, fix: rows.rows[0] ? 'ALTER TABLE events ENABLE TRIGGER events_appended;' : 'Restore the database schema (it was changed outside mailmon), or recreate the store.' };
}

/** The database's clock against this machine's, read halfway through the round trip. */
async function clockCheck(store: PgHandle, now: () => number, maxSkewMs: number): Promise<HealthCheck> {
  const before = now();
  const rows = await query<{ ms: string }>(store, `select floor(extract(epoch from clock_timestamp()) * 1000)::bigint as ms`);
  const after = now();
  const skew = Math.round((before + after) / 2 - num(rows.rows[0].ms));
  const detail = skew === 0 ? 'this machine agrees with the database' : `this machine is ${Math.abs(skew)} ms ${skew > 0 ? 'ahead of' : 'behind'} the database (round trip ${after - before} ms)`;
  if (Math.abs(skew) <= maxSkewMs) return { name: 'clock skew', ok: true, detail };
  return { name: 'clock skew', ok: false, detail, fix: 'Synchronise this machine\'s clock (NTP: timedatectl set-ntp true, or chrony) and the database server\'s: daemons sharing a store compare the times they stamp.' };
}

async function claimsCheck(store: PgHandle, stuckClaimMs: number): Promise<HealthCheck> {
  const rows = await query<{ n: string; oldest: string | null }>(store, `select count(*) as n, min(claimed_at) as oldest from deliveries
    where status = 'in_flight' and claimed_at < floor(extract(epoch from clock_timestamp()) * 1000) - $1`, [stuckClaimMs]);
  const stuck = num(rows.rows[0].n);
  if (stuck === 0) return { name: 'delivery claims', ok: true, detail: 'no stuck claims' };
  return {
    name: 'delivery claims',
    ok: false,
    detail: `${stuck} deliver${stuck === 1 ? 'y has' : 'ies have'} been claimed for over ${Math.round(stuckClaimMs / 60_000)} min (oldest since ${new Date(num(rows.rows[0].oldest!)).toISOString()}): no running daemon releases them`,
    fix: 'Start a daemon on this store ("mailmon daemon start"): it releases stale claims and delivers them again.',
  };
}
