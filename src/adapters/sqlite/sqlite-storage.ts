/** Every storage port on one SQLite store: what a composition root hands the use cases. */
import type { Storage } from '../../app/ports/storage.js';
import type { SqliteStore } from './database.js';
import { sqliteEventLog } from './sqlite-event-log.js';
import { sqliteMailboxes } from './sqlite-mailboxes.js';
import { sqliteMessages } from './sqlite-messages.js';
import { sqliteRetention } from './sqlite-retention.js';
import { sqliteStoreHealth } from './sqlite-store-health.js';

export function sqliteStorage(store: SqliteStore): Storage {
  return {
    mailboxes: sqliteMailboxes(store.sqlite),
    events: sqliteEventLog(store.sqlite),
    messages: sqliteMessages(store.sqlite),
    retention: sqliteRetention(store.sqlite),
    health: sqliteStoreHealth(store),
  };
}
