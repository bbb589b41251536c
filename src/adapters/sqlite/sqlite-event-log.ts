/**
 * The EventLog port on SQLite (src/app/ports/event-log.ts). Sequences are assigned inside
 * serialized write transactions, so the highest committed sequence is a safe head: nothing at
 * or below it can commit later.
 */
import type Database from 'better-sqlite3';
import type { EventLog } from '../../app/ports/event-log.js';
import { EventLog as SqliteLog } from './event-log.js';

export function sqliteEventLog(sqlite: Database.Database): EventLog {
  const log = new SqliteLog(sqlite);
  return {
    head: async () => log.maxSequence(),
    readAfter: async (afterSequence, limit, filter) => log.readAfter(afterSequence, limit, filter),
    readLatest: async (limit, filter) => log.readLatest(limit, filter),
    get: async (idOrSequence) => log.get(idOrSequence),
    count: async (filter) => log.count(filter),
  };
}
