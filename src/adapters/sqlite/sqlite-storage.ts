/** Every storage port on one SQLite store: what a composition root hands the use cases. */
import type { Storage } from '../../app/ports/storage.js';
import type { CredentialEnvelopes } from '../../app/ports/credential-envelopes.js';
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
    credentialEnvelopes: lazyCredentialEnvelopes(store),
    daemons: localDaemons(),
    messages: sqliteMessages(store.sqlite),
    retention: sqliteRetention(store.sqlite),
    health: sqliteStoreHealth(store),
    changes: sqliteChangeNotifier(store.sqlite),
    consumers: sqliteConsumers(store.sqlite),
  };
}

/**
 * The credential rows are read through drizzle (about 400 modules); most commands never touch
 * them, so the adapter loads on the first call instead of at every command's start.
 */
function lazyCredentialEnvelopes(store: SqliteStore): CredentialEnvelopes {
  let port: Promise<CredentialEnvelopes> | undefined;
  const load = () => (port ??= import('./sqlite-envelope-rows.js').then((module) => module.sqliteCredentialEnvelopes(store)));
  return {
    get: async (type, owner) => (await load()).get(type, owner),
    list: async () => (await load()).list(),
    upsert: async (type, owner, write, now) => (await load()).upsert(type, owner, write, now),
    delete: async (type, owner) => (await load()).delete(type, owner),
    replaceAll: async (replacements, now) => (await load()).replaceAll(replacements, now),
    mailboxesWithoutCredential: async () => (await load()).mailboxesWithoutCredential(),
  };
}
