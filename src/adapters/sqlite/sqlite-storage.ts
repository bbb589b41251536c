/** Every storage port on one SQLite store: what a composition root hands the use cases. */
import type { Storage } from '../../app/ports/storage.js';
import type { SqliteStore } from './database.js';
import { sqliteConsumers } from './consumers.js';
import { sqliteChangeNotifier } from './sqlite-change-notifier.js';
import { sqliteEventLog } from './sqlite-event-log.js';
import { sqliteMailboxes } from './sqlite-mailboxes.js';

export function sqliteStorage(store: SqliteStore): Storage {
  return {
    mailboxes: sqliteMailboxes(store.sqlite),
    events: sqliteEventLog(store.sqlite),
    changes: sqliteChangeNotifier(store.sqlite),
    consumers: sqliteConsumers(store.sqlite),
  };
}
