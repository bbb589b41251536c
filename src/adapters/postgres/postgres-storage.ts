/** Every storage port on one PostgreSQL store: what a composition root hands the use cases. */
import { postgresDaemons } from './pg-daemons.js';
import { translatingErrors } from './pg-queries.js';
import type { Storage } from '../../app/ports/storage.js';
import type { PgHandle } from './pg-transaction.js';
import { postgresApiKeys } from './pg-api-keys.js';
import { postgresChangeNotifier } from './pg-change-notifier.js';
import { postgresConsumers } from './pg-consumers.js';
import { postgresCredentialEnvelopes } from './pg-credential-envelopes.js';
import { postgresDeliveryQueue } from './pg-delivery-queue.js';
import { postgresEndpoints } from './pg-endpoints.js';
import { postgresEventLog } from './pg-event-log.js';
import { postgresMailboxes } from './pg-mailboxes.js';
import { postgresMessages } from './pg-messages.js';
import { postgresPushWatches } from './pg-push-watches.js';
import { postgresRetention } from './pg-retention.js';
import { postgresStoreHealth } from './pg-store-health.js';
import { postgresSyncCommit } from './pg-sync-commit.js';
import { postgresSyncRuns } from './pg-sync-runs.js';

export type PostgresStorage = Storage;

export function postgresStorage(db: PgHandle): PostgresStorage {
  return {
    mailboxes: postgresMailboxes(db),
    events: postgresEventLog(db),
    syncCommit: postgresSyncCommit(db),
    syncRuns: postgresSyncRuns(db),
    endpoints: postgresEndpoints(db),
    deliveries: postgresDeliveryQueue(db),
    apiKeys: postgresApiKeys(db),
    pushWatches: postgresPushWatches(db),
    credentialEnvelopes: postgresCredentialEnvelopes(db),
    consumers: postgresConsumers(db),
    changes: postgresChangeNotifier(db),
    messages: postgresMessages(db),
    retention: postgresRetention(db),
    health: postgresStoreHealth(db),
    daemons: translatingErrors(postgresDaemons(db.pool), db.display),
  };
}
