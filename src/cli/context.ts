/**
 * What a command needs from the outside world, built lazily: the home, the config and the
 * store are opened only when first asked for, so `--help` and simple commands stay fast.
 */
import { Config } from '../adapters/system/config-file.js';
import { ensureHome, type HomeLayout } from '../adapters/system/home.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';

export class CliContext {
  private homeLayout?: HomeLayout;
  private configValue?: Config;
  private storeValue?: SqliteStore;

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {}

  get home(): HomeLayout {
    this.homeLayout ??= ensureHome(this.env);
    return this.homeLayout;
  }

  get config(): Config {
    this.configValue ??= new Config(this.env);
    return this.configValue;
  }

  async store(): Promise<SqliteStore> {
    if (!this.storeValue) {
      const { openDatabase } = await import('../adapters/sqlite/database.js');
      this.storeValue = openDatabase(this.home.store);
    }
    return this.storeValue;
  }

  close(): void {
    this.storeValue?.close();
    this.storeValue = undefined;
  }
}
