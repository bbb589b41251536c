/**
 * `mailmon credentials audit` and doctor's credential check: every stored credential and
 * secret, whether it can be read right now, where it lives, which key sealed it and whether
 * that is the current key; and the mailboxes that have no credential at all.
 *
 * Guarantees: read-only (it never creates a key file nor writes a row); values are decrypted
 * only to prove they open and are dropped at once, never returned.
 */
import { isMailmonError } from '../core/errors.js';
import type { EnvelopeRow, MailboxWithoutCredential } from './ports/credential-envelopes.js';
import type { SecretStoreInspector, SecretStoreSetting } from './ports/credentials.js';
import type { EncryptionKey, EncryptionKeys } from './ports/encryption-keys.js';
import type { Storage } from './ports/storage.js';
import type { DoctorCheck } from './doctor.js';

export interface CredentialAuditDeps {
  storage: Pick<Storage, 'credentialEnvelopes' | 'mailboxes'>;
  keys: EncryptionKeys;
  secretStores: SecretStoreInspector;
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
  // An invalid MAILMON_ENCRYPTION_KEY (or key file) throws here: it is the first thing to fix.
  const key = await deps.keys.current();
  const setting = await deps.secretStores.setting();
  const rows = await deps.storage.credentialEnvelopes.list();
  const addresses = new Map((await deps.storage.mailboxes.list()).map((mailbox) => [mailbox.id, mailbox.emailAddress]));
  const entries: AuditedEntry[] = [];
  for (const row of rows) entries.push(await auditRow(deps, row, key, addresses));
  const secretStore = await describeSecretStore(deps, setting);
  const without = await deps.storage.credentialEnvelopes.mailboxesWithoutCredential();
  const unreadable = entries.filter((entry) => !entry.readable).length;
  return {
    ok: unreadable === 0,
    secretStore,
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

async function auditRow(deps: CredentialAuditDeps, row: EnvelopeRow, key: EncryptionKey | undefined, addresses: Map<string, string>): Promise<AuditedEntry> {
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
    await deps.secretStores.assertReadable(row);
    entry.readable = true;
  } catch (error) {
    if (!isMailmonError(error)) throw error;
    entry.problem = error.message;
    entry.fix = error.hint;
  }
  return entry;
}

async function describeSecretStore(deps: CredentialAuditDeps, setting: SecretStoreSetting): Promise<CredentialAuditReport['secretStore']> {
  let keychainAvailable: boolean | null = null;
  let keychainReason: string | undefined;
  if (setting !== 'file') {
    const probe = await deps.secretStores.probeKeychain();
    keychainAvailable = probe.available;
    keychainReason = probe.reason;
  }
  const newValuesGoTo = setting === 'file' ? 'file' : keychainAvailable ? 'keychain' : setting === 'auto' ? 'file' : 'nowhere';
  return { setting, newValuesGoTo, keychainAvailable, ...(keychainReason ? { keychainReason } : {}) };
}

/**
 * Doctor's "credentials" check, built from the audit. The deps are built lazily so a broken
 * config file fails this check instead of the whole doctor.
 */
export function credentialsDoctorCheck(deps: () => Promise<CredentialAuditDeps>) {
  return async (): Promise<DoctorCheck[]> => {
    let report: CredentialAuditReport;
    try {
      report = await auditCredentials(await deps());
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
