import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { findSecrets } from '../support/byte-scan.js';
import { parseJson, runCli, tempHome } from '../support/cli.js';
import { insertMailbox, openVaultHome, randomKeyBase64 } from '../support/vault-home.js';

const TOKEN_A = '1//0g-test-refresh-token-value-e2e-aaaaaaaaaaaaaaaa';
const TOKEN_B = '1//0g-test-refresh-token-value-e2e-bbbbbbbbbbbbbbbb';
const SECRET = 'whsec_test-signing-secret-e2e-cccccccccccc';

interface AuditJson {
  ok: boolean;
  currentKey: { keyId: string; source: string } | null;
  secretStore: { setting: string; newValuesGoTo: string; keychainAvailable: boolean | null };
  entries: Array<{ type: string; id: string; readable: boolean; keyId: string | null; underCurrentKey: boolean | null }>;
  mailboxesWithoutCredential: Array<{ mailboxId: string }>;
  summary: Record<string, number>;
}

/** A home prepared from the test process: two credentials, a secret (key file), a mailbox without credential. */
async function preparedHome() {
  const root = tempHome('mailmon-e2e-cred-');
  const h = openVaultHome({}, root);
  const a = insertMailbox(h.store, 'a@example.com', 'mbx_e2e_a');
  const b = insertMailbox(h.store, 'b@example.com', 'mbx_e2e_b');
  insertMailbox(h.store, 'c@example.com', 'mbx_e2e_c');
  const vault = await openCredentialVault(h);
  await vault.saveRefreshToken(a, TOKEN_A);
  await vault.saveRefreshToken(b, TOKEN_B);
  await vault.saveSecret('webhook-signing-secret', SECRET);
  h.close();
  return { root, a, b };
}

function expectNoSecrets(...outputs: string[]): void {
  for (const output of outputs) {
    for (const value of [TOKEN_A, TOKEN_B, SECRET]) expect(output).not.toContain(value);
  }
}

function envelopeRows(root: string): unknown[] {
  const db = new Database(path.join(root, 'mailmon.db'), { readonly: true });
  try {
    return [...db.prepare('select * from credentials order by mailbox_id').all(), ...db.prepare('select * from secrets order by name').all()];
  } finally {
    db.close();
  }
}

