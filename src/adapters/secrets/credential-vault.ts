/**
 * The credential vault: refresh tokens per mailbox and named home-wide secrets.
 *
 * Where new values go is decided once, when the vault opens: `secret-store` (config) or
 * `MAILMON_SECRET_STORE` = keychain | file | auto (auto: the OS keychain when its probe round
 * trip succeeds, else the file store). Reads follow each row's own `store`, so a credential
 * saved under another setting stays readable.
 *
 * Guarantees: a value is never written unencrypted. With the file store the row holds an
 * AES-256-GCM envelope bound to its owner; with the keychain the row holds metadata only and
 * the value lives under service "mailmon", account `credential:<mailboxId>` / `secret:<name>`.
 * No error message, log line or return value other than the load functions carries a value.
 *
 * On a store shared by many machines (`shared`: PostgreSQL) every value is a file-store envelope
 * sealed with MAILMON_ENCRYPTION_KEY, which every daemon has: never the OS keychain (an entry
 * on one machine is missing on the others) and never the home's key file (ditto), which is
 * neither read nor generated.
 */
import { MailmonError } from '../../core/errors.js';
import type { Config } from '../../app/ports/config.js';
import type { HomeLayout } from '../system/home.js';
import type { SqliteStore } from '../sqlite/database.js';
import { sqliteStorage } from '../sqlite/sqlite-storage.js';
import type { Storage } from '../../app/ports/storage.js';
import type { EnvelopeOwnerType, EnvelopeRow, StoredEnvelopeFields } from '../../app/ports/credential-envelopes.js';
import type { CredentialVault as CredentialVaultPort, SecretStoreInspector, SecretStoreSetting } from '../../app/ports/credentials.js';
import { currentEncryptionKey, currentOrNewEncryptionKey, ENCRYPTION_KEY_ENV, keyFromEnv, type EncryptionKey } from './encryption-key.js';
import { associatedDataFor, envelopeOfRow, fieldsOfEnvelope, GENERATE_KEY_HINT, openEnvelope, sealEnvelope } from '../../core/envelope.js';
import { osKeychain, probeKeychain, type Keychain, type KeychainProbe } from './keychain.js';

export { associatedDataFor, envelopeOfRow, fieldsOfEnvelope } from '../../core/envelope.js';
export type { SecretStoreSetting } from '../../app/ports/credentials.js';

/** The CredentialVault port plus where this vault puts new values. */
export interface CredentialVault extends CredentialVaultPort {
  readonly kind: 'keychain' | 'file';
}

/** The keychain as the vault sees it: a probe and the operations. Tests pass a fake. */
export interface KeychainAccess {
  probe(): Promise<KeychainProbe>;
  keychain: Keychain;
}

export function osKeychainAccess(): KeychainAccess {
  return { probe: () => probeKeychain(), keychain: osKeychain() };
}

/** The vault keeps its rows in `storage` (any store), or in a SQLite `store`. */
export type VaultDeps = VaultOptions & ({ storage: Pick<Storage, 'credentialEnvelopes' | 'mailboxes'> } | { store: SqliteStore });

interface VaultOptions {
  home: HomeLayout;
  env: NodeJS.ProcessEnv;
  config: Config;
  keychain?: KeychainAccess;
  now?: () => number;
  /** The store is shared by many machines: sealed envelopes under MAILMON_ENCRYPTION_KEY only. */
  shared?: boolean;
}

export async function openCredentialVault(deps: VaultDeps): Promise<CredentialVault> {
  // A bad MAILMON_ENCRYPTION_KEY is an error now, not at the first save.
  keyFromEnv(deps.env);
  const keychain = deps.keychain ?? osKeychainAccess();
  const setting = secretStoreSetting(deps.config);
  const kind = deps.shared ? sharedSecretStore(setting) : await chooseSecretStore(setting, keychain);
  const storage = 'storage' in deps ? deps.storage : sqliteStorage(deps.store);
  return new StoredCredentialVault({ storage, home: deps.home, env: deps.env, keychain, now: deps.now ?? Date.now, shared: deps.shared === true }, kind);
}

/** A shared store takes envelopes only: `auto` means the file store there, an explicit `keychain` is refused. */
function sharedSecretStore(setting: SecretStoreSetting): 'file' {
  if (setting !== 'keychain') return 'file';
  throw new MailmonError('keychain_unavailable', 'A shared PostgreSQL store keeps credentials only as envelopes sealed with MAILMON_ENCRYPTION_KEY; the OS keychain (secret-store = keychain) cannot be used with it.', {
    hint: `Run "mailmon config set secret-store auto" (or file), and set ${ENCRYPTION_KEY_ENV} to the same key on every machine that uses this store.`,
  });
}

