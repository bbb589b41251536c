/** Every storage port on one SQLite store: what a composition root hands the use cases. */
import type { Storage } from '../../app/ports/storage.js';
import type { SqliteStore } from './database.js';
import { sqliteEventLog } from './sqlite-event-log.js';
import { sqliteMailboxes } from './sqlite-mailboxes.js';
import { sqlitePushWatches } from './push-watches.js';
import { sqliteCredentialEnvelopes } from './sqlite-envelope-rows.js';

export function sqliteStorage(store: SqliteStore): Storage {
  return {
    mailboxes: sqliteMailboxes(store.sqlite),
    events: sqliteEventLog(store.sqlite),
    pushWatches: sqlitePushWatches(store.sqlite),
    credentialEnvelopes: sqliteCredentialEnvelopes(store),
  };
}
