/**
 * `mailmon credentials audit` and doctor's credential check: every stored credential and
 * secret, whether it can be read right now, where it lives, which key sealed it and whether
 * that is the current key; and the mailboxes that have no credential at all.
 *
 * Guarantees: read-only (it never creates a key file nor writes a row); values are decrypted
 * only to prove they open and are dropped at once, never returned.
 */
import { isMailmonError } from '../core/errors.js';
import type { Config } from './ports/config.js';
import type { HomeLayout } from '../adapters/system/home.js';
import type { SqliteStore } from '../adapters/sqlite/database.js';
import {
  listEnvelopeRows,
  mailboxAddresses,
  mailboxesWithoutCredential,
  type MailboxWithoutCredential,
} from '../adapters/sqlite/sqlite-envelope-rows.js';
import {
  osKeychainAccess,
  revealRow,
  secretStoreSetting,
  type KeychainAccess,
  type SecretStoreSetting,
} from '../adapters/secrets/credential-vault.js';
import { currentEncryptionKey } from '../adapters/secrets/encryption-key.js';
import type { DoctorCheck } from './doctor.js';

export interface CredentialAuditDeps {
  store: SqliteStore;
  home: HomeLayout;
  env: NodeJS.ProcessEnv;
  config: Config;
  keychain?: KeychainAccess;
}

export interface AuditedEntry {
  type: 'credential' | 'secret';
  /** Mailbox id for a credential, name for a secret. */
  id: string;
  emailAddress?: string;
  store: string;
  /** The key that sealed it (file store); null in the keychain. */
  keyId: string | null;
  /** Whether it is sealed with the current key; null when that does not apply (keychain). */
  underCurrentKey: boolean | null;
  readable: boolean;
  problem?: string;
  fix?: string;
}

export interface CredentialAuditReport {
  ok: boolean;
  secretStore: { setting: SecretStoreSetting; newValuesGoTo: 'keychain' | 'file' | 'nowhere'; keychainAvailable: boolean | null; keychainReason?: string };
  currentKey: { keyId: string; source: 'env' | 'file'; file?: string } | null;
  entries: AuditedEntry[];
  mailboxesWithoutCredential: MailboxWithoutCredential[];
  summary: { credentials: number; secrets: number; readable: number; unreadable: number; notUnderCurrentKey: number; mailboxesWithoutCredential: number };
}

export async function auditCredentials(deps: CredentialAuditDeps): Promise<CredentialAuditReport> {
  const keychain = deps.keychain ?? osKeychainAccess();
  // An invalid MAILMON_ENCRYPTION_KEY (or key file) throws here: it is the first thing to fix.
  const key = currentEncryptionKey(deps.home, deps.env);
  const setting = secretStoreSetting(deps.config);
  const rows = listEnvelopeRows(deps.store);
  const addresses = mailboxAddresses(deps.store);

  const entries: AuditedEntry[] = [];
  for (const row of rows) {
    const keyId = row.store === 'file' ? row.keyId : null;
    const entry: AuditedEntry = {
      type: row.type,
      id: row.owner,
      ...(row.type === 'credential' ? { emailAddress: addresses.get(row.owner) } : {}),
      store: row.store,
      keyId,
      underCurrentKey: row.store === 'file' ? key !== undefined && keyId === key.keyId : null,
      readable: false,
    };
    try {
      await revealRow({ home: deps.home, env: deps.env, keychain }, row);
      entry.readable = true;
    } catch (error) {
      if (!isMailmonError(error)) throw error;
      entry.problem = error.message;
      entry.fix = error.hint;
    }
    entries.push(entry);
  }

  let keychainAvailable: boolean | null = null;
  let keychainReason: string | undefined;
  if (setting !== 'file') {
    const probe = await keychain.probe();
    keychainAvailable = probe.available;
    keychainReason = probe.reason;
  }
  const newValuesGoTo = setting === 'file' ? 'file' : keychainAvailable ? 'keychain' : setting === 'auto' ? 'file' : 'nowhere';
  const without = mailboxesWithoutCredential(deps.store);
  const unreadable = entries.filter((entry) => !entry.readable).length;
  return {
    ok: unreadable === 0,
    secretStore: { setting, newValuesGoTo, keychainAvailable, ...(keychainReason ? { keychainReason } : {}) },
    currentKey: key ? { keyId: key.keyId, source: key.source === 'env' ? 'env' : 'file', ...(key.file ? { file: key.file } : {}) } : null,
    entries,
    mailboxesWithoutCredential: without,
    summary: {
      credentials: entries.filter((entry) => entry.type === 'credential').length,
      secrets: entries.filter((entry) => entry.type === 'secret').length,
      readable: entries.length - unreadable,
      unreadable,
      notUnderCurrentKey: entries.filter((entry) => entry.underCurrentKey === false).length,
      mailboxesWithoutCredential: without.length,
    },
  };
}

/**
 * Doctor's "credentials" check, built from the audit. The config is read lazily so a broken
 * config file fails this check instead of the whole doctor.
 */
export function credentialsDoctorCheck(deps: { env: NodeJS.ProcessEnv; config: () => Config; keychain?: KeychainAccess }) {
  return async (store: SqliteStore, home: HomeLayout): Promise<DoctorCheck[]> => {
    let report: CredentialAuditReport;
    try {
      report = await auditCredentials({ env: deps.env, config: deps.config(), keychain: deps.keychain, store, home });
    } catch (error) {
      if (!isMailmonError(error)) throw error;
      return [{ name: 'credentials', ok: false, detail: error.message, fix: error.hint }];
    }
    const { summary } = report;
    const total = summary.credentials + summary.secrets;
    const missing = summary.mailboxesWithoutCredential > 0 ? `; ${summary.mailboxesWithoutCredential} mailbox${summary.mailboxesWithoutCredential === 1 ? ' has' : 'es have'} no credential` : '';
    if (report.ok) {
      const detail = total === 0 ? 'none stored' : `all ${total} readable${report.currentKey ? ` (key ${report.currentKey.keyId})` : ''}`;
      return [{ name: 'credentials', ok: true, detail: `${detail}${missing}` }];
    }
    const first = report.entries.find((entry) => !entry.readable);
    return [{
      name: 'credentials',
      ok: false,
      detail: `${summary.unreadable} of ${total} unreadable: ${(first?.problem ?? '').replace(/\.$/, '')}${missing}`,
      fix: summary.notUnderCurrentKey > 0
        ? 'If the encryption key changed, run "mailmon credentials rewrap"; "mailmon credentials audit" shows each one.'
        : first?.fix ?? 'Run "mailmon credentials audit" for details.',
    }];
  };
}