export function secretStoreSetting(config: Config): SecretStoreSetting {
  return config.string('secret-store') as SecretStoreSetting;
}

export async function chooseSecretStore(setting: SecretStoreSetting, keychain: KeychainAccess): Promise<'keychain' | 'file'> {
  if (setting === 'file') return 'file';
  const probe = await keychain.probe();
  if (probe.available) return 'keychain';
  if (setting === 'auto') return 'file';
  throw new MailmonError('keychain_unavailable', `The OS keychain is not available: ${probe.reason ?? 'the probe failed'}.`, {
    hint: 'Start or unlock your keychain (on Linux, a Secret Service such as gnome-keyring), or use the encrypted file store: MAILMON_SECRET_STORE=file.',
  });
}

export function keychainAccount(type: EnvelopeOwnerType, owner: string): string {
  return `${type}:${owner}`;
}

const NO_ENVELOPE: StoredEnvelopeFields = { envelopeVersion: null, keyId: null, nonce: null, tag: null, ciphertext: null };

export interface RevealContext {
  home: HomeLayout;
  env: NodeJS.ProcessEnv;
  keychain: KeychainAccess;
  /** A store shared by many machines: see the module header. */
  shared?: boolean;
}

function ownerLabel(type: EnvelopeOwnerType, owner: string): string {
  return type === 'credential' ? `credential of mailbox ${owner}` : `secret "${owner}"`;
}

/**
 * Decrypts (file) or fetches (keychain) the value a row stands for. Throws credential_unreadable
 * or credential_missing with what to do; never includes the value.
 */
export async function revealRow(context: RevealContext, row: EnvelopeRow): Promise<string> {
  const label = ownerLabel(row.type, row.owner);
  const again = row.type === 'credential' ? 'Log in again ("mailmon login") to store a fresh credential.' : 'Remove and recreate that secret.';
  if (row.store === 'keychain') return revealFromKeychain(context, row, label, again);
  if (row.store !== 'file') {
    throw new MailmonError('credential_unreadable', `The ${label} uses an unknown store "${row.store}".`, { hint: `Upgrade mailmon. ${again}` });
  }
  const key = context.shared ? keyFromEnv(context.env) : currentEncryptionKey(context.home, context.env);
  if (!key) {
    const missing = context.shared ? `${ENCRYPTION_KEY_ENV} is not set (a shared store uses no key file)` : `${ENCRYPTION_KEY_ENV} is not set and ${context.home.keyFile} does not exist`;
    throw new MailmonError('credential_unreadable', `The ${label} is encrypted with key ${row.keyId ?? '?'}, but there is no encryption key: ${missing}.`, {
      hint: context.shared
        ? `Set ${ENCRYPTION_KEY_ENV} to the key every machine using this store shares. ${again}`
        : `Set ${ENCRYPTION_KEY_ENV} to the key it was stored with (or restore the key file). ${again}`,
    });
  }
  return openEnvelope(envelopeOfRow(row), key.key, associatedDataFor(row.type, row.owner));
}

async function revealFromKeychain(context: RevealContext, row: EnvelopeRow, label: string, again: string): Promise<string> {
  if (context.shared) {
    throw new MailmonError('credential_unreadable', `The ${label} points into the OS keychain of the machine that saved it; a shared store cannot read it.`, {
      hint: `${again} With ${ENCRYPTION_KEY_ENV} set, it is stored as an envelope every machine can open.`,
    });
  }
  const probe = await context.keychain.probe();
  if (!probe.available) {
    throw new MailmonError('credential_unreadable', `The ${label} is in the OS keychain, which is not available: ${probe.reason ?? 'the probe failed'}.`, {
      hint: `Start or unlock your keychain (on Linux, a Secret Service such as gnome-keyring) and try again. ${again}`,
    });
  }
  let value: string | undefined;
  try {
    value = await context.keychain.keychain.get(keychainAccount(row.type, row.owner));
  } catch (error) {
    throw new MailmonError('credential_unreadable', `The ${label} could not be read from the OS keychain.`, { hint: `Unlock your keychain and try again. ${again}`, cause: error });
  }
  if (value === undefined) {
    throw new MailmonError('credential_missing', `The OS keychain has no entry for the ${label} (it was removed outside mailmon).`, { hint: again });
  }
  return value;
}

/** The SecretStoreInspector port: what `credentials audit` checks, values dropped at once. */
export function secretStoreInspector(deps: RevealContext & { config: Config }): SecretStoreInspector {
  return {
    setting: async () => secretStoreSetting(deps.config),
    // To a shared store the keychain is as good as absent: `auto` then means envelopes, `keychain` nowhere (refused).
    probeKeychain: async () => (deps.shared ? { available: false, reason: 'a shared store does not use the OS keychain' } : deps.keychain.probe()),
    assertReadable: async (row) => {
      await revealRow(deps, row);
    },
  };
}

