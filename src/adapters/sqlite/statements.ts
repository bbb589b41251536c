/**
 * Prepared statements cached per connection and SQL text: the delivery worker runs the same
 * queries for every attempt, so each is prepared once per connection. A statement belongs to
 * the connection that prepared it; the cache goes when the connection is collected.
 */
import type Database from 'better-sqlite3';

const caches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

export type Prepare = (sql: string) => Database.Statement;

export function cachedPreparer(sqlite: Database.Database): Prepare {
  let cache = caches.get(sqlite);
  if (!cache) {
    cache = new Map();
    caches.set(sqlite, cache);
  }
  const statements = cache;
  return (sql) => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = sqlite.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
}
