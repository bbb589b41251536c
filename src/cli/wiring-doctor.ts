/** Composition root of `mailmon doctor`: the home and the SQLite store behind doctor's ports. */
import type { CliContext } from './context.js';
import type { DoctorCheck, DoctorDeps } from '../app/doctor.js';
import type { HomeLayout } from '../adapters/system/home.js';
import { looseModes } from '../adapters/system/home.js';
import { shippedMigrations, type SqliteStore } from '../adapters/sqlite/database.js';
import { recoveryHint, translateSqliteError } from '../adapters/sqlite/sqlite-errors.js';
import { openStoreForDoctor, sqliteStoreHealth } from '../adapters/sqlite/sqlite-store-health.js';
import { sqliteStorage } from '../adapters/sqlite/sqlite-storage.js';
import { fileLeases } from '../adapters/system/lease.js';
import { systemClock } from '../adapters/system/clock.js';
import { syncDoctorChecks } from '../app/doctor-sync-checks.js';

export type StoreCheck = (store: SqliteStore, home: HomeLayout) => DoctorCheck[] | Promise<DoctorCheck[]>;

export function doctorDeps(ctx: CliContext, input: { version: string; extraChecks: StoreCheck[] }): DoctorDeps<SqliteStore> {
  const { home } = ctx;
  return {
    version: input.version,
    runtime: { node: process.versions.node, platform: `${process.platform}-${process.arch}` },
    home: { name: home.root, loosePermissions: async () => looseModes(home.root) },
    store: {
      name: home.store,
      shippedMigrations: shippedMigrations().length,
      recoveryHint: recoveryHint(home.store),
      async open() {
        const store = openStoreForDoctor(home.store);
        return { health: sqliteStoreHealth(store), handle: store, close: async () => store.close() };
      },
    },
    // SQLite's errors in a check are translated like everywhere else.
    extraChecks: input.extraChecks.map((check) => async (store: SqliteStore) => {
      try {
        return await check(store, home);
      } catch (error) {
        throw translateSqliteError(error, home.store);
      }
    }),
  };
}

/** doctor's sync checks over the store and home doctor opened. */
export const syncDoctorCheck: StoreCheck = (store, home) => {
  const storage = sqliteStorage(store);
  return syncDoctorChecks({ storage, leases: fileLeases({ leasesDir: home.leases, mailboxes: storage.mailboxes }), clock: systemClock });
};