interface VaultContext extends RevealContext {
  storage: Pick<Storage, 'credentialEnvelopes' | 'mailboxes'>;
  now: () => number;
}

class StoredCredentialVault implements CredentialVault {
  constructor(private readonly context: VaultContext, readonly kind: 'keychain' | 'file') {}

  async saveRefreshToken(mailboxId: string, refreshToken: string, meta: { clientId?: string; scope?: string } = {}): Promise<void> {
    assertValue(refreshToken, 'refresh token');
    // Checked before a keychain write, which would otherwise leave a value no row points at.
    if (!(await this.context.storage.mailboxes.get(mailboxId))) {
      throw new MailmonError('mailbox_not_found', `No mailbox ${mailboxId}.`, { hint: 'Run "mailmon mailboxes" to list mailboxes.' });
    }
    await this.save('credential', mailboxId, refreshToken, meta);
  }

  async loadRefreshToken(mailboxId: string): Promise<string> {
    const row = await this.context.storage.credentialEnvelopes.get('credential', mailboxId);
    if (!row) {
      throw new MailmonError('credential_missing', `Mailbox ${mailboxId} has no stored credential.`, { hint: 'Run "mailmon login" for that address.' });
    }
    return revealRow(this.context, row);
  }

  async deleteCredential(mailboxId: string): Promise<boolean> {
    return this.remove('credential', mailboxId);
  }

  async saveSecret(name: string, value: string): Promise<void> {
    if (name.trim() === '') throw new MailmonError('usage', 'A secret needs a name.');
    assertValue(value, 'secret');
    await this.save('secret', name, value, {});
  }

  async loadSecret(name: string): Promise<string | undefined> {
    const row = await this.context.storage.credentialEnvelopes.get('secret', name);
    return row ? revealRow(this.context, row) : undefined;
  }

  async deleteSecret(name: string): Promise<boolean> {
    return this.remove('secret', name);
  }

  private async save(type: EnvelopeOwnerType, owner: string, value: string, meta: { clientId?: string; scope?: string }): Promise<void> {
    const { now } = this.context;
    const envelopes = this.context.storage.credentialEnvelopes;
    const previous = await envelopes.get(type, owner);
    const account = keychainAccount(type, owner);
    if (this.kind === 'keychain') {
      // Value first, then the row that points at it: a crash in between leaves the old row valid.
      await this.context.keychain.keychain.set(account, value);
      await envelopes.upsert(type, owner, { store: 'keychain', ...NO_ENVELOPE, ...meta }, now());
      return;
    }
    const key = this.sealingKey();
    const envelope = sealEnvelope({ key: key.key, keyId: key.keyId, plaintext: value, associatedData: associatedDataFor(type, owner) });
    await envelopes.upsert(type, owner, { store: 'file', ...fieldsOfEnvelope(envelope), ...meta }, now());
    if (previous?.store === 'keychain' && !this.context.shared) await this.forgetInKeychain(account);
  }

  /** The current key; on a shared store only the environment's, else one is generated into the key file. */
  private sealingKey(): EncryptionKey {
    const { home, env, shared } = this.context;
    if (!shared) return currentOrNewEncryptionKey(home, env);
    const key = keyFromEnv(env);
    if (key) return key;
    throw new MailmonError('encryption_key_invalid', `${ENCRYPTION_KEY_ENV} is not set: a shared store keeps credentials sealed with that key, which every machine using the store must have.`, {
      hint: `Set ${ENCRYPTION_KEY_ENV} to the same key on every machine. ${GENERATE_KEY_HINT}`,
    });
  }

  private async remove(type: EnvelopeOwnerType, owner: string): Promise<boolean> {
    const envelopes = this.context.storage.credentialEnvelopes;
    const previous = await envelopes.get(type, owner);
    const existed = await envelopes.delete(type, owner);
    // On a shared store a keychain entry would be on another machine: nothing to forget here.
    const inKeychain = previous?.store === 'keychain' || this.kind === 'keychain';
    if (inKeychain && !this.context.shared) await this.forgetInKeychain(keychainAccount(type, owner));
    return existed;
  }

  /** Best effort: the row no longer points there, so a leftover entry is harmless. */
  private async forgetInKeychain(account: string): Promise<void> {
    const probe = await this.context.keychain.probe();
    if (!probe.available) return;
    await this.context.keychain.keychain.delete(account).catch(() => false);
  }
}

function assertValue(value: string, what: string): void {
  if (typeof value !== 'string' || value === '') throw new MailmonError('usage', `Refusing to store an empty ${what}.`);
}
