/**
 * The storage ports on one PostgreSQL store built so far: what a composition root will hand the
 * use cases once every port exists (then this becomes the full `Storage`).
 */
import type { Storage } from '../../app/ports/storage.js';
import type { PgHandle } from './pg-transaction.js';
import { postgresDeliveryQueue } from './pg-delivery-queue.js';
import { postgresEndpoints } from './pg-endpoints.js';
import { postgresEventLog } from './pg-event-log.js';
import { postgresMailboxes } from './pg-mailboxes.js';
import { postgresSyncCommit } from './pg-sync-commit.js';
import { postgresSyncRuns } from './pg-sync-runs.js';

export type PostgresStorage = Pick<Storage, 'mailboxes' | 'events' | 'syncCommit' | 'syncRuns' | 'endpoints' | 'deliveries'>;

export function postgresStorage(db: PgHandle): PostgresStorage {
  return {
    mailboxes: postgresMailboxes(db),
    events: postgresEventLog(db),
    syncCommit: postgresSyncCommit(db),
    syncRuns: postgresSyncRuns(db),
    endpoints: postgresEndpoints(db),
    deliveries: postgresDeliveryQueue(db),
  };
}
