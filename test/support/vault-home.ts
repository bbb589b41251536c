/**
 * A real temp home for vault tests: the home layout, an open SQLite store, a Config, and a
 * helper to add mailboxes (credentials need one: foreign key).
 */
import crypto from 'node:crypto';
import { openDatabase, type SqliteStore } from '../../src/adapters/sqlite/database.js';
import { Config } from '../../src/adapters/system/config-file.js';
import { ensureHome, type HomeLayout } from '../../src/adapters/system/home.js';
import { tempHome } from './cli.js';
import { sqliteStorage } from '../../src/adapters/sqlite/sqlite-storage.js';
import { fileEncryptionKeys } from '../../src/adapters/secrets/encryption-key.js';
import { osKeychainAccess, secretStoreInspector, type KeychainAccess } from '../../src/adapters/secrets/credential-vault.js';
import type { CredentialAuditDeps } from '../../src/app/credentials-audit.js';
import type { RewrapDeps } from '../../src/app/credentials-rewrap.js';

export interface VaultHome {
  env: NodeJS.ProcessEnv;
  home: HomeLayout;
  store: SqliteStore;
  config: Config;
  /** Re-reads config with a changed env (e.g. a new MAILMON_ENCRYPTION_KEY). */
  withEnv(extra: Record<string, string | undefined>): { env: NodeJS.ProcessEnv; config: Config };
  close(): void;
}

export function openVaultHome(env: Record<string, string | undefined> = {}, root = tempHome('mailmon-vault-')): VaultHome {
  const base: NodeJS.ProcessEnv = { MAILMON_HOME: root, MAILMON_SECRET_STORE: 'file', ...env };
  const home = ensureHome(base);
  const store = openDatabase(home.store);
  const withEnv = (extra: Record<string, string | undefined>) => {
    const next: NodeJS.ProcessEnv = { ...base, ...extra };
    for (const [key, value] of Object.entries(extra)) if (value === undefined) delete next[key];
    return { env: next, config: new Config(next) };
  };
  return { env: base, home, store, config: new Config(base), withEnv, close: () => store.close() };
}

export function insertMailbox(store: SqliteStore, emailAddress: string, id = `mbx_${crypto.randomBytes(8).toString('hex')}`): string {
  const now = Date.now();
  store.sqlite.prepare(`insert into mailboxes (id, email_address, status, created_at, updated_at) values (?, ?, 'active', ?, ?)`).run(id, emailAddress, now, now);
  return id;
}

export function randomKeyBase64(): string {
  return crypto.randomBytes(32).toString('base64');
}

/** Every row of credentials and secrets, for byte-for-byte comparisons. */
export function envelopeTables(store: SqliteStore): unknown[] {
  return [
    ...store.sqlite.prepare('select * from credentials order by mailbox_id').all(),
    ...store.sqlite.prepare('select * from secrets order by name').all(),
  ];
}

/** The ports `credentials audit` reads, over a vault home (or one with another env, config or keychain). */
export function auditDeps(h: Pick<VaultHome, 'store' | 'home' | 'env' | 'config'> & { keychain?: KeychainAccess }): CredentialAuditDeps {
  return {
    storage: sqliteStorage(h.store),
    keys: fileEncryptionKeys(h.home, h.env),
    secretStores: secretStoreInspector({ home: h.home, env: h.env, config: h.config, keychain: h.keychain ?? osKeychainAccess() }),
  };
}

/** The ports `credentials rewrap` uses, over a vault home with the given env. */
export function rewrapDeps(h: { store: SqliteStore; home: HomeLayout; env: NodeJS.ProcessEnv }): RewrapDeps {
  return { storage: sqliteStorage(h.store), keys: fileEncryptionKeys(h.home, h.env), now: Date.now };
}
