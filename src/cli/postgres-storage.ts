/**
 * The storage ports and the mailbox leases on the shared PostgreSQL store: what CliContext
 * hands out when `store.url` / MAILMON_DATABASE_URL selects PostgreSQL. The leases live in the
 * database (holder id, epoch, expiry), held under this process's holder id — the same id it
 * beats under as a daemon member. A mailbox in another live daemon's share is refused at once,
 * naming that daemon, rather than waited for: that daemon keeps its lease.
 */
import { shareAwareLeases } from '../app/daemon-shares.js';
import type { Leases } from '../app/ports/leases.js';
import type { Storage } from '../app/ports/storage.js';
import type { PostgresStore } from '../adapters/postgres/database.js';
import { postgresLeases } from '../adapters/postgres/pg-leases.js';
import { postgresStorage } from '../adapters/postgres/postgres-storage.js';
import { systemClock } from '../adapters/system/clock.js';

export function postgresStorageFor(store: PostgresStore): Storage {
  return postgresStorage(store);
}

/** The database leases, held under this process's holder id (host:pid:random). */
export function postgresLeasesFor(store: PostgresStore, storage: Storage, options: { holderId: string; livenessMs: number }): Leases {
  const { holderId, livenessMs } = options;
  return shareAwareLeases(postgresLeases(store, { holderId }), { daemons: storage.daemons, mailboxes: storage.mailboxes, clock: systemClock }, { livenessMs, self: holderId });
}
