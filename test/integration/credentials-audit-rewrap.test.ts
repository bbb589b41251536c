import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { auditCredentials, credentialsDoctorCheck } from '../../src/app/credentials-audit.js';
import { rewrapCredentials } from '../../src/app/credentials-rewrap.js';
import { listEnvelopeRows, replaceEnvelopes } from '../../src/adapters/sqlite/sqlite-envelope-rows.js';
import { isMailmonError } from '../../src/core/errors.js';
import { memoryKeychain } from '../support/memory-keychain.js';
import { auditDeps, envelopeTables, insertMailbox, openVaultHome, randomKeyBase64, rewrapDeps, type VaultHome } from '../support/vault-home.js';

const TOKEN_A = '1//0g-test-refresh-token-value-aaaaaaaaaaaaaaaaaaaa';
const TOKEN_B = '1//0g-test-refresh-token-value-bbbbbbbbbbbbbbbbbbbb';
const SECRET = 'whsec_test-signing-secret-cccccccccccccccc';

const homes: VaultHome[] = [];
afterEach(() => {
  while (homes.length > 0) homes.pop()?.close();
});

/** A home with two credentials and a secret sealed by a generated key file, and one mailbox without credential. */
async function populatedHome() {
  const h = openVaultHome();
  homes.push(h);
  const a = insertMailbox(h.store, 'a@example.com', 'mbx_aaaa');
  const b = insertMailbox(h.store, 'b@example.com', 'mbx_bbbb');
  const orphan = insertMailbox(h.store, 'c@example.com', 'mbx_cccc');
  const vault = await openCredentialVault(h);
  await vault.saveRefreshToken(a, TOKEN_A);
  await vault.saveRefreshToken(b, TOKEN_B);
  await vault.saveSecret('webhook-signing-secret', SECRET);
  return { h, a, b, orphan };
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

describe('credentials audit', () => {
  it('reports every credential and secret readable under the current key, and the mailbox without one', async () => {
    const { h, orphan } = await populatedHome();
    const report = await auditCredentials(auditDeps(h));
    expect(report.ok).toBe(true);
    expect(report.currentKey).toMatchObject({ source: 'file', file: h.home.keyFile });
    expect(report.entries.map((entry) => [entry.type, entry.id, entry.emailAddress, entry.store, entry.readable, entry.underCurrentKey])).toEqual([
      ['credential', 'mbx_aaaa', 'a@example.com', 'file', true, true],
      ['credential', 'mbx_bbbb', 'b@example.com', 'file', true, true],
      ['secret', 'webhook-signing-secret', undefined, 'file', true, true],
    ]);
    expect(report.entries.every((entry) => entry.keyId === report.currentKey?.keyId)).toBe(true);
    expect(report.mailboxesWithoutCredential).toEqual([{ mailboxId: orphan, emailAddress: 'c@example.com', status: 'active' }]);
    expect(report.summary).toEqual({ credentials: 2, secrets: 1, readable: 3, unreadable: 0, notUnderCurrentKey: 0, mailboxesWithoutCredential: 1 });
    for (const token of [TOKEN_A, TOKEN_B, SECRET]) expect(JSON.stringify(report)).not.toContain(token);
  });

  it('finds a tampered envelope and says what to do', async () => {
    const { h, b } = await populatedHome();
    const row = h.store.sqlite.prepare('select ciphertext from credentials where mailbox_id = ?').get(b) as { ciphertext: string };
    const bytes = Buffer.from(row.ciphertext, 'base64');
    bytes[3] ^= 0xff;
    h.store.sqlite.prepare('update credentials set ciphertext = ? where mailbox_id = ?').run(bytes.toString('base64'), b);
    const report = await auditCredentials(auditDeps(h));
    expect(report.ok).toBe(false);
    const bad = report.entries.find((entry) => entry.id === b);
    expect(bad).toMatchObject({ readable: false, underCurrentKey: true, problem: expect.stringContaining('does not decrypt'), fix: expect.stringContaining('mailmon login') });
    expect(report.summary.unreadable).toBe(1);
    const [check] = await credentialsDoctorCheck(async () => auditDeps(h))();
    expect(check).toMatchObject({ name: 'credentials', ok: false, detail: expect.stringContaining('1 of 3 unreadable') });
  });

  it('after the key changes, flags every envelope as not under the current key', async () => {
    const { h } = await populatedHome();
    const { env, config } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    const report = await auditCredentials(auditDeps({ ...h, env, config }));
    expect(report.currentKey?.source).toBe('env');
    expect(report.summary).toMatchObject({ unreadable: 3, notUnderCurrentKey: 3 });
    expect(report.entries[0].fix).toContain('mailmon credentials rewrap');
  });

  it('is read-only: it never creates a key file', async () => {
    const h = openVaultHome();
    homes.push(h);
    const report = await auditCredentials(auditDeps(h));
    expect(report).toMatchObject({ ok: true, currentKey: null, entries: [] });
    expect(fs.existsSync(h.home.keyFile)).toBe(false);
    const [check] = await credentialsDoctorCheck(async () => auditDeps(h))();
    expect(check).toEqual({ name: 'credentials', ok: true, detail: 'none stored' });
  });

  it('checks keychain entries too', async () => {
    const h = openVaultHome({ MAILMON_SECRET_STORE: 'keychain' });
    homes.push(h);
    const keychain = memoryKeychain();
    const id = insertMailbox(h.store, 'k@example.com');
    await (await openCredentialVault({ ...h, keychain })).saveRefreshToken(id, TOKEN_A);
    expect((await auditCredentials(auditDeps({ ...h, keychain }))).entries[0]).toMatchObject({ store: 'keychain', keyId: null, underCurrentKey: null, readable: true });
    keychain.entries.clear();
    expect((await auditCredentials(auditDeps({ ...h, keychain }))).entries[0]).toMatchObject({ readable: false });
  });
});

describe('credentials rewrap', () => {
  it('round trip: a new key makes the old envelopes unreadable; rewrap (old key = the key file) makes them readable again', async () => {
    const { h, a, b } = await populatedHome();
    const oldKeyId = (await auditCredentials(auditDeps(h))).currentKey?.keyId;
    const { env, config } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    const withNewKey = await openCredentialVault({ ...h, env, config });
    expect((await rejection(withNewKey.loadRefreshToken(a))).code).toBe('credential_unreadable');

    const result = await rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env }));
    expect(result).toMatchObject({ oldKeyId, oldKeySource: 'key-file', currentKeySource: 'env', alreadyCurrent: 0, inKeychain: 0, retiredKeyFile: h.home.keyFile });
    expect(result.rewrapped).toEqual([{ type: 'credential', id: a }, { type: 'credential', id: b }, { type: 'secret', id: 'webhook-signing-secret' }]);
    expect(result.currentKeyId).not.toBe(oldKeyId);

    expect(await withNewKey.loadRefreshToken(a)).toBe(TOKEN_A);
    expect(await withNewKey.loadRefreshToken(b)).toBe(TOKEN_B);
    expect(await withNewKey.loadSecret('webhook-signing-secret')).toBe(SECRET);
    // The old configuration (key file only) no longer opens them.
    const withOldKey = await openCredentialVault(h);
    expect((await rejection(withOldKey.loadRefreshToken(a))).code).toBe('credential_unreadable');
    expect((await auditCredentials(auditDeps({ ...h, env, config }))).ok).toBe(true);

    // Running it again has nothing to do.
    const again = await rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env }));
    expect(again).toMatchObject({ rewrapped: [], alreadyCurrent: 3 });
  });

  it('takes the old key from MAILMON_OLD_ENCRYPTION_KEY or --old-key-file', async () => {
    const oldKey = randomKeyBase64();
    const h = openVaultHome({ MAILMON_ENCRYPTION_KEY: oldKey });
    homes.push(h);
    const id = insertMailbox(h.store, 'x@example.com');
    await (await openCredentialVault(h)).saveRefreshToken(id, TOKEN_A);

    const first = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64(), MAILMON_OLD_ENCRYPTION_KEY: oldKey });
    expect((await rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env: first.env }))).oldKeySource).toBe('env');
    expect(await (await openCredentialVault({ ...h, ...first })).loadRefreshToken(id)).toBe(TOKEN_A);

    const oldKeyFile = path.join(path.dirname(h.home.root), 'old.key');
    fs.writeFileSync(oldKeyFile, `${first.env.MAILMON_ENCRYPTION_KEY}\n`, { mode: 0o600 });
    const second = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    expect((await rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env: second.env }), { oldKeyFile })).oldKeySource).toBe('old-key-file');
    expect(await (await openCredentialVault({ ...h, ...second })).loadRefreshToken(id)).toBe(TOKEN_A);
  });

  it('with a wrong old key, changes nothing at all (rows byte-for-byte identical)', async () => {
    const { h, a } = await populatedHome();
    const { env } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64(), MAILMON_OLD_ENCRYPTION_KEY: randomKeyBase64() });
    const before = envelopeTables(h.store);
    const error = await rejection(rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env })));
    expect(error.code).toBe('credential_unreadable');
    expect(error.message).toMatch(/^3 envelopes do not open with the old key [0-9a-f]{16} \(credential mbx_aaaa, credential mbx_bbbb, secret webhook-signing-secret\); nothing was changed\.$/);
    expect(envelopeTables(h.store)).toEqual(before);
    expect(await (await openCredentialVault(h)).loadRefreshToken(a)).toBe(TOKEN_A);
  });

  it('is all or nothing when only one envelope fails to open', async () => {
    const { h, b } = await populatedHome();
    // b was sealed with some third key (e.g. restored from another machine).
    const stray = openVaultHome({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    homes.push(stray);
    insertMailbox(stray.store, 'b@example.com', b);
    await (await openCredentialVault(stray)).saveRefreshToken(b, TOKEN_B);
    const strayRow = stray.store.sqlite.prepare('select * from credentials').get() as Record<string, unknown>;
    h.store.sqlite.prepare('update credentials set key_id = @key_id, nonce = @nonce, tag = @tag, ciphertext = @ciphertext where mailbox_id = @mailbox_id').run(strayRow);

    const { env } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    const before = envelopeTables(h.store);
    const error = await rejection(rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env })));
    expect(error.message).toContain(`1 envelope does not open with the old key`);
    expect(error.message).toContain(`credential ${b}`);
    expect(error.hint).toContain(String(strayRow.key_id));
    expect(envelopeTables(h.store)).toEqual(before);
  });

  it('without any old key, says how to give one', async () => {
    const oldKey = randomKeyBase64();
    const h = openVaultHome({ MAILMON_ENCRYPTION_KEY: oldKey });
    homes.push(h);
    await (await openCredentialVault(h)).saveSecret('s', SECRET);
    const { env } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    const error = await rejection(rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env })));
    expect(error.code).toBe('credential_unreadable');
    expect(error.hint).toContain('--old-key-file');
    expect(error.hint).toContain('MAILMON_OLD_ENCRYPTION_KEY');
  });

  it('refuses a key pasted as --old-key-file without echoing it', async () => {
    const { h } = await populatedHome();
    const pasted = randomKeyBase64();
    const { env } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    const error = await rejection(rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env }), { oldKeyFile: pasted }));
    expect(error.code).toBe('encryption_key_invalid');
    expect(error.message).toBe('--old-key-file takes the PATH of a file holding the old key, not the key itself.');
    expect(`${error.message}${error.hint}`).not.toContain(pasted);
    const missing = await rejection(rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env }), { oldKeyFile: '/nonexistent/old.key' }));
    expect(missing.message).toBe('The old key file /nonexistent/old.key does not exist.');
  });

  it('swaps nothing if any row changed between reading and writing', async () => {
    const { h, a, b } = await populatedHome();
    const rows = listEnvelopeRows(h.store).filter((row) => row.type === 'credential');
    const next = { envelopeVersion: 1, keyId: 'ffffffffffffffff', nonce: 'bm9uY2U=', tag: 'dGFn', ciphertext: 'Y2lwaGVy' };
    // A concurrent login re-saved b after we read it.
    await (await openCredentialVault(h)).saveRefreshToken(b, `${TOKEN_B}-new`);
    const before = envelopeTables(h.store);
    let caught: unknown;
    try {
      replaceEnvelopes(h.store, rows.map((row) => ({ type: row.type, owner: row.owner, expected: row, next })), Date.now());
    } catch (error) {
      caught = error;
    }
    expect(isMailmonError(caught) && caught.code).toBe('credential_changed');
    expect(envelopeTables(h.store)).toEqual(before);
    expect(await (await openCredentialVault(h)).loadRefreshToken(a)).toBe(TOKEN_A);
  });

  it('leaves keychain entries alone', async () => {
    const h = openVaultHome({ MAILMON_SECRET_STORE: 'keychain' });
    homes.push(h);
    const keychain = memoryKeychain();
    const id = insertMailbox(h.store, 'k@example.com');
    await (await openCredentialVault({ ...h, keychain })).saveRefreshToken(id, TOKEN_A);
    const { env } = h.withEnv({ MAILMON_ENCRYPTION_KEY: randomKeyBase64() });
    expect(await rewrapCredentials(rewrapDeps({ store: h.store, home: h.home, env }))).toMatchObject({ rewrapped: [], inKeychain: 1 });
  });
});
