// Runs inside `dbus-run-session` with an unlocked gnome-keyring: the vault with the REAL OS
// keychain. Prints one JSON line of observations for the parent test to check.
import fs from 'node:fs';
import { openCredentialVault } from '../../src/adapters/secrets/credential-vault.js';
import { osKeychain, probeKeychain } from '../../src/adapters/secrets/keychain.js';
import { auditCredentials } from '../../src/app/credentials-audit.js';
import { auditDeps, insertMailbox, openVaultHome } from './vault-home.js';

const token = process.argv[2];
const h = openVaultHome({ MAILMON_SECRET_STORE: process.argv[3] ?? 'auto' }, process.argv[4]);
// A generous probe budget: on a loaded CI machine the probe's child process can take longer
// than the 2 s a user waits at most (that budget is what the probe tests above check).
const slowProbe = () => probeKeychain({ timeoutMs: 20_000 });
const probe = await slowProbe();
const mailboxId = insertMailbox(h.store, 'keychain@example.com');
const vault = await openCredentialVault({ ...h, keychain: { probe: slowProbe, keychain: osKeychain() } });
await vault.saveRefreshToken(mailboxId, token, { clientId: 'client-1' });
await vault.saveSecret('webhook-signing-secret', `${token}-secret`);
const row = h.store.sqlite.prepare('select * from credentials').get();
const loaded = await vault.loadRefreshToken(mailboxId);
const secret = await vault.loadSecret('webhook-signing-secret');
const audit = await auditCredentials(auditDeps({ ...h, keychain: { probe: slowProbe, keychain: osKeychain() } }));
const { AsyncEntry } = await import('@napi-rs/keyring');
const direct = await new AsyncEntry('mailmon', `credential:${mailboxId}`, { linux: { store: 'secret-service' } }).getPassword();
const deleted = await vault.deleteCredential(mailboxId);
const afterDelete = await new AsyncEntry('mailmon', `credential:${mailboxId}`, { linux: { store: 'secret-service' } }).getPassword();
h.close();
process.stdout.write(`${JSON.stringify({
  probe,
  kind: vault.kind,
  row,
  loadedMatches: loaded === token,
  secretMatches: secret === `${token}-secret`,
  directMatches: direct === token,
  auditOk: audit.ok,
  auditStores: audit.entries.map((entry) => entry.store),
  deleted,
  afterDelete,
  keyFileExists: fs.existsSync(h.home.keyFile),
})}\n`);
