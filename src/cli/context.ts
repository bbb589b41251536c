/**
 * What a command needs from the outside world, built lazily: the home, the config and the
 * store are opened only when first asked for, so `--help` and simple commands stay fast.
 * A command that only reads (`access: 'read'`) still works in a home it cannot write and on a
 * store SQLite reported corrupt: the store is then opened read-only.
 */
import { Config } from '../adapters/system/config-file.js';
import { ensureHome, type HomeLayout } from '../adapters/system/home.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import type { Storage } from '../app/ports/storage.js';

export type StoreAccess = 'read' | 'write';

export class CliContext {
  private homeLayout?: HomeLayout;
  private configValue?: Config;
  private storeValue?: SqliteStore;
  private storageValue?: Storage;

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

  async store(): Promise<SqliteStore> {
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

  /** The storage ports over the store: what use cases receive. */
  async storage(): Promise<Storage> {
    if (!this.storageValue) {
      const { sqliteStorage } = await import('../adapters/sqlite/sqlite-storage.js');
      this.storageValue = sqliteStorage(await this.store());
    }
    return this.storageValue;
  }

  close(): void {
    this.storeValue?.close();
    this.storeValue = undefined;
    this.storageValue = undefined;
  }
}
