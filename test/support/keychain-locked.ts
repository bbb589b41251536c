// Runs inside `dbus-run-session` with gnome-keyring: stores a token while the keyring is
// unlocked, locks the keyring's collection (as a screen lock or a fresh login does), then
// observes what mailmon does with a LOCKED real Secret Service. Prints one JSON line.
import { spawnSync } from 'node:child_process';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { osKeychain, probeKeychain } from '../../src/adapters/secrets/keychain.js';
import { insertMailbox, openVaultHome } from './vault-home.js';

const token = process.argv[2];
const h = openVaultHome({ MAILMON_SECRET_STORE: 'auto' }, process.argv[3]);
const outcome = async <T>(operation: () => Promise<T>) => {
  const started = Date.now();
  try {
    return { ok: true, value: await operation(), elapsedMs: Date.now() - started };
  } catch (error) {
    const { code, message, hint } = error as { code?: string; message: string; hint?: string };
    return { ok: false, code, message, hint, elapsedMs: Date.now() - started };
  }
};

// Unlocked: the token goes to the keychain (a generous probe budget: see keychain-vault-roundtrip.ts).
const slowProbe = () => probeKeychain({ timeoutMs: 20_000 });
const stored = insertMailbox(h.store, 'stored@example.com');
const unlockedVault = await openCredentialVault({ ...h, keychain: { probe: slowProbe, keychain: osKeychain() } });
await unlockedVault.saveRefreshToken(stored, token);

const lock = spawnSync('dbus-send', ['--session', '--dest=org.freedesktop.secrets', '--print-reply', '/org/freedesktop/secrets',
  'org.freedesktop.Secret.Service.Lock', 'array:objpath:/org/freedesktop/secrets/collection/login'], { encoding: 'utf8' });

// Locked: what a user's command sees (the default 2 s probe, the real keychain).
const probe = await outcome(() => probeKeychain());
const auto = await outcome(async () => {
  const vault = await openCredentialVault(h);
  const mailboxId = insertMailbox(h.store, 'fallback@example.com');
  await vault.saveRefreshToken(mailboxId, `${token}-fallback`);
  const row = h.store.sqlite.prepare('select store, ciphertext is not null as sealed from credentials where mailbox_id = ?').get(mailboxId);
  return { kind: vault.kind, row, loadedMatches: (await vault.loadRefreshToken(mailboxId)) === `${token}-fallback` };
});
const { env, config } = h.withEnv({ MAILMON_SECRET_STORE: 'keychain' });
const keychainOnly = await outcome(() => openCredentialVault({ ...h, env, config }));
const readLocked = await outcome(() => unlockedVault.loadRefreshToken(stored));
h.close();
process.stdout.write(`${JSON.stringify({
  locked: lock.status === 0 ? true : lock.stderr,
  probe: probe.ok ? probe.value : probe,
  auto,
  keychainOnly: { ...keychainOnly, value: undefined },
  readLocked: { ...readLocked, value: readLocked.ok ? 'read a value from a locked keyring' : undefined },
})}\n`);
