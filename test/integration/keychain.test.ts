import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { probeKeychain, PROBE_TIMEOUT_MS } from '../../src/adapters/secrets/keychain.js';
import { hasCode, type MailmonError } from '../../src/core/errors.js';
import { ROOT, tempHome } from '../support/cli.js';
import { insertMailbox, openVaultHome } from '../support/vault-home.js';

const hasBinary = (name: string) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
// The real keychain needs a session bus and a Secret Service; CI images without
// dbus-run-session or gnome-keyring-daemon cannot start one, so that test is skipped there.
const secretServiceAvailable = hasBinary('dbus-run-session') && hasBinary('gnome-keyring-daemon');

// The "no D-Bus" cases only mean something on Linux: macOS and Windows keychains need no bus,
// so there the probe rightly succeeds and these tests do not apply.
const onLinux = process.platform === 'linux';

function withBus(address: string): NodeJS.ProcessEnv {
  return { ...process.env, DBUS_SESSION_BUS_ADDRESS: address };
}

describe('the keychain probe', () => {
  it.skipIf(!onLinux)('says unavailable at once when there is no D-Bus', async () => {
    const probe = await probeKeychain({ env: withBus('unix:path=/nonexistent/mailmon-test-bus') });
    expect(probe.available).toBe(false);
    expect(probe.reason).toMatch(/dbus|socket|No such file/i);
    expect(probe.elapsedMs).toBeLessThan(PROBE_TIMEOUT_MS);
  });

  it.skipIf(!onLinux)('never hangs longer than ~2 s, even on a bus that accepts and never answers', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-bus-'));
    const socket = path.join(dir, 'bus');
    const held: net.Socket[] = [];
    const server = net.createServer((connection) => void held.push(connection));
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    try {
      const started = Date.now();
      const probe = await probeKeychain({ env: withBus(`unix:path=${socket}`) });
      const elapsed = Date.now() - started;
      expect(probe.available).toBe(false);
      expect(probe.reason).toContain('did not answer within 2000 ms');
      expect(elapsed).toBeGreaterThanOrEqual(PROBE_TIMEOUT_MS - 50);
      expect(elapsed).toBeLessThan(PROBE_TIMEOUT_MS + 1_000);
    } finally {
      for (const connection of held) connection.destroy();
      server.close();
    }
  });

  it('is cached per process and bus address', async () => {
    const env = withBus('unix:path=/nonexistent/mailmon-test-bus-2');
    const first = probeKeychain({ env });
    expect(probeKeychain({ env })).toBe(first);
  });
});

describe('choosing the store with the real probe', () => {
  it.skipIf(!onLinux)('auto falls back to the file store without D-Bus; keychain then fails with a clear hint', async () => {
    const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
    process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/mailmon-test-bus-3';
    const h = openVaultHome({ MAILMON_SECRET_STORE: 'auto' });
    try {
      const started = Date.now();
      const vault = await openCredentialVault(h);
      expect(vault.kind).toBe('file');
      expect(Date.now() - started).toBeLessThan(PROBE_TIMEOUT_MS);
      const mailboxId = insertMailbox(h.store, 'fallback@example.com');
      await vault.saveRefreshToken(mailboxId, '1//0g-test-refresh-token-value-fallback');
      expect(await vault.loadRefreshToken(mailboxId)).toBe('1//0g-test-refresh-token-value-fallback');
      const { env, config } = h.withEnv({ MAILMON_SECRET_STORE: 'keychain' });
      let caught: unknown;
      try {
        await openCredentialVault({ ...h, env, config });
      } catch (error) {
        caught = error;
      }
      expect(hasCode(caught, 'keychain_unavailable')).toBe(true);
      expect((caught as MailmonError).hint).toContain('MAILMON_SECRET_STORE=file');
    } finally {
      h.close();
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved;
    }
  });
});

describe('the vault with the real OS keychain (gnome-keyring under dbus-run-session)', () => {
  it.skipIf(!onLinux || !secretServiceAvailable)('stores the token in the Secret Service, metadata only in the row, and deletes it', async () => {
    const token = `1//0g-test-refresh-token-value-keychain-${process.pid}-${Date.now()}`;
    const script = path.join(ROOT, 'test/support/keychain-vault-roundtrip.ts');
    const inner = `echo -n mailmon-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "${process.execPath}" --import tsx "${script}" "${token}" auto "${tempHome()}"`;
    const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-keyring-home-'));
    const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner], {
      cwd: ROOT,
      // A private HOME, data and runtime dir: the test never touches (or talks to) the user's own keyring daemon.
      env: { ...process.env, HOME: privateDir, XDG_DATA_HOME: path.join(privateDir, 'data'), XDG_RUNTIME_DIR: privateDir, DBUS_SESSION_BUS_ADDRESS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
    expect(result.probe.available, JSON.stringify(result.probe)).toBe(true);
    expect(result.kind).toBe('keychain');
    expect(result.row).toMatchObject({ store: 'keychain', envelope_version: null, key_id: null, nonce: null, tag: null, ciphertext: null, client_id: 'client-1' });
    expect(result).toMatchObject({ loadedMatches: true, secretMatches: true, directMatches: true, auditOk: true, auditStores: ['keychain', 'keychain'], deleted: true, afterDelete: null, keyFileExists: false });
    expect(stdout).not.toContain(token);
  });
});
