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

/**
 * The real OS keychain. Two ways to reach a Secret Service:
 * - the session bus this test runs on, when one answers there (.ci/run runs `npm test` inside
 *   `dbus-run-session` with gnome-keyring unlocked) — exercised in-process, exactly as a
 *   desktop user's command does;
 * - a private `dbus-run-session` + gnome-keyring started by the test (needs the binaries), with
 *   its own HOME and no display, so it never touches or prompts on the user's own keyring; the
 *   locked-keyring case locks that private keyring.
 * Neither present: skipped — unless MAILMON_REQUIRE_KEYRING=1 (set by .ci/run), then failed.
 */
const requireKeyring = process.env.MAILMON_REQUIRE_KEYRING === '1';
const privateKeyring = onLinux && ['dbus-run-session', 'dbus-send', 'gnome-keyring-daemon'].every(hasBinary);
// A generous budget for deciding whether to run: the 2 s a user waits is checked in the test.
const sessionProbe = onLinux && process.env.DBUS_SESSION_BUS_ADDRESS ? await probeKeychain({ timeoutMs: 20_000 }) : null;
const sessionKeyring = sessionProbe?.available === true;

/** `it` when `available`; otherwise skipped, or failing with `why` when a keyring is required. */
function itWith(available: boolean, why: string) {
  if (available) return it;
  if (!requireKeyring) return it.skip;
  return (name: string, _test: () => Promise<void>) => it(name, () => {
    throw new Error(`MAILMON_REQUIRE_KEYRING=1 but ${why}. Install gnome-keyring and dbus and run the tests inside dbus-run-session with the keyring unlocked (see .ci/run).`);
  });
}

const PRIVATE_WHY = 'dbus-run-session, dbus-send or gnome-keyring-daemon is missing';

/** Runs a test/support script inside a private session bus with gnome-keyring unlocked; returns its JSON line. */
async function inPrivateKeyring(script: string, args: string[]): Promise<Record<string, unknown>> {
  const file = path.join(ROOT, 'test/support', script);
  const quoted = args.map((arg) => `"${arg}"`).join(' ');
  const inner = `echo -n mailmon-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "${process.execPath}" --import tsx "${file}" ${quoted}`;
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mailmon-keyring-home-'));
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: privateDir, XDG_DATA_HOME: path.join(privateDir, 'data'), XDG_RUNTIME_DIR: privateDir, DBUS_SESSION_BUS_ADDRESS: '' };
  // No display: a locked keyring must not pop an unlock prompt on a developer's screen.
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  try {
    const child = spawn('dbus-run-session', ['--', 'sh', '-c', inner], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code, stderr).toBe(0);
    for (const arg of args) if (arg.startsWith('1//')) expect(stdout).not.toContain(arg);
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
  } finally {
    fs.rmSync(privateDir, { recursive: true, force: true });
  }
}

describe('the vault with the real OS keychain (gnome-keyring under dbus-run-session)', () => {
  itWith(privateKeyring, PRIVATE_WHY)('stores the token in the Secret Service, metadata only in the row, and deletes it', async () => {
    const token = `1//0g-test-refresh-token-value-keychain-${process.pid}-${Date.now()}`;
    const result = await inPrivateKeyring('keychain-vault-roundtrip.ts', [token, 'auto', tempHome()]);
    expect((result.probe as { available: boolean }).available, JSON.stringify(result.probe)).toBe(true);
    expect(result.kind).toBe('keychain');
    expect(result.row).toMatchObject({ store: 'keychain', envelope_version: null, key_id: null, nonce: null, tag: null, ciphertext: null, client_id: 'client-1' });
    expect(result).toMatchObject({ loadedMatches: true, secretMatches: true, directMatches: true, auditOk: true, auditStores: ['keychain', 'keychain'], deleted: true, afterDelete: null, keyFileExists: false });
  });

  itWith(privateKeyring, PRIVATE_WHY)('a locked keyring: the probe answers within 2 s, auto falls back to the file store, keychain and reads fail with a clear hint', async () => {
    const token = `1//0g-test-refresh-token-value-locked-${process.pid}-${Date.now()}`;
    const result = await inPrivateKeyring('keychain-locked.ts', [token, tempHome()]);
    expect(result.locked).toBe(true);
    const probe = result.probe as { available: boolean; reason: string; elapsedMs: number };
    expect(probe.available).toBe(false);
    expect(probe.reason).toMatch(/unlock|locked|did not answer within 2000 ms/i);
    expect(probe.elapsedMs).toBeLessThan(PROBE_TIMEOUT_MS + 1_000);
    expect(result.auto).toMatchObject({ ok: true, value: { kind: 'file', row: { store: 'file', sealed: 1 }, loadedMatches: true } });
    expect(result.keychainOnly).toMatchObject({ ok: false, code: 'keychain_unavailable' });
    expect((result.keychainOnly as { hint: string }).hint).toContain('MAILMON_SECRET_STORE=file');
    // A token stored while it was unlocked: a clear error naming the fix, promptly — never a hang.
    const read = result.readLocked as { ok: boolean; code: string; hint: string; elapsedMs: number };
    expect(read).toMatchObject({ ok: false, code: 'credential_unreadable' });
    expect(read.hint).toMatch(/unlock your keychain and try again/i);
    expect(read.elapsedMs).toBeLessThan(11_000);
  });

  itWith(sessionKeyring, `no Secret Service answers on this session bus (${sessionProbe?.reason ?? 'DBUS_SESSION_BUS_ADDRESS is not set'})`)(
    'the Secret Service on this session bus: the 2 s probe says available, auto picks it, a token round-trips in-process',
    async () => {
      const probe = await probeKeychain();
      expect(probe.available, probe.reason).toBe(true);
      expect(probe.elapsedMs).toBeLessThan(PROBE_TIMEOUT_MS);
      const h = openVaultHome({ MAILMON_SECRET_STORE: 'auto' });
      try {
        const vault = await openCredentialVault(h);
        expect(vault.kind).toBe('keychain');
        const mailboxId = insertMailbox(h.store, 'session@example.com');
        const token = `1//0g-test-refresh-token-value-session-${process.pid}-${Date.now()}`;
        await vault.saveRefreshToken(mailboxId, token);
        expect(h.store.sqlite.prepare('select store, ciphertext from credentials where mailbox_id = ?').get(mailboxId)).toEqual({ store: 'keychain', ciphertext: null });
        expect(await vault.loadRefreshToken(mailboxId)).toBe(token);
        expect(await vault.deleteCredential(mailboxId)).toBe(true);
        expect(await rejectionCode(vault.loadRefreshToken(mailboxId))).toBe('credential_missing');
      } finally {
        h.close();
      }
    },
  );
});

async function rejectionCode(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}
