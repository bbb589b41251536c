import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { hasCode, isMailmonError } from '../../src/core/errors.js';
import { filesUnder, findSecrets } from '../support/byte-scan.js';
import { memoryKeychain } from '../support/memory-keychain.js';
import { insertMailbox, openVaultHome, randomKeyBase64, type VaultHome } from '../support/vault-home.js';

const TOKEN = '1//0g-test-refresh-token-value-5f1e2d3c4b5a69788796a5b4c3d2e1f0';
const SECRET = 'whsec_test-signing-secret-value-0123456789abcdef';

const homes: VaultHome[] = [];
afterEach(() => {
  while (homes.length > 0) homes.pop()?.close();
});
function home(env: Record<string, string> = {}): VaultHome {
  const opened = openVaultHome(env);
  homes.push(opened);
  return opened;
}

async function rejection(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (isMailmonError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('the credential vault, file store', () => {
  it('saves, loads and deletes a refresh token; the row holds only an envelope', async () => {
    const h = home();
    const mailboxId = insertMailbox(h.store, 'ada@example.com');
    const vault = await openCredentialVault(h);
    expect(vault.kind).toBe('file');
    await vault.saveRefreshToken(mailboxId, TOKEN, { clientId: 'client-123.apps.googleusercontent.com', scope: 'https://www.googleapis.com/auth/gmail.readonly' });
    expect(await vault.loadRefreshToken(mailboxId)).toBe(TOKEN);

    const row = h.store.sqlite.prepare('select * from credentials where mailbox_id = ?').get(mailboxId) as Record<string, unknown>;
    expect(row).toMatchObject({ store: 'file', envelope_version: 1, client_id: 'client-123.apps.googleusercontent.com' });
    expect(row.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(row)).not.toContain(TOKEN);
    expect(fs.existsSync(h.home.keyFile)).toBe(true);

    // Saving again replaces the envelope (new nonce), still one row.
    await vault.saveRefreshToken(mailboxId, `${TOKEN}-rotated`);
    expect(await vault.loadRefreshToken(mailboxId)).toBe(`${TOKEN}-rotated`);
    expect(h.store.sqlite.prepare('select count(*) as n from credentials').get()).toEqual({ n: 1 });

    expect(await vault.deleteCredential(mailboxId)).toBe(true);
    expect(await vault.deleteCredential(mailboxId)).toBe(false);
    const missing = await rejection(vault.loadRefreshToken(mailboxId));
    expect(missing.code).toBe('credential_missing');
    expect(missing.hint).toContain('mailmon login');
  });

  it('needs the mailbox to exist', async () => {
    const h = home();
    const vault = await openCredentialVault(h);
    expect((await rejection(vault.saveRefreshToken('mbx_nope', TOKEN))).code).toBe('mailbox_not_found');
  });

  it('uses MAILMON_ENCRYPTION_KEY when set, and then never creates a key file', async () => {
    const h = home({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    const mailboxId = insertMailbox(h.store, 'env@example.com');
    const vault = await openCredentialVault(h);
    await vault.saveRefreshToken(mailboxId, TOKEN);
    expect(await vault.loadRefreshToken(mailboxId)).toBe(TOKEN);
    expect(fs.existsSync(h.home.keyFile)).toBe(false);
  });

  it('refuses to open with an invalid MAILMON_ENCRYPTION_KEY', async () => {
    const h = home({ MAILMON_ENCRYPTION_KEY: 'bm90IDMyIGJ5dGVz' });
    const error = await rejection(openCredentialVault(h));
    expect(error.code).toBe('encryption_key_invalid');
    expect(error.message).toBe('MAILMON_ENCRYPTION_KEY decodes to 12 bytes; it must be exactly 32.');
  });

  it('an envelope moved to another mailbox does not open there', async () => {
    const h = home();
    const a = insertMailbox(h.store, 'a@example.com');
    const b = insertMailbox(h.store, 'b@example.com');
    const vault = await openCredentialVault(h);
    await vault.saveRefreshToken(a, TOKEN);
    await vault.saveRefreshToken(b, 'other-token');
    h.store.sqlite.prepare(`update credentials set nonce = (select nonce from credentials where mailbox_id = @a), tag = (select tag from credentials where mailbox_id = @a),
      ciphertext = (select ciphertext from credentials where mailbox_id = @a) where mailbox_id = @b`).run({ a, b });
    const error = await rejection(vault.loadRefreshToken(b));
    expect(error.code).toBe('credential_unreadable');
    expect(`${error.message}${error.hint}`).not.toContain(TOKEN);
  });

  it('stores named secrets the same way', async () => {
    const h = home();
    const vault = await openCredentialVault(h);
    expect(await vault.loadSecret('webhook-signing-secret')).toBeUndefined();
    await vault.saveSecret('webhook-signing-secret', SECRET);
    expect(await vault.loadSecret('webhook-signing-secret')).toBe(SECRET);
    const row = h.store.sqlite.prepare('select * from secrets').get() as Record<string, unknown>;
    expect(row).toMatchObject({ name: 'webhook-signing-secret', store: 'file', envelope_version: 1 });
    expect(JSON.stringify(row)).not.toContain(SECRET);
  });

  it('after saving a token and a secret, no file under MAILMON_HOME contains either, nor their base64', async () => {
    const h = home();
    const mailboxId = insertMailbox(h.store, 'scan@example.com');
    const vault = await openCredentialVault(h);
    await vault.saveRefreshToken(mailboxId, TOKEN, { clientId: 'client-1' });
    await vault.saveSecret('webhook-signing-secret', SECRET);
    h.config.set('poll-interval', '10s');
    expect(await vault.loadRefreshToken(mailboxId)).toBe(TOKEN);

    const names = filesUnder(h.home.root).map((file) => path.relative(h.home.root, file));
    expect(names).toEqual(expect.arrayContaining(['mailmon.db', 'mailmon.db-wal', 'mailmon.db-shm', path.join('keys', 'credentials.key'), 'config.json']));
    expect(findSecrets(h.home.root, [TOKEN, SECRET])).toEqual([]);
  });
});

describe('the credential vault, keychain store (in-memory keychain)', () => {
  it('keeps the token in the keychain and only metadata in the row', async () => {
    const h = home({ MAILMON_SECRET_STORE: 'keychain' });
    const keychain = memoryKeychain();
    const mailboxId = insertMailbox(h.store, 'kc@example.com');
    const vault = await openCredentialVault({ ...h, keychain });
    expect(vault.kind).toBe('keychain');
    await vault.saveRefreshToken(mailboxId, TOKEN, { clientId: 'client-1', scope: 'readonly' });
    expect(keychain.entries.get(`credential:${mailboxId}`)).toBe(TOKEN);
    const row = h.store.sqlite.prepare('select * from credentials').get() as Record<string, unknown>;
    expect(row).toMatchObject({ store: 'keychain', envelope_version: null, key_id: null, nonce: null, tag: null, ciphertext: null, client_id: 'client-1', scope: 'readonly' });
    expect(await vault.loadRefreshToken(mailboxId)).toBe(TOKEN);
    await vault.saveSecret('s', SECRET);
    expect(keychain.entries.get('secret:s')).toBe(SECRET);
    expect(await vault.loadSecret('s')).toBe(SECRET);
    expect(fs.existsSync(h.home.keyFile)).toBe(false);

    expect(await vault.deleteCredential(mailboxId)).toBe(true);
    expect(keychain.entries.has(`credential:${mailboxId}`)).toBe(false);
  });

  it('a keychain entry removed outside mailmon is credential_missing', async () => {
    const h = home({ MAILMON_SECRET_STORE: 'keychain' });
    const keychain = memoryKeychain();
    const mailboxId = insertMailbox(h.store, 'gone@example.com');
    const vault = await openCredentialVault({ ...h, keychain });
    await vault.saveRefreshToken(mailboxId, TOKEN);
    keychain.entries.clear();
    expect((await rejection(vault.loadRefreshToken(mailboxId))).code).toBe('credential_missing');
  });

  it('reads each row from its own store: a file credential stays readable when the keychain becomes the store, and moving removes the old copy', async () => {
    const h = home();
    const keychain = memoryKeychain();
    const mailboxId = insertMailbox(h.store, 'move@example.com');
    const fileVault = await openCredentialVault({ ...h, keychain });
    await fileVault.saveRefreshToken(mailboxId, TOKEN);
    const { env, config } = h.withEnv({ MAILMON_SECRET_STORE: 'auto' });
    const keychainVault = await openCredentialVault({ ...h, env, config, keychain });
    expect(keychainVault.kind).toBe('keychain');
    expect(await keychainVault.loadRefreshToken(mailboxId)).toBe(TOKEN);
    await keychainVault.saveRefreshToken(mailboxId, `${TOKEN}-2`);
    expect(await fileVault.loadRefreshToken(mailboxId)).toBe(`${TOKEN}-2`);
    // Back to the file store: the keychain copy is removed.
    await fileVault.saveRefreshToken(mailboxId, `${TOKEN}-3`);
    expect(keychain.entries.size).toBe(0);
    expect(await keychainVault.loadRefreshToken(mailboxId)).toBe(`${TOKEN}-3`);
  });

  it('auto falls back to the file store when the probe fails; keychain explicitly requested then fails clearly', async () => {
    const h = home({ MAILMON_SECRET_STORE: 'auto' });
    const unavailable = memoryKeychain(false);
    expect((await openCredentialVault({ ...h, keychain: unavailable })).kind).toBe('file');
    const { env, config } = h.withEnv({ MAILMON_SECRET_STORE: 'keychain' });
    const error = await rejection(openCredentialVault({ ...h, env, config, keychain: unavailable }));
    expect(error.code).toBe('keychain_unavailable');
    expect(error.hint).toContain('MAILMON_SECRET_STORE=file');
  });

  it('a keychain row is unreadable (not a crash) while the keychain is unavailable', async () => {
    const h = home({ MAILMON_SECRET_STORE: 'keychain' });
    const keychain = memoryKeychain();
    const mailboxId = insertMailbox(h.store, 'locked@example.com');
    await (await openCredentialVault({ ...h, keychain })).saveRefreshToken(mailboxId, TOKEN);
    const { env, config } = h.withEnv({ MAILMON_SECRET_STORE: 'file' });
    const later = await openCredentialVault({ ...h, env, config, keychain: { ...keychain, probe: memoryKeychain(false).probe } });
    const error = await rejection(later.loadRefreshToken(mailboxId));
    expect(hasCode(error, 'credential_unreadable')).toBe(true);
    expect(error.message).toContain('OS keychain');
  });
});
