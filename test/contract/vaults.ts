/**
 * The vaults the CredentialVault contract runs against. The file-backed vault: a temp home with
 * a key file, rows through the storage ports of a SQLite store; `reopen` opens another
 * connection and another vault, as another process would.
 */
import { createKeyFile } from '../../src/adapters/secrets/encryption-key.js';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { openVaultHome } from '../support/vault-home.js';
import type { VaultFactory } from './credentials.js';

export const fileVaultFactory: VaultFactory = {
  name: 'file store on sqlite',
  async create() {
    const h = openVaultHome();
    createKeyFile(h.home.keyFile);
    const others: SqliteStore[] = [];
    const open = (store: SqliteStore) => openCredentialVault({ storage: sqliteStorage(store), home: h.home, env: h.env, config: h.config });
    return {
      vault: await open(h.store),
      addMailbox: (id) => sqliteStorage(h.store).mailboxes.insert({ id, emailAddress: `${id}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, Date.now()),
      async reopen() {
        const store = openDatabase(h.home.store);
        others.push(store);
        return open(store);
      },
      async close() {
        for (const store of others) store.close();
        h.close();
      },
    };
  },
};
