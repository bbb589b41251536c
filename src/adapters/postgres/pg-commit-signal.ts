/**
 * In-process wake-ups on commit, the PostgreSQL twin of SQLite's commit signal: a transaction
 * that appends events is noted (`eventsAppended`), and once `inTransaction` has committed it,
 * every change notifier on the same database in this process is signalled at once, without
 * waiting for the server to deliver the NOTIFY. A rollback signals nothing.
 */
import type { PgHandle, Queryable } from './pg-transaction.js';

const appended = new WeakSet<object>();
const listeners = new Map<string, Set<() => void>>();

/** Inside a transaction: this connection's commit must wake this process's readers. */
export function eventsAppended(client: Queryable): void {
  appended.add(client);
}

/** After `client`'s transaction ended (committed or not): signals the database's listeners if it committed an append. */
export function transactionEnded(store: PgHandle, client: Queryable, committed: boolean): void {
  if (!appended.delete(client) || !committed) return;
  for (const listener of [...(listeners.get(store.display) ?? [])]) listener();
}

/** Calls `listener` after every commit in this process that appended events to `store`'s database. */
export function onEventsCommitted(store: PgHandle, listener: () => void): () => void {
  const set = listeners.get(store.display) ?? new Set();
  listeners.set(store.display, set);
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0) listeners.delete(store.display);
  };
}
