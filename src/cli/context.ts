/**
 * What a command needs from the outside world, built lazily: the home, the config and the
 * store are opened only when first asked for, so `--help` and simple commands stay fast.
 * A command that only reads (`access: 'read'`) still works in a home it cannot write and on a
 * store SQLite reported corrupt: the store is then opened read-only.
 *
 * The ONE place the store is chosen (`selectStore`): the SQLite file in MAILMON_HOME, or the
 * shared PostgreSQL database `store.url` / MAILMON_DATABASE_URL names — its storage ports and
 * its database leases. Local files (pid, logs, control socket, key file) stay in the home
 * either way. Code that still needs the raw SQLite store (`store()`) is refused with
 * store_sqlite_only on a PostgreSQL store, saying so.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Config } from '../adapters/system/config-file.js';
import { ensureHome, type HomeLayout } from '../adapters/system/home.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import type { PostgresStore } from '../adapters/postgres/database.js';
import type { Leases } from '../app/ports/leases.js';
import type { Storage } from '../app/ports/storage.js';
import { MailmonError } from '../core/errors.js';
import { selectStore, STORE_URL_SETTING, type SelectedStore } from '../core/store-url.js';

export type StoreAccess = 'read' | 'write';

export class CliContext {
  private homeLayout?: HomeLayout;
  private configValue?: Config;
  private selectedValue?: SelectedStore;
  private storeValue?: SqliteStore;
  private postgresValue?: Promise<PostgresStore>;
  private storageValue?: Storage;
  private leasesValue?: Leases;
  /** This process as a lease holder and daemon member: host:pid:random (unique even when a pid is reused). */
  readonly holderId = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly access: StoreAccess = 'write',
  ) {}

  get home(): HomeLayout {
    this.homeLayout ??= ensureHome(this.env, { access: this.access });
    return this.homeLayout;
  }

  /** The store's path once the home is known (for naming it in errors). */
  get storeFile(): string | undefined {
    return this.homeLayout?.store;
  }

  get config(): Config {
    this.configValue ??= new Config(this.env);
    return this.configValue;
  }

  /** Which store the settings select (a bad store.url is a config_bad_value error here). */
  get selected(): SelectedStore {
    // The home first: its problems (not a directory, not writable) are the ones to report, and the config lives there.
    void this.home;
    this.selectedValue ??= selectStore({ [STORE_URL_SETTING]: this.config.get('store.url') ?? '' }, this.env);
    return this.selectedValue;
  }

  /** The SQLite store in the home; store_sqlite_only when a PostgreSQL store is selected. */
  async store(): Promise<SqliteStore> {
    const selected = this.selected;
    if (selected.kind === 'postgres') throw sqliteOnly(selected.display);
    if (!this.storeValue) {
      const { openDatabase } = await import('../adapters/sqlite/database.js');
      const home = this.home;
      this.storeValue = openDatabase(home.store, {
        busyTimeoutMs: this.config.durationMs('store.busy-timeout'),
        access: this.access,
        readOnly: home.readOnly !== undefined,
      });
    }
    return this.storeValue;
  }

  /** The shared PostgreSQL store (opened, migrated) when one is selected. */
  async postgres(): Promise<PostgresStore> {
    const selected = this.selected;
    if (selected.kind !== 'postgres') throw new MailmonError('usage', 'No PostgreSQL store is selected.', { hint: 'Set store.url or MAILMON_DATABASE_URL to postgres://USER:PASSWORD@HOST/DB.' });
    if (!this.postgresValue) {
      const { openPostgres } = await import('../adapters/postgres/database.js');
      this.postgresValue = openPostgres(selected.url, { applicationName: `mailmon ${this.holderId}` });
      this.postgresValue.catch(() => (this.postgresValue = undefined));
    }
    return this.postgresValue;
  }

  /** The storage ports over the selected store: what use cases receive. */
  async storage(): Promise<Storage> {
    if (!this.storageValue) {
      if (this.selected.kind === 'postgres') {
        const { postgresStorageFor } = await import('./postgres-storage.js');
        this.storageValue = postgresStorageFor(await this.postgres());
      } else {
        const { sqliteStorage } = await import('../adapters/sqlite/sqlite-storage.js');
        this.storageValue = sqliteStorage(await this.store());
      }
    }
    return this.storageValue;
  }

  /** The lease expiry on a shared store (MAILMON_LEASE_TTL_MS, default 30 s), also a daemon's liveness period. */
  get leaseTtlMs(): number {
    return Number(this.env.MAILMON_LEASE_TTL_MS ?? '') || 30_000;
  }

  /** The mailbox leases: lease directories under the home (SQLite), or leases in the database (PostgreSQL). */
  async leases(): Promise<Leases> {
    if (!this.leasesValue) {
      const storage = await this.storage();
      if (this.selected.kind === 'postgres') {
        const { postgresLeasesFor } = await import('./postgres-storage.js');
        this.leasesValue = postgresLeasesFor(await this.postgres(), storage, { holderId: this.holderId, livenessMs: this.leaseTtlMs });
      } else {
        const { fileLeases } = await import('../adapters/system/lease.js');
        this.leasesValue = fileLeases({ leasesDir: this.home.leases, mailboxes: storage.mailboxes });
      }
    }
    return this.leasesValue;
  }

  close(): void {
    this.storeValue?.close();
    const postgres = this.postgresValue;
    if (postgres) void postgres.then((store) => store.close()).catch(() => undefined);
    this.storeValue = undefined;
    this.postgresValue = undefined;
    this.storageValue = undefined;
    this.leasesValue = undefined;
  }
}

function sqliteOnly(display: string): MailmonError {
  return new MailmonError('store_sqlite_only', `This works only on the SQLite store in MAILMON_HOME; the store selected is PostgreSQL (${display}).`, {
    hint: 'Unset store.url / MAILMON_DATABASE_URL to use it on the SQLite store; on PostgreSQL use the database\'s own tools (pg_dump for backups).',
  });
}
