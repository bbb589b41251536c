/** The PostgreSQL schema mirrors the SQLite one table by table, plus what a shared store needs. */
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { getTableConfig as sqliteTableConfig, SQLiteTable } from 'drizzle-orm/sqlite-core';
import { describe, expect, it } from 'vitest';
import * as pgSchema from '../../src/adapters/postgres/schema.js';
import * as sqliteSchema from '../../src/adapters/sqlite/schema.js';

interface Shape {
  columns: string[];
  indexes: string[];
}

function pgTables(): Map<string, Shape> {
  const tables = (Object.values(pgSchema) as unknown[]).filter((value): value is PgTable => value instanceof PgTable).map((table) => pgTableConfig(table));
  return new Map(tables.map((config) => [config.name, { columns: config.columns.map((column) => column.name).sort(), indexes: config.indexes.map((index) => index.config.name ?? '').sort() }]));
}

function sqliteTables(): Map<string, Shape> {
  const tables = (Object.values(sqliteSchema) as unknown[]).filter((value): value is SQLiteTable => value instanceof SQLiteTable).map((table) => sqliteTableConfig(table));
  return new Map(tables.map((config) => [config.name, { columns: config.columns.map((column) => column.name).sort(), indexes: config.indexes.map((index) => index.config.name).sort() }]));
}

/** Only in PostgreSQL: leases and live daemons live in the shared database, claims say who sends a delivery, and the corruption mark is a row (SQLite's is a file beside the store). */
const PG_ONLY_TABLES = ['daemons', 'leases', 'store_marks'];
const PG_ONLY_COLUMNS: Record<string, string[]> = { deliveries: ['claimed_at', 'claimed_by'] };
const PG_ONLY_INDEXES: Record<string, string[]> = { deliveries: ['deliveries_claimed_idx'] };

describe('the PostgreSQL schema', () => {
  it('has every SQLite table, with the same columns and indexes, plus leases, daemons and store marks', () => {
    const pg = pgTables();
    const sqlite = sqliteTables();
    expect([...pg.keys()].sort()).toEqual([...sqlite.keys(), ...PG_ONLY_TABLES].sort());
    for (const [name, shape] of sqlite) {
      const mirrored = pg.get(name)!;
      // A column the SQLite store gains too is no longer PostgreSQL-only.
      const extraColumns = (PG_ONLY_COLUMNS[name] ?? []).filter((column) => !shape.columns.includes(column));
      expect(mirrored.columns, name).toEqual([...shape.columns, ...extraColumns].sort());
      const extraIndexes = (PG_ONLY_INDEXES[name] ?? []).filter((index) => !shape.indexes.includes(index));
      expect(mirrored.indexes, name).toEqual([...shape.indexes, ...extraIndexes].sort());
    }
  });

  it('keeps event bodies as text and times and sequences as 64-bit integers', () => {
    const events = pgTableConfig(pgSchema.events);
    const type = (column: string) => events.columns.find((candidate) => candidate.name === column)?.getSQLType();
    expect(type('body')).toBe('text');
    expect(type('sequence')).toBe('bigint');
    expect(type('occurred_at')).toBe('bigint');
    expect(pgTableConfig(pgSchema.webhookEndpoints).columns.find((column) => column.name === 'enabled')?.getSQLType()).toBe('boolean');
  });
});
