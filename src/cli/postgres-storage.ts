/**
 * The storage ports and the mailbox leases on the shared PostgreSQL store: what CliContext
 * hands out when `store.url` / MAILMON_DATABASE_URL selects PostgreSQL. Daemon membership is
 * the `daemons` table; the leases live in the database (holder id, epoch, expiry), held under
 * this process's holder id — the same id it beats under as a daemon member.
 */
import type { Leases } from '../app/ports/leases.js';
import type { Storage } from '../app/ports/storage.js';
import type { PostgresStore } from '../adapters/postgres/database.js';
import { postgresDaemons } from '../adapters/postgres/pg-daemons.js';
import { postgresLeases } from '../adapters/postgres/pg-leases.js';
import { postgresStorage } from '../adapters/postgres/postgres-storage.js';
import { MailmonError } from '../core/errors.js';

function notYet(port: string): never {
  throw new MailmonError('store_sqlite_only', `The ${port} port has no PostgreSQL implementation in this build; this command works only on the SQLite store for now.`, { hint: 'Unset store.url / MAILMON_DATABASE_URL to use the SQLite store in MAILMON_HOME.' });
}

/** A port with no PostgreSQL implementation yet: every call says so (store_sqlite_only). */
function missing<T>(port: string): T {
  return new Proxy({}, { get: (_target, property) => (typeof property === 'string' && property !== 'then' ? () => notYet(`${port}.${property}`) : undefined) }) as T;
}

/** Every storage port over the pool. */
export function postgresStorageFor(store: PostgresStore): Storage {
  const built: Partial<Storage> = { ...postgresStorage(store), daemons: postgresDaemons(store.pool) };
  const names: Array<keyof Storage> = ['mailboxes', 'events', 'apiKeys', 'endpoints', 'deliveries', 'syncCommit', 'syncRuns', 'pushWatches', 'credentialEnvelopes', 'daemons', 'messages', 'retention', 'health', 'changes', 'consumers'];
  return Object.fromEntries(names.map((name) => [name, built[name] ?? missing(name)])) as unknown as Storage;
}

/** The database leases, held under this process's holder id (host:pid:random). */
export function postgresLeasesFor(store: PostgresStore, _storage: Storage, holderId: string): Leases {
  return postgresLeases(store, { holderId });
}
