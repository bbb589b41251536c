/**
 * Credentials on a shared PostgreSQL store: the vault a composition root opens with
 * `shared: true` keeps only envelopes sealed with MAILMON_ENCRYPTION_KEY in the database (never
 * the OS keychain, never a home key file), and `credentials audit` and `rewrap` work on it.
 */
import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCredentialVault, secretStoreInspector } from '../../src/adapters/secrets/credential-vault.js';
import { createKeyFile, keyFromEnv, sharedStoreEncryptionKeys } from '../../src/adapters/secrets/encryption-key.js';
import { openPostgres, type PostgresStore } from '../../src/adapters/postgres/database.js';
import { auditCredentials, type CredentialAuditDeps } from '../../src/app/credentials-audit.js';
import { rewrapCredentials } from '../../src/app/credentials-rewrap.js';
import type { Storage } from '../../src/app/ports/storage.js';
import { associatedDataFor, fieldsOfEnvelope, sealEnvelope } from '../../src/core/envelope.js';
import { credentialsContract, type VaultFactory } from '../contract/credentials.js';
import { memoryKeychain } from '../support/memory-keychain.js';
import { postgresStorage } from '../../src/adapters/postgres/postgres-storage.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { openVaultHome, randomKeyBase64, type VaultHome } from '../support/vault-home.js';

const TOKEN = '1//0g-shared-store-refresh-token-bbbbbbbbbbbbbbbb';

/** A temp home whose env has MAILMON_ENCRYPTION_KEY and secret-store auto, and a fresh database. */
async function sharedHome(env: Record<string, string | undefined> = { MAILMON_ENCRYPTION_KEY: randomKeyBase64() }) {
  const h = openVaultHome({ MAILMON_SECRET_STORE: 'auto', ...env });
  const database = await createTestDatabase();
  const pools: PostgresStore[] = [];
  const open = async () => {
    pools.push(await openPostgres(database.url, { poolSize: 4 }));
    return postgresStorage(pools.at(-1)!);
  };
  const close = async () => {
    for (const pool of pools) await pool.close();
    await database.drop();
    h.close();
  };
  return { h, database, open, close };
}

/** The keychain is available and would be chosen by `auto` on an unshared store. */
function vaultOn(h: VaultHome, storage: Storage, keychain = memoryKeychain(true)) {
  return openCredentialVault({ storage, home: h.home, env: h.env, config: h.config, keychain, shared: true });
}

function auditDepsOn(h: VaultHome, storage: Storage): CredentialAuditDeps {
  return {
    storage,
    keys: sharedStoreEncryptionKeys(h.home, h.env),
    secretStores: secretStoreInspector({ home: h.home, env: h.env, config: h.config, keychain: memoryKeychain(true), shared: true }),
  };
}

