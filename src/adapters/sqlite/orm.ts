/**
 * The drizzle ORM over an open store, built on first use. Kept out of database.ts on purpose:
 * drizzle and the schema are hundreds of modules, and most commands (status, mailboxes, events…)
 * use prepared statements only — they should not pay for it at startup.
 */
import type Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import * as schema from './schema.js';

export type Orm = BetterSQLite3Database<typeof schema>;

const cache = new WeakMap<Database.Database, Orm>();

export function ormFor(sqlite: Database.Database): Orm {
  let orm = cache.get(sqlite);
  if (!orm) {
    orm = drizzle(sqlite, { schema });
    cache.set(sqlite, orm);
  }
  return orm;
}