describe('mailmon credentials', () => {
  it('audit --json reports every credential readable, and the mailbox without one', async () => {
    const { root } = await preparedHome();
    const result = await runCli(['credentials', 'audit', '--json'], { home: root });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = parseJson<AuditJson>(result.stdout);
    expect(report.ok).toBe(true);
    expect(report.currentKey?.source).toBe('file');
    expect(report.entries.map((entry) => [entry.type, entry.id, entry.readable, entry.underCurrentKey])).toEqual([
      ['credential', 'mbx_e2e_a', true, true],
      ['credential', 'mbx_e2e_b', true, true],
      ['secret', 'webhook-signing-secret', true, true],
    ]);
    expect(report.mailboxesWithoutCredential.map((mailbox) => mailbox.mailboxId)).toEqual(['mbx_e2e_c']);
    expectNoSecrets(result.stdout, result.stderr);

    const human = await runCli(['credentials', 'audit'], { home: root });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('mbx_e2e_a');
    expect(human.stdout).toContain('mailbox mbx_e2e_c (c@example.com, active) has no credential');
    expect(human.stdout).toContain('3 readable, 0 unreadable.');
  });

  it('after MAILMON_ENCRYPTION_KEY changes: audit fails and says to rewrap; rewrap re-encrypts everything; the old key stops working', async () => {
    const { root, a } = await preparedHome();
    const newKey = randomKeyBase64();
    const env = { MAILMON_ENCRYPTION_KEY: newKey };

    const stale = await runCli(['credentials', 'audit', '--json'], { home: root, env });
    expect(stale.exitCode).toBe(5);
    const staleReport = parseJson<AuditJson>(stale.stdout);
    expect(staleReport.ok).toBe(false);
    expect(staleReport.summary).toMatchObject({ unreadable: 3, notUnderCurrentKey: 3 });
    const staleHuman = await runCli(['credentials', 'audit'], { home: root, env });
    expect(staleHuman.exitCode).toBe(5);
    expect(staleHuman.stderr).toMatch(/^Error: 3 of 3 stored credentials are unreadable\.\n→ .*mailmon credentials rewrap/);

    const doctor = await runCli(['doctor', '--json'], { home: root, env });
    expect(doctor.exitCode).toBe(1);
    expect(parseJson<{ checks: Array<{ name: string; ok: boolean }> }>(doctor.stdout).checks).toContainEqual(expect.objectContaining({ name: 'credentials', ok: false }));

    const rewrap = await runCli(['credentials', 'rewrap'], { home: root, env });
    expect(rewrap.exitCode, rewrap.stderr).toBe(0);
    expect(rewrap.stdout).toMatch(/^Rewrapped 3 envelopes from key [0-9a-f]{16} to key [0-9a-f]{16}\.\n$/);
    expect(rewrap.stderr).toContain('Keep MAILMON_ENCRYPTION_KEY set');
    expectNoSecrets(rewrap.stdout, rewrap.stderr);

    const fresh = await runCli(['credentials', 'audit', '--json'], { home: root, env });
    expect(fresh.exitCode, fresh.stdout).toBe(0);
    expect(parseJson<AuditJson>(fresh.stdout).summary).toMatchObject({ readable: 3, unreadable: 0 });

    // Nothing lost: the new key opens the same values; the old configuration does not.
    const withNew = openVaultHome({ MAILMON_ENCRYPTION_KEY: newKey }, root);
    try {
      expect(await (await openCredentialVault(withNew)).loadRefreshToken(a)).toBe(TOKEN_A);
      expect(await (await openCredentialVault(withNew)).loadSecret('webhook-signing-secret')).toBe(SECRET);
    } finally {
      withNew.close();
    }
    // The CLI held every plaintext in memory while rewrapping; none of it reached the disk.
    expect(findSecrets(root, [TOKEN_A, TOKEN_B, SECRET])).toEqual([]);
    const oldOnly = await runCli(['credentials', 'audit', '--json'], { home: root });
    expect(oldOnly.exitCode).toBe(5);

    const again = await runCli(['credentials', 'rewrap', '--json'], { home: root, env });
    expect(again.exitCode).toBe(0);
    expect(parseJson(again.stdout)).toMatchObject({ rewrapped: [], alreadyCurrent: 3 });
  });

  it('rewrap with a wrong old key changes nothing and says why', async () => {
    const { root } = await preparedHome();
    const before = envelopeRows(root);
    const result = await runCli(['credentials', 'rewrap', '--json'], { home: root, env: { MAILMON_ENCRYPTION_KEY: randomKeyBase64(), MAILMON_OLD_ENCRYPTION_KEY: randomKeyBase64() } });
    expect(result.exitCode).toBe(5);
    const { error } = parseJson<{ error: { code: string; message: string; hint: string } }>(result.stdout);
    expect(error.code).toBe('credential_unreadable');
    expect(error.message).toContain('nothing was changed');
    expect(envelopeRows(root)).toEqual(before);
  });

  it('rewrap --old-key-file reads the old key from a file (never from the flag value)', async () => {
    const oldKey = randomKeyBase64();
    const root = tempHome('mailmon-e2e-cred-');
    const h = openVaultHome({ MAILMON_ENCRYPTION_KEY: oldKey }, root);
    const id = insertMailbox(h.store, 'f@example.com');
    await (await openCredentialVault(h)).saveRefreshToken(id, TOKEN_A);
    h.close();
    const oldKeyFile = path.join(path.dirname(root), 'old.key');
    fs.writeFileSync(oldKeyFile, `${oldKey}\n`, { mode: 0o600 });
    const env = { MAILMON_ENCRYPTION_KEY: randomKeyBase64() };
    const result = await runCli(['credentials', 'rewrap', '--old-key-file', oldKeyFile, '--json'], { home: root, env });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(parseJson(result.stdout)).toMatchObject({ oldKeySource: 'old-key-file', rewrapped: [{ type: 'credential', id }] });
    expect((await runCli(['credentials', 'audit', '--json'], { home: root, env })).exitCode).toBe(0);
    expectNoSecrets(result.stdout, result.stderr);
    expect(result.stdout).not.toContain(oldKey);
  });

  it('a bad MAILMON_ENCRYPTION_KEY is one clear line (plus what to do) and a non-zero exit', async () => {
    const { root } = await preparedHome();
    for (const bad of ['not-base64!!', randomKeyBase64().slice(0, 40)]) {
      const result = await runCli(['credentials', 'audit'], { home: root, env: { MAILMON_ENCRYPTION_KEY: bad } });
      expect(result.exitCode).toBe(3);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^Error: MAILMON_ENCRYPTION_KEY (is not standard base64|decodes to \d+ bytes; it must be exactly 32)\.$/);
      expect(lines[1]).toContain('openssl rand -base64 32');
      expect(result.stderr).not.toContain(bad);
    }
  });

  // Only Linux keychains go through D-Bus; elsewhere the probe rightly succeeds without one.
  it.skipIf(process.platform !== 'linux')('auto falls back to the file store when no D-Bus session is reachable', async () => {
    const result = await runCli(['credentials', 'audit', '--json'], {
      home: tempHome(),
      env: { MAILMON_SECRET_STORE: 'auto', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/mailmon-e2e-bus' },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(parseJson<AuditJson>(result.stdout).secretStore).toEqual(expect.objectContaining({ setting: 'auto', newValuesGoTo: 'file', keychainAvailable: false }));
  });
});