const sharedVaultFactory: VaultFactory = {
  name: 'file store on a shared postgres',
  async create() {
    const shared = await sharedHome();
    const storage = await shared.open();
    return {
      vault: await vaultOn(shared.h, storage),
      addMailbox: (id) => storage.mailboxes.insert({ id, emailAddress: `${id}@example.com`, name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, Date.now()),
      reopen: async () => vaultOn(shared.h, await shared.open()),
      close: shared.close,
    };
  },
};

credentialsContract(sharedVaultFactory);

describe('credentials on a shared PostgreSQL store', () => {
  let shared: Awaited<ReturnType<typeof sharedHome>>;
  let storage: Storage;
  let database: TestDatabase;
  beforeEach(async () => {
    shared = await sharedHome();
    database = shared.database;
    storage = await shared.open();
    await storage.mailboxes.insert({ id: 'mbx_a', emailAddress: 'a@example.com', name: null, gmailApiUrl: null, oauthUrl: null, scope: null }, 1);
  });
  afterEach(async () => {
    await shared.close();
  });

  async function rawRows(): Promise<string> {
    const store = await openPostgres(database.url, { poolSize: 1 });
    try {
      const rows = await store.pool.query('select * from credentials union all select name, store, envelope_version, key_id, nonce, tag, ciphertext, null, null, created_at, updated_at from secrets');
      return JSON.stringify(rows.rows);
    } finally {
      await store.close();
    }
  }

  it('seals with MAILMON_ENCRYPTION_KEY into the database only: not the available keychain, no key file, no plaintext', async () => {
    const keychain = memoryKeychain(true);
    let probes = 0;
    const probe = keychain.probe;
    keychain.probe = () => (probes++, probe());
    const vault = await vaultOn(shared.h, storage, keychain);
    expect(vault.kind).toBe('file');
    await vault.saveRefreshToken('mbx_a', TOKEN);
    await vault.saveSecret('webhook', 'whsec_shared');
    expect(await (await vaultOn(shared.h, await shared.open(), memoryKeychain(false))).loadRefreshToken('mbx_a')).toBe(TOKEN);
    expect(await storage.credentialEnvelopes.get('credential', 'mbx_a')).toMatchObject({ store: 'file', keyId: keyFromEnv(shared.h.env)!.keyId });
    const raw = await rawRows();
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain('whsec_shared');
    await vault.deleteCredential('mbx_a');
    expect([keychain.entries.size, probes, fs.existsSync(shared.h.home.keyFile)]).toEqual([0, 0, false]);
  });

  it('without MAILMON_ENCRYPTION_KEY nothing is saved and no key file made; a key file is not used to read; secret-store keychain is refused', async () => {
    const { env, config } = shared.h.withEnv({ MAILMON_ENCRYPTION_KEY: undefined });
    const withoutKey = await openCredentialVault({ storage, home: shared.h.home, env, config, keychain: memoryKeychain(true), shared: true });
    await expect(withoutKey.saveRefreshToken('mbx_a', TOKEN)).rejects.toMatchObject({ code: 'encryption_key_invalid', hint: expect.stringContaining('every machine') });
    expect(fs.existsSync(shared.h.home.keyFile)).toBe(false);
    expect(await storage.credentialEnvelopes.get('credential', 'mbx_a')).toBeUndefined();
    await (await vaultOn(shared.h, storage)).saveRefreshToken('mbx_a', TOKEN);
    createKeyFile(shared.h.home.keyFile);
    await expect(withoutKey.loadRefreshToken('mbx_a')).rejects.toMatchObject({ code: 'credential_unreadable', message: expect.stringContaining('MAILMON_ENCRYPTION_KEY is not set') });
    const keychainSetting = shared.h.withEnv({ MAILMON_SECRET_STORE: 'keychain' });
    await expect(openCredentialVault({ storage, home: shared.h.home, ...keychainSetting, keychain: memoryKeychain(true), shared: true })).rejects.toMatchObject({ code: 'keychain_unavailable' });
    const audit = await auditCredentials(auditDepsOn({ ...shared.h, ...keychainSetting }, storage));
    expect(audit.secretStore).toMatchObject({ setting: 'keychain', newValuesGoTo: 'nowhere', keychainAvailable: false });
  });

  it('a keychain pointer (copied from a laptop home) is unreadable there, with a hint to log in again; the keychain is not asked', async () => {
    await storage.credentialEnvelopes.upsert('credential', 'mbx_a', { store: 'keychain', envelopeVersion: null, keyId: null, nonce: null, tag: null, ciphertext: null }, 1);
    const keychain = memoryKeychain(true);
    keychain.entries.set('credential:mbx_a', TOKEN);
    await expect((await vaultOn(shared.h, storage, keychain)).loadRefreshToken('mbx_a')).rejects.toMatchObject({ code: 'credential_unreadable', hint: expect.stringContaining('mailmon login') });
    const report = await auditCredentials(auditDepsOn(shared.h, storage));
    expect(report.entries).toMatchObject([{ id: 'mbx_a', store: 'keychain', readable: false }]);
  });

  it('audit, then rewrap in one transaction, moves envelopes sealed with a home key file onto the shared key', async () => {
    const keyFile = createKeyFile(shared.h.home.keyFile);
    const seal = (type: 'credential' | 'secret', owner: string, plaintext: string) =>
      fieldsOfEnvelope(sealEnvelope({ key: keyFile.key, keyId: keyFile.keyId, plaintext, associatedData: associatedDataFor(type, owner) }));
    await storage.credentialEnvelopes.upsert('credential', 'mbx_a', { store: 'file', ...seal('credential', 'mbx_a', TOKEN) }, 1);
    await storage.credentialEnvelopes.upsert('secret', 'webhook', { store: 'file', ...seal('secret', 'webhook', 'whsec_old') }, 1);
    const current = keyFromEnv(shared.h.env)!;

    const before = await auditCredentials(auditDepsOn(shared.h, storage));
    expect(before).toMatchObject({ ok: false, currentKey: { keyId: current.keyId, source: 'env' }, secretStore: { setting: 'auto', newValuesGoTo: 'file', keychainAvailable: false, keychainReason: expect.stringContaining('shared store') } });
    expect(before.summary).toMatchObject({ unreadable: 2, notUnderCurrentKey: 2 });

    const result = await rewrapCredentials({ storage, keys: sharedStoreEncryptionKeys(shared.h.home, shared.h.env), now: () => 5 });
    expect(result).toMatchObject({ currentKeySource: 'env', oldKeyId: keyFile.keyId, oldKeySource: 'key-file', rewrapped: [{ type: 'credential', id: 'mbx_a' }, { type: 'secret', id: 'webhook' }] });

    const other = await shared.open();
    expect(await (await vaultOn(shared.h, other)).loadRefreshToken('mbx_a')).toBe(TOKEN);
    expect(await (await vaultOn(shared.h, other)).loadSecret('webhook')).toBe('whsec_old');
    expect(await auditCredentials(auditDepsOn(shared.h, other))).toMatchObject({ ok: true, summary: { readable: 2, notUnderCurrentKey: 0 } });
  });
});
