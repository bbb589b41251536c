/** Every storage port on one SQLite store: what a composition root hands the use cases. */
import type { Storage } from '../../app/ports/storage.js';
import type { SqliteStore } from './database.js';
import { sqliteApiKeys } from './sqlite-api-keys.js';
import { sqliteDeliveryQueue } from './sqlite-delivery-queue.js';
import { sqliteEndpoints } from './sqlite-endpoints.js';
import { sqliteConsumers } from './consumers.js';
import { sqliteChangeNotifier } from './sqlite-change-notifier.js';
import { sqliteEventLog } from './sqlite-event-log.js';
import { sqliteMailboxes } from './sqlite-mailboxes.js';
import { sqliteSyncCommit } from './sync-store.js';
import { sqliteSyncRuns } from './sync-runs.js';
import { sqlitePushWatches } from './push-watches.js';
import { sqliteCredentialEnvelopes } from './sqlite-envelope-rows.js';
import { localDaemons } from './local-daemons.js';
import { sqliteMessages } from './sqlite-messages.js';
import { sqliteRetention } from './sqlite-retention.js';
import { sqliteStoreHealth } from './sqlite-store-health.js';

export function sqliteStorage(store: SqliteStore): Storage {
  return {
    mailboxes: sqliteMailboxes(store.sqlite),
    events: sqliteEventLog(store.sqlite),
    apiKeys: sqliteApiKeys(store.sqlite),
    endpoints: sqliteEndpoints(store.sqlite),
    deliveries: sqliteDeliveryQueue(store.sqlite),
    syncCommit: sqliteSyncCommit(store.sqlite),
    syncRuns: sqliteSyncRuns(store.sqlite),
    pushWatches: sqlitePushWatches(store.sqlite),
    credentialEnvelopes: sqliteCredentialEnvelopes(store),
    daemons: localDaemons(),
    messages: sqliteMessages(store.sqlite),
    retention: sqliteRetention(store.sqlite),
    health: sqliteStoreHealth(store),
    changes: sqliteChangeNotifier(store.sqlite),
    consumers: sqliteConsumers(store.sqlite),
  };
}
