/**
 * The storage ports and the mailbox leases on the shared PostgreSQL store: what CliContext
 * hands out when `store.url` / MAILMON_DATABASE_URL selects PostgreSQL. Daemon membership is
 * the `daemons` table; the leases live in the database (holder id, epoch, expiry).
 */
import type { Leases } from '../app/ports/leases.js';
import type { Storage } from '../app/ports/storage.js';
import type { PostgresStore } from '../adapters/postgres/database.js';
import { postgresDaemons } from '../adapters/postgres/pg-daemons.js';
import { MailmonError } from '../core/errors.js';

function notYet(port: string): never {
  throw new MailmonError('store_sqlite_only', `The ${port} port has no PostgreSQL implementation in this build.`, { hint: 'Unset store.url / MAILMON_DATABASE_URL to use the SQLite store in MAILMON_HOME.' });
}

/** Every storage port over the pool. A port not yet implemented on PostgreSQL throws when used. */
export function postgresStorageFor(store: PostgresStore): Storage {
  const missing = new Proxy({}, { get: (_target, property) => (typeof property === 'string' && property !== 'then' ? () => notYet(property) : undefined) });
  return {
    mailboxes: missing as Storage['mailboxes'],
    events: missing as Storage['events'],
    apiKeys: missing as Storage['apiKeys'],
    endpoints: missing as Storage['endpoints'],
    deliveries: missing as Storage['deliveries'],
    syncCommit: missing as Storage['syncCommit'],
    syncRuns: missing as Storage['syncRuns'],
    pushWatches: missing as Storage['pushWatches'],
    credentialEnvelopes: missing as Storage['credentialEnvelopes'],
    daemons: postgresDaemons(store.pool),
  };
}

/** The database leases, held under this process's holder id (host:pid:random). */
export function postgresLeasesFor(_store: PostgresStore, _storage: Storage, _holderId: string): Leases {
  return notYet('leases');
}
